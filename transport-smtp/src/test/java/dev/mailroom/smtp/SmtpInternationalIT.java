package dev.mailroom.smtp;

import dev.mailroom.Email;
import dev.mailroom.MailContext;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.Security;
import dev.mailroom.core.InMemoryAccountRepository;
import dev.mailroom.core.Mailroom;
import dev.mailroom.testkit.MailServerExtension;
import dev.mailroom.testkit.ReceivedMail;
import dev.mailroom.testkit.ScriptedSmtpServer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** B4: internationalized addresses, decided per message. */
final class SmtpInternationalIT {
    @RegisterExtension
    final MailServerExtension mail = MailServerExtension.builder().build();

    private final InMemoryAccountRepository repo = new InMemoryAccountRepository();

    private Email to(String... recipients) {
        return Email.builder().to(recipients).subject("Grüße").text("こんにちは").build();
    }

    @Test
    @DisplayName("B4: with 'server supports UTF-8 headers' and a server offering SMTPUTF8, 山田太郎@株式.会社 and jörg@bücher.example arrive")
    void smtpUtf8_delivered() {
        repo.save(SmtpFixtures.systemAccount(mail.host(), mail.smtpPort(), Security.NONE).utf8Headers(true).build());
        try (Mailroom m = SmtpFixtures.mailroom(repo)) {
            m.send(MailContext.system(), to("山田太郎@株式.会社", "jörg@bücher.example"));
        }
        List<ReceivedMail> received = mail.awaitReceived(2);
        String raw = new String(received.get(0).raw(), StandardCharsets.UTF_8);
        assertThat(raw).contains("山田太郎@株式.会社").contains("jörg@bücher.example");
        assertThat(received.get(0).subject()).isEqualTo("Grüße");
    }

    @Test
    @DisplayName("B4: MAIL FROM carries the SMTPUTF8 parameter and RCPT the raw UTF-8 address")
    void smtpUtf8_parameterOnMailFrom() {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                .reply(ScriptedSmtpServer.Command.EHLO, "250 scripted.test\n250 8BITMIME\n250 SMTPUTF8").build().start()) {
            repo.save(SmtpFixtures.systemAccount(server.host(), server.port(), Security.NONE).utf8Headers(true).build());
            try (Mailroom m = SmtpFixtures.mailroom(repo)) {
                m.send(MailContext.system(), to("山田太郎@株式.会社"));
            }
            assertThat(server.commands()).anyMatch(c -> c.startsWith("MAIL FROM:<app@acme.test>") && c.contains("SMTPUTF8"))
                    .contains("RCPT TO:<山田太郎@株式.会社>");
        }
    }

    @Test
    @DisplayName("B4: without the account's flag: a typed error before anything is sent")
    void noFlag_refusedBeforeSending() {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().build().start()) {
            repo.save(SmtpFixtures.systemAccount(server.host(), server.port(), Security.NONE).build());
            try (Mailroom m = SmtpFixtures.mailroom(repo)) {
                for (String address : new String[] {"山田太郎@株式.会社", "jörg@bücher.example"}) {
                    assertThatThrownBy(() -> m.send(MailContext.system(), to(address)))
                            .isInstanceOfSatisfying(MailException.class, e -> assertThat(e.code()).isEqualTo(MailErrorCode.SMTPUTF8_NOT_SUPPORTED));
                }
            }
            assertThat(server.connections()).isZero();
        }
    }

    @Test
    @DisplayName("B4: flag set but the server does not offer SMTPUTF8: refused before MAIL FROM, nothing sent")
    void serverWithoutSmtpUtf8_refusedBeforeMailFrom() {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().build().start()) {
            repo.save(SmtpFixtures.systemAccount(server.host(), server.port(), Security.NONE).utf8Headers(true).build());
            try (Mailroom m = SmtpFixtures.mailroom(repo)) {
                assertThatThrownBy(() -> m.send(MailContext.system(), to("jörg@bücher.example")))
                        .isInstanceOfSatisfying(MailException.class, e -> {
                            assertThat(e.code()).isEqualTo(MailErrorCode.SMTPUTF8_NOT_SUPPORTED);
                            assertThat(e.getMessage()).contains("does not offer SMTPUTF8");
                        });
            }
            assertThat(server.commands()).noneMatch(c -> c.startsWith("MAIL"));
        }
    }

    @Test
    @DisplayName("B4: a domain-only internationalized address goes out in punycode over a plain server")
    void idnDomain_punycode() {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().build().start()) {
            repo.save(SmtpFixtures.systemAccount(server.host(), server.port(), Security.NONE).build());
            try (Mailroom m = SmtpFixtures.mailroom(repo)) {
                m.send(MailContext.system(), to("info@bücher.example"));
            }
            assertThat(server.commands()).contains("RCPT TO:<info@xn--bcher-kva.example>");
            assertThat(server.commands()).filteredOn(c -> c.startsWith("MAIL")).allMatch(c -> !c.contains("SMTPUTF8"));
        }
    }
}
