package dev.mailroom.smtp;

import dev.mailroom.Account;
import dev.mailroom.AccountField;
import dev.mailroom.Diagnosis;
import dev.mailroom.MailContext;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.Security;
import dev.mailroom.core.InMemoryAccountRepository;
import dev.mailroom.core.InMemoryOutboxRepository;
import dev.mailroom.core.Mailroom;
import dev.mailroom.testkit.ScriptedSmtpServer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** #10.11: the envelope sender and the EHLO name go out in IDNA (punycode) on every path. */
final class SmtpIdnaWireIT {
    private static final String ASCII_SENDER = "MAIL FROM:<app@xn--bcher-kva.example>";
    private static final String ASCII_EHLO = "EHLO xn--bro-hoa.example";

    private final InMemoryAccountRepository repo = new InMemoryAccountRepository();

    private static Account.Builder account(ScriptedSmtpServer server) {
        return SmtpFixtures.systemAccount(server.host(), server.port(), Security.NONE).email("app@bücher.example").clientAlias("büro.example");
    }

    @Test
    @DisplayName("#10.11: a direct send says EHLO and MAIL FROM in punycode")
    void directSend_punycodeOnTheWire() {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().build().start()) {
            repo.save(account(server).build());
            try (Mailroom m = SmtpFixtures.mailroom(repo)) {
                m.send(MailContext.system(), SmtpFixtures.email());
            }
            assertThat(server.commands()).contains(ASCII_EHLO).anyMatch(c -> c.startsWith(ASCII_SENDER));
        }
    }

    @Test
    @DisplayName("#10.11: the outbox says EHLO and MAIL FROM in punycode, not the sender as typed")
    void outbox_punycodeOnTheWire() {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().build().start()) {
            repo.save(account(server).build());
            try (Mailroom m = Mailroom.builder().accountRepository(repo).outboxRepository(new InMemoryOutboxRepository()).outboxWorkers(1)
                    .outboxPollInterval(Duration.ofMillis(10)).connectTimeout(Duration.ofSeconds(5)).readTimeout(Duration.ofSeconds(5))
                    .writeTimeout(Duration.ofSeconds(5)).build()) {
                m.enqueue(MailContext.system(), SmtpFixtures.email());
                assertThat(server.received().await(1, Duration.ofSeconds(20))).hasSize(1);
            }
            assertThat(server.commands()).contains(ASCII_EHLO).anyMatch(c -> c.startsWith(ASCII_SENDER))
                    .noneMatch(c -> c.contains("bücher") || c.contains("büro"));
        }
    }

    @Test
    @DisplayName("#10.11: diagnose says EHLO and MAIL FROM in punycode")
    void diagnose_punycodeOnTheWire() {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().build().start()) {
            try (Mailroom m = SmtpFixtures.mailroom(repo)) {
                Diagnosis d = m.diagnose(account(server).build());
                assertThat(d.ok()).as(d.toString()).isTrue();
            }
            assertThat(server.commands()).contains(ASCII_EHLO).anyMatch(c -> c.startsWith(ASCII_SENDER))
                    .noneMatch(c -> c.contains("bücher") || c.contains("büro"));
        }
    }

    @Test
    @DisplayName("#10.11: a test mail says EHLO and MAIL FROM in punycode")
    void testMail_punycodeOnTheWire() {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().build().start()) {
            try (Mailroom m = SmtpFixtures.mailroom(repo)) {
                m.sendTestMail(account(server).build(), "admin@example.test");
            }
            assertThat(server.commands()).contains(ASCII_EHLO).anyMatch(c -> c.startsWith(ASCII_SENDER))
                    .noneMatch(c -> c.contains("bücher") || c.contains("büro"));
        }
    }

    @Test
    @DisplayName("#10.11: an EHLO name that cannot be encoded is an account problem naming clientAlias, and nothing is sent")
    void unencodableClientAlias_invalidAccount() {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().build().start()) {
            repo.save(account(server).clientAlias("x".repeat(64) + ".example").build());
            try (Mailroom m = SmtpFixtures.mailroom(repo)) {
                assertThatThrownBy(() -> m.send(MailContext.system(), SmtpFixtures.email()))
                        .isInstanceOfSatisfying(MailException.class, e -> {
                            assertThat(e.code()).isEqualTo(MailErrorCode.INVALID_ACCOUNT);
                            assertThat(e.code().category().isAccountProblem()).isTrue();
                            assertThat(e.fieldProblems()).extracting(p -> p.field()).containsExactly(AccountField.CLIENT_ALIAS);
                        });
            }
            assertThat(server.received().count()).isZero();
        }
    }

    @Test
    @DisplayName("#10.11: diagnose reports such an EHLO name at the SETTINGS stage as INVALID_ACCOUNT, without connecting")
    void unencodableClientAlias_diagnose() {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().build().start()) {
            try (Mailroom m = SmtpFixtures.mailroom(repo)) {
                Diagnosis d = m.diagnose(account(server).clientAlias("x".repeat(64) + ".example").build());
                assertThat(d.failure()).hasValueSatisfying(step -> {
                    assertThat(step.stage()).isEqualTo(dev.mailroom.DiagnosisStep.Stage.SETTINGS);
                    assertThat(step.code()).isEqualTo(MailErrorCode.INVALID_ACCOUNT);
                });
            }
            assertThat(server.connections()).isZero();
        }
    }
}
