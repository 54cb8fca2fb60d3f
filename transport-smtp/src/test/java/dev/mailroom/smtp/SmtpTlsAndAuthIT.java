package dev.mailroom.smtp;

import dev.mailroom.MailContext;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.Security;
import dev.mailroom.core.InMemoryAccountRepository;
import dev.mailroom.core.Mailroom;
import dev.mailroom.testkit.SmtpTestServer;
import dev.mailroom.testkit.TestCertificates;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class SmtpTlsAndAuthIT {
    private final InMemoryAccountRepository repo = new InMemoryAccountRepository();

    private static void assertFails(Mailroom m, MailErrorCode code, String... replyParts) {
        assertThatThrownBy(() -> m.send(MailContext.system(), SmtpFixtures.email()))
                .isInstanceOfSatisfying(MailException.class, e -> {
                    assertThat(e.code()).as(e.toString()).isEqualTo(code);
                    for (String part : replyParts) {
                        assertThat(e.serverReply()).as(e.toString()).hasValueSatisfying(r -> assertThat(r).contains(part));
                    }
                    assertThat(e.hint()).isNotBlank();
                });
    }

    @Test
    @DisplayName("A8/A9: STARTTLS (required by the server) with password login delivers")
    void startTls_withLogin_delivers() {
        try (SmtpTestServer server = SmtpTestServer.builder().tls(SmtpTestServer.Tls.STARTTLS_REQUIRED).user("app@acme.test", "pw").build().start()) {
            repo.save(SmtpFixtures.withLogin(SmtpFixtures.systemAccount(server.host(), server.port(), Security.STARTTLS), "app@acme.test", "pw").build());
            try (Mailroom m = SmtpFixtures.mailroom(repo)) {
                m.send(MailContext.system(), SmtpFixtures.email());
            }
            server.received().single().assertSubject("Rechnung 4711").assertEnvelopeFrom("app@acme.test");
        }
    }

    @Test
    @DisplayName("A8: implicit TLS (\"SSL\") delivers, server identity checked")
    void implicitTls_delivers() {
        try (SmtpTestServer server = SmtpTestServer.builder().tls(SmtpTestServer.Tls.IMPLICIT).user("app@acme.test", "pw").build().start()) {
            repo.save(SmtpFixtures.withLogin(SmtpFixtures.systemAccount(server.host(), server.port(), Security.TLS), "app@acme.test", "pw").build());
            try (Mailroom m = SmtpFixtures.mailroom(repo)) {
                m.send(MailContext.system(), SmtpFixtures.email());
            }
            server.received().single();
        }
    }

    @Test
    @DisplayName("A8/C5: STARTTLS required but not offered: fails before any credential is sent")
    void startTlsNotOffered_noCredentialsSent() {
        try (SmtpTestServer server = SmtpTestServer.builder().user("app@acme.test", "pw").build().start()) {
            repo.save(SmtpFixtures.withLogin(SmtpFixtures.systemAccount(server.host(), server.port(), Security.STARTTLS), "app@acme.test", "pw").build());
            CopyOnWriteArrayList<String> dialog = new CopyOnWriteArrayList<>();
            repo.save(repo.findAll().get(0).toBuilder().debug(true).build());
            try (Mailroom m = SmtpFixtures.mailroom(repo, (id, line) -> dialog.add(line))) {
                assertFails(m, MailErrorCode.STARTTLS_NOT_OFFERED);
            }
            assertThat(dialog).noneMatch(l -> l.startsWith("AUTH"));
            server.received().assertNone();
        }
    }

    @Test
    @DisplayName("C5: security 'none' against a server that demands STARTTLS: 530 Must issue STARTTLS")
    void plainAgainstStartTlsRequired_530() {
        try (SmtpTestServer server = SmtpTestServer.builder().tls(SmtpTestServer.Tls.STARTTLS_REQUIRED).build().start()) {
            repo.save(SmtpFixtures.systemAccount(server.host(), server.port(), Security.NONE).build());
            try (Mailroom m = SmtpFixtures.mailroom(repo)) {
                assertFails(m, MailErrorCode.STARTTLS_REQUIRED_BY_SERVER, "530");
            }
        }
    }

    @Test
    @DisplayName("C5: certificate issued for another name: name mismatch, nothing sent")
    void wrongCertificateName_mismatch() {
        try (SmtpTestServer server = SmtpTestServer.builder().tls(SmtpTestServer.Tls.STARTTLS)
                .certificate(TestCertificates.wrongNameServerContext()).build().start()) {
            repo.save(SmtpFixtures.systemAccount(server.host(), server.port(), Security.STARTTLS).build());
            try (Mailroom m = SmtpFixtures.mailroom(repo)) {
                assertFails(m, MailErrorCode.CERTIFICATE_NAME_MISMATCH);
            }
            server.received().assertNone();
        }
    }

    @Test
    @DisplayName("C5: self-signed certificate not in the trust store: untrusted, never 'trust all'")
    void untrustedCertificate() {
        try (SmtpTestServer server = SmtpTestServer.builder().tls(SmtpTestServer.Tls.IMPLICIT).build().start()) {
            repo.save(SmtpFixtures.systemAccount(server.host(), server.port(), Security.TLS).build());
            try (Mailroom m = Mailroom.builder().accountRepository(repo).readTimeout(Duration.ofSeconds(5)).build()) { // JVM default trust store
                assertFails(m, MailErrorCode.CERTIFICATE_UNTRUSTED);
            }
        }
    }

    @Test
    @DisplayName("C5: SSL/TLS chosen on a port that speaks plain SMTP: wrong port for the encryption")
    void implicitTlsOnPlainPort() {
        try (SmtpTestServer server = SmtpTestServer.builder().build().start()) {
            repo.save(SmtpFixtures.systemAccount(server.host(), server.port(), Security.TLS).build());
            try (Mailroom m = SmtpFixtures.mailroom(repo)) {
                assertFails(m, MailErrorCode.TLS_ON_PLAIN_PORT);
            }
        }
    }

    @Test
    @DisplayName("C1/C5: a wrong password fails with the server's exact reply")
    void wrongPassword_authFailed() {
        try (SmtpTestServer server = SmtpTestServer.builder().tls(SmtpTestServer.Tls.STARTTLS).user("app@acme.test", "right").build().start()) {
            repo.save(SmtpFixtures.withLogin(SmtpFixtures.systemAccount(server.host(), server.port(), Security.STARTTLS), "app@acme.test", "wrong").build());
            try (Mailroom m = SmtpFixtures.mailroom(repo)) {
                assertFails(m, MailErrorCode.AUTH_FAILED, "535");
            }
            server.received().assertNone();
        }
    }

    @Test
    @DisplayName("A9/F9: 'prevent plain-text login' against a server offering only AUTH PLAIN says which option blocks it")
    void preventPlainTextLogin_blocksPlainOnlyServer() {
        try (SmtpTestServer server = SmtpTestServer.builder().tls(SmtpTestServer.Tls.STARTTLS).authMechanisms("PLAIN")
                .user("app@acme.test", "pw").build().start()) {
            repo.save(SmtpFixtures.withLogin(SmtpFixtures.systemAccount(server.host(), server.port(), Security.STARTTLS), "app@acme.test", "pw")
                    .preventPlainTextLogin(true).build());
            try (Mailroom m = SmtpFixtures.mailroom(repo)) {
                assertThatThrownBy(() -> m.send(MailContext.system(), SmtpFixtures.email()))
                        .isInstanceOfSatisfying(MailException.class, e -> {
                            assertThat(e.code()).isEqualTo(MailErrorCode.AUTH_MECHANISM_BLOCKED);
                            assertThat(e.getMessage()).contains("'prevent plain-text login' blocks AUTH PLAIN");
                        });
            }
            server.received().assertNone();
        }
    }

    @Test
    @DisplayName("A9: with 'prevent plain-text login' a server offering LOGIN too still works")
    void preventPlainTextLogin_usesLogin() {
        try (SmtpTestServer server = SmtpTestServer.builder().tls(SmtpTestServer.Tls.STARTTLS).user("app@acme.test", "pw").build().start()) {
            repo.save(SmtpFixtures.withLogin(SmtpFixtures.systemAccount(server.host(), server.port(), Security.STARTTLS), "app@acme.test", "pw")
                    .preventPlainTextLogin(true).build());
            try (Mailroom m = SmtpFixtures.mailroom(repo)) {
                m.send(MailContext.system(), SmtpFixtures.email());
            }
            server.received().single();
        }
    }
}
