package dev.mailroom.smtp;

import dev.mailroom.Account;
import dev.mailroom.Authentication;
import dev.mailroom.Email;
import dev.mailroom.Secret;
import dev.mailroom.Security;
import dev.mailroom.core.InMemoryAccountRepository;
import dev.mailroom.core.Mailroom;
import dev.mailroom.spi.ProtocolLog;
import dev.mailroom.testkit.TestCertificates;

import java.time.Duration;

/** Shared set-up of the SMTP integration tests. */
final class SmtpFixtures {
    private SmtpFixtures() {
    }

    static Account.Builder systemAccount(String host, int port, Security security) {
        return Account.builder().id("system").description("System").email("app@acme.test").displayName("ACME App")
                .systemAccount(true).smtp(host, port, security).authentication(Authentication.none());
    }

    static Account.Builder withLogin(Account.Builder b, String user, String password) {
        return b.authentication(Authentication.password(user, Secret.of(password)));
    }

    static Mailroom mailroom(InMemoryAccountRepository repo) {
        return mailroom(repo, ProtocolLog.NONE);
    }

    static Mailroom mailroom(InMemoryAccountRepository repo, ProtocolLog log) {
        return Mailroom.builder().accountRepository(repo).sslContext(TestCertificates.clientContext())
                .connectTimeout(Duration.ofSeconds(5)).readTimeout(Duration.ofSeconds(5)).writeTimeout(Duration.ofSeconds(5))
                .protocolLog(log).build();
    }

    /** A loopback port nothing listens on (bound, then released). */
    static int closedPort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Email email() {
        return Email.builder().to("kunde@example.test").subject("Rechnung 4711").text("Guten Tag,\r\nanbei die Rechnung.").build();
    }
}
