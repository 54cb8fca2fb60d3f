package dev.mailroom.smtp;

import dev.mailroom.Account;
import dev.mailroom.Diagnosis;
import dev.mailroom.DiagnosisStep.Outcome;
import dev.mailroom.DiagnosisStep.Stage;
import dev.mailroom.MailErrorCode;
import dev.mailroom.Security;
import dev.mailroom.core.InMemoryAccountRepository;
import dev.mailroom.core.Mailroom;
import dev.mailroom.testkit.ScriptedSmtpServer;
import dev.mailroom.testkit.ScriptedSmtpServer.Command;
import dev.mailroom.testkit.SmtpTestServer;
import dev.mailroom.testkit.TestCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;


import static org.assertj.core.api.Assertions.assertThat;

final class SmtpDiagnoseIT {
    private final InMemoryAccountRepository repo = new InMemoryAccountRepository();
    private final Mailroom mailroom = SmtpFixtures.mailroom(repo);

    @AfterEach
    void close() {
        mailroom.close();
    }

    @Test
    @DisplayName("C1: every stage passes with the server's replies; capabilities after STARTTLS; nothing stored, nothing sent")
    void diagnose_allStagesPass() {
        try (SmtpTestServer server = SmtpTestServer.builder().tls(SmtpTestServer.Tls.STARTTLS_REQUIRED).user("app@acme.test", "pw").build().start()) {
            Account draft = SmtpFixtures.withLogin(SmtpFixtures.systemAccount(server.host(), server.port(), Security.STARTTLS), "app@acme.test", "pw").build();
            Diagnosis d = mailroom.diagnose(draft);
            assertThat(d.ok()).as(d.report()).isTrue();
            assertThat(d.steps()).extracting(s -> s.stage()).containsExactly(Stage.SETTINGS, Stage.DNS, Stage.TCP, Stage.GREETING,
                    Stage.CAPABILITIES, Stage.TLS, Stage.AUTH, Stage.SENDER);
            assertThat(d.step(Stage.GREETING).orElseThrow().serverReply()).startsWith("220");
            assertThat(d.step(Stage.AUTH).orElseThrow().serverReply()).startsWith("235");
            assertThat(d.step(Stage.SENDER).orElseThrow().serverReply()).startsWith("250");
            assertThat(d.capabilities()).anyMatch(c -> c.contains("AUTH"));
            assertThat(d.transcript()).isNotEmpty().noneMatch(l -> l.contains("pw") && l.startsWith("AUTH"));
            assertThat(repo.findAll()).isEmpty();
            server.received().assertNone();
        }
    }

    @Test
    @DisplayName("C1/C5: nothing listens on the port: TCP stage fails with the port hint")
    void diagnose_refused() {
        int port = SmtpFixtures.closedPort();
        Diagnosis d = mailroom.diagnose(SmtpFixtures.systemAccount("127.0.0.1", port, Security.NONE).build());
        assertThat(d.failure().orElseThrow().stage()).isEqualTo(Stage.TCP);
        assertThat(d.failure().orElseThrow().code()).isEqualTo(MailErrorCode.CONNECTION_REFUSED);
        assertThat(d.failure().orElseThrow().hint()).contains("587 = STARTTLS");
        assertThat(d.step(Stage.AUTH).orElseThrow().outcome()).isEqualTo(Outcome.SKIPPED);
    }

    @Test
    @DisplayName("C1/C5: an unknown host fails at DNS")
    void diagnose_unknownHost() {
        Diagnosis d = mailroom.diagnose(SmtpFixtures.systemAccount("mail.unknown-host.invalid", 587, Security.STARTTLS).build());
        assertThat(d.failure().orElseThrow().stage()).isEqualTo(Stage.DNS);
        assertThat(d.failure().orElseThrow().code()).isEqualTo(MailErrorCode.UNKNOWN_HOST);
    }

    @Test
    @DisplayName("C1/C5: a wrong certificate name fails at TLS with the mismatch hint")
    void diagnose_certificateMismatch() {
        try (SmtpTestServer server = SmtpTestServer.builder().tls(SmtpTestServer.Tls.IMPLICIT).certificate(TestCertificates.wrongNameServerContext()).build().start()) {
            Diagnosis d = mailroom.diagnose(SmtpFixtures.systemAccount(server.host(), server.port(), Security.TLS).build());
            assertThat(d.failure().orElseThrow().stage()).isEqualTo(Stage.TLS);
            assertThat(d.failure().orElseThrow().code()).as(d.report()).isEqualTo(MailErrorCode.CERTIFICATE_NAME_MISMATCH);
        }
    }

    @Test
    @DisplayName("C1/C5/F10: Microsoft 365 basic auth off: AUTH stage fails with the exact reply and a hint to Graph or the app token")
    void diagnose_basicAuthDisabled() {
        String reply = "535 5.7.139 Authentication unsuccessful, basic authentication is disabled.";
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().reply(Command.AUTH, reply).build().start()) {
            Diagnosis d = mailroom.diagnose(SmtpFixtures.withLogin(SmtpFixtures.systemAccount(server.host(), server.port(), Security.NONE),
                    "app@acme.test", "pw").build());
            var f = d.failure().orElseThrow();
            assertThat(f.stage()).isEqualTo(Stage.AUTH);
            assertThat(f.code()).isEqualTo(MailErrorCode.AUTH_BASIC_DISABLED);
            assertThat(f.serverReply()).isEqualTo(reply);
            assertThat(f.hint()).contains("Graph").contains("SMTP.SendAsApp");
            assertThat(d.report()).contains(reply).contains("FAILED");
        }
    }

    @Test
    @DisplayName("C1/C5: the login may not send as the account's sender: SENDER stage with the server's reply")
    void diagnose_senderRejected() {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                .reply(Command.MAIL, "553 5.7.1 <app@acme.test>: Sender address rejected: not owned by user other@acme.test").build().start()) {
            Diagnosis d = mailroom.diagnose(SmtpFixtures.withLogin(SmtpFixtures.systemAccount(server.host(), server.port(), Security.NONE),
                    "other@acme.test", "pw").build());
            var f = d.failure().orElseThrow();
            assertThat(f.stage()).isEqualTo(Stage.SENDER);
            assertThat(f.code()).isEqualTo(MailErrorCode.SENDER_REJECTED);
            assertThat(f.serverReply()).contains("not owned by user");
            assertThat(server.commands()).noneMatch("DATA"::equals);
        }
    }

    @Test
    @DisplayName("C1: an incomplete draft fails at SETTINGS, naming the fields")
    void diagnose_incompleteDraft() {
        Diagnosis d = mailroom.diagnose(Account.builder().description("Draft").email("x@acme.test").build());
        assertThat(d.failure().orElseThrow().stage()).isEqualTo(Stage.SETTINGS);
        assertThat(d.failure().orElseThrow().detail()).contains("smtpHost").contains("authentication");
    }
}
