package dev.mailroom.inbound;

import dev.mailroom.Account;
import dev.mailroom.Authentication;
import dev.mailroom.Diagnosis;
import dev.mailroom.DiagnosisStep.Outcome;
import dev.mailroom.DiagnosisStep.Stage;
import dev.mailroom.FetchSettings;
import dev.mailroom.MailErrorCode;
import dev.mailroom.Secret;
import dev.mailroom.Security;
import dev.mailroom.testkit.MailServerExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetAddress;
import java.net.ServerSocket;

import static dev.mailroom.inbound.Fixtures.deliver;
import static dev.mailroom.inbound.Fixtures.message;
import static org.assertj.core.api.Assertions.assertThat;

/** F10: the connection check of a fetch account. */
final class ConnectionCheckIT {
    @RegisterExtension
    final MailServerExtension mail = MailServerExtension.builder().user(Fixtures.USER, Fixtures.PASSWORD).build();

    private final Inbound inbound = Inbound.builder(new InMemoryInboundState(), m -> InboundResult.stored()).build();

    private static Account.Builder draft(String password, FetchSettings fetching) {
        return Account.builder().id("draft").description("Entwurf").email(Fixtures.USER)
                .authentication(Authentication.password(Fixtures.USER, Secret.of(password))).fetching(fetching);
    }

    @Test
    @DisplayName("F10: an unsaved IMAP draft passes every step and the folder's message count is shown; nothing is imported or flagged")
    void passes() throws Exception {
        deliver(mail, message("c1", "Eins", "x"));
        deliver(mail, message("c2", "Zwei", "x"));
        Diagnosis d = inbound.check(Fixtures.resolved(draft(Fixtures.PASSWORD, FetchSettings.imap(mail.host(), mail.imapPort(),
                Security.NONE))), FetchOptions.defaults());
        assertThat(d.ok()).as(d.report()).isTrue();
        assertThat(d.step(Stage.MAILBOX).orElseThrow().detail()).isEqualTo("folder INBOX: 2 message(s)");
        assertThat(d.step(Stage.TLS).orElseThrow().outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(Fixtures.folder(mail, "INBOX")).containsExactly("Eins", "Zwei");
    }

    @Test
    @DisplayName("F10: POP3 draft: the inbox's message count")
    void pop3() {
        deliver(mail, message("c3", "Drei", "x"));
        Diagnosis d = inbound.check(Fixtures.resolved(draft(Fixtures.PASSWORD, FetchSettings.pop3(mail.host(), mail.pop3Port())
                .withImap(null, null, Security.NONE))), FetchOptions.defaults());
        assertThat(d.ok()).as(d.report()).isTrue();
        assertThat(d.step(Stage.MAILBOX).orElseThrow().detail()).isEqualTo("POP3 inbox: 1 message(s)");
    }

    @Test
    @DisplayName("F10: a wrong password fails the AUTH step with the server's exact reply and a hint; the folder step is skipped")
    void wrongPassword() {
        Diagnosis d = inbound.check(Fixtures.resolved(draft("falsch", FetchSettings.imap(mail.host(), mail.imapPort(), Security.NONE))),
                FetchOptions.defaults());
        assertThat(d.failure()).hasValueSatisfying(s -> {
            assertThat(s.stage()).isEqualTo(Stage.AUTH);
            assertThat(s.code()).isEqualTo(MailErrorCode.AUTH_FAILED);
            assertThat(s.reply()).hasValue("LOGIN failed. Invalid login/password for user id support@acme.test"); // GreenMail's words
            assertThat(s.hint()).isNotBlank();
            assertThat(s.detail()).doesNotContain("falsch");
        });
        assertThat(d.step(Stage.MAILBOX).orElseThrow().outcome()).isEqualTo(Outcome.SKIPPED);
    }

    @Test
    @DisplayName("F10: a folder that does not exist fails the MAILBOX step with the server's reply")
    void missingFolder() {
        Diagnosis d = inbound.check(Fixtures.resolved(draft(Fixtures.PASSWORD, FetchSettings.imap(mail.host(), mail.imapPort(),
                Security.NONE))), FetchOptions.builder().folder("Tickets").build());
        assertThat(d.failure()).hasValueSatisfying(s -> {
            assertThat(s.stage()).isEqualTo(Stage.MAILBOX);
            assertThat(s.detail()).contains("Tickets");
        });
    }

    @Test
    @DisplayName("F10: a closed port fails the TCP step with CONNECTION_REFUSED and the hint about host and port")
    void closedPort() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Diagnosis d = inbound.check(Fixtures.resolved(draft(Fixtures.PASSWORD, FetchSettings.imap(mail.host(), port, Security.NONE))),
                FetchOptions.defaults());
        assertThat(d.failure()).hasValueSatisfying(s -> {
            assertThat(s.stage()).isEqualTo(Stage.TCP);
            assertThat(s.code()).isEqualTo(MailErrorCode.CONNECTION_REFUSED);
            assertThat(s.reply()).hasValueSatisfying(r -> assertThat(r).contains("Connection refused"));
        });
    }

    @Test
    @DisplayName("F10: an account that does not fetch fails the SETTINGS step and names the fix")
    void notFetching() {
        Diagnosis d = inbound.check(Fixtures.resolved(draft(Fixtures.PASSWORD, FetchSettings.none())), FetchOptions.defaults());
        assertThat(d.failure()).hasValueSatisfying(s -> {
            assertThat(s.stage()).isEqualTo(Stage.SETTINGS);
            assertThat(s.code()).isEqualTo(MailErrorCode.ACCOUNT_INCOMPLETE);
            assertThat(s.detail()).contains("FetchSettings.imap");
        });
    }
}
