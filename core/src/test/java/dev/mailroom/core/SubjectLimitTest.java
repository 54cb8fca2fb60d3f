package dev.mailroom.core;

import dev.mailroom.testkit.RecordingTransport;
import dev.mailroom.Account;
import dev.mailroom.Authentication;
import dev.mailroom.Email;
import dev.mailroom.MailContext;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.Secret;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Issue #10.12: the subject length is capped (255 by default, configurable), checked before anything is sent or stored. */
final class SubjectLimitTest {
    private static Mailroom.Builder builder(RecordingTransport transport) {
        InMemoryAccountRepository repo = new InMemoryAccountRepository();
        repo.save(Account.builder().id("sys").description("System").email("app@acme.test").systemAccount(true).smtpHost("smtp.test")
                .authentication(Authentication.password("app@acme.test", Secret.of("pw"))).build());
        return Mailroom.builder().accountRepository(repo).transport(transport).discoverTransports(false).outboxWorkers(0);
    }

    private static Email mail(int subjectLength) {
        return Email.builder().to("kunde@example.test").subject("ä".repeat(subjectLength)).text("x").build();
    }

    @Test
    @DisplayName("#10.12: a 256-character subject is refused by default on send and enqueue, naming the field; nothing sent or stored")
    void defaultLimit_255() {
        RecordingTransport transport = new RecordingTransport();
        try (Mailroom m = builder(transport).build()) {
            m.send(MailContext.system(), mail(255));
            MailException e = catchThrowableOfType(MailException.class, () -> m.send(MailContext.system(), mail(256)));
            assertThat(e.code()).isEqualTo(MailErrorCode.INVALID_EMAIL);
            assertThat(e.getMessage()).startsWith("subject: 256 characters").contains("maxSubjectLength");
            assertThatThrownBy(() -> m.enqueue(MailContext.system(), mail(256))).isInstanceOf(MailException.class)
                    .hasMessageStartingWith("subject:");
            assertThat(m.outbox().counts().values()).allMatch(n -> n == 0L);
        }
        assertThat(transport.sent()).hasSize(1);
    }

    @Test
    @DisplayName("#10.12: the limit is configurable up to Email.MAX_SUBJECT_LENGTH; a bad value names the option")
    void configurable() {
        RecordingTransport transport = new RecordingTransport();
        try (Mailroom m = builder(transport).maxSubjectLength(400).build()) {
            m.send(MailContext.system(), mail(400));
        }
        assertThat(transport.sent()).hasSize(1);
        assertThatThrownBy(() -> builder(transport).maxSubjectLength(Email.MAX_SUBJECT_LENGTH + 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxSubjectLength");
    }
}
