package dev.mailroom.smtp;

import dev.mailroom.MailContext;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Security;
import dev.mailroom.core.InMemoryAccountRepository;
import dev.mailroom.core.Mailroom;
import dev.mailroom.spi.AccountTls;
import dev.mailroom.testkit.SmtpTestServer;
import dev.mailroom.testkit.TestCertificates;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** TLS per account from the builder: own trust material, and a verification name other than the connect host (review of #11). */
final class SmtpTlsServerNameIT {
    /** The name in {@link TestCertificates#wrongNameServerContext()}'s certificate; it does not name 127.0.0.1. */
    private static final String CERT_NAME = "mail.wrong-name.example";

    private final InMemoryAccountRepository repo = new InMemoryAccountRepository();

    private static SmtpTestServer server(SmtpTestServer.Tls tls) {
        return SmtpTestServer.builder().tls(tls).certificate(TestCertificates.wrongNameServerContext()).build().start();
    }

    /** The Mailroom-wide context trusts the test certificates; {@code tls} adds the verification name. */
    private Mailroom mailroom(Function<ResolvedAccount, AccountTls> tls) {
        return Mailroom.builder().accountRepository(repo).connectTimeout(Duration.ofSeconds(5)).readTimeout(Duration.ofSeconds(5))
                .writeTimeout(Duration.ofSeconds(5)).sslContext(TestCertificates.clientContext()).accountTls(tls).build();
    }

    @ParameterizedTest
    @EnumSource(value = SmtpTestServer.Tls.class, names = {"STARTTLS", "IMPLICIT"})
    @DisplayName("#11 review: a certificate issued for name X, reached at 127.0.0.1, is accepted when the account's verification name is X")
    void verificationName_matches_delivers(SmtpTestServer.Tls tls) {
        try (SmtpTestServer server = server(tls)) {
            repo.save(SmtpFixtures.systemAccount("127.0.0.1", server.port(), security(tls)).build());
            try (Mailroom m = mailroom(account -> AccountTls.mailroomWide().verifyAs(CERT_NAME))) {
                m.send(MailContext.system(), SmtpFixtures.email());
            }
            server.received().single().assertSubject("Rechnung 4711");
        }
    }

    @ParameterizedTest
    @EnumSource(value = SmtpTestServer.Tls.class, names = {"STARTTLS", "IMPLICIT"})
    @DisplayName("#11 review: without a verification name, or with another one, the same certificate is a name mismatch and nothing is sent")
    void noOrOtherVerificationName_mismatch(SmtpTestServer.Tls tls) {
        try (SmtpTestServer server = server(tls)) {
            repo.save(SmtpFixtures.systemAccount("127.0.0.1", server.port(), security(tls)).build());
            for (Function<ResolvedAccount, AccountTls> policy : List.<Function<ResolvedAccount, AccountTls>>of(
                    account -> AccountTls.mailroomWide(), account -> AccountTls.mailroomWide().verifyAs("other.example"))) {
                try (Mailroom m = mailroom(policy)) {
                    assertThatThrownBy(() -> m.send(MailContext.system(), SmtpFixtures.email()))
                            .isInstanceOfSatisfying(MailException.class, e -> assertThat(e.code()).as(e.toString())
                                    .isEqualTo(MailErrorCode.CERTIFICATE_NAME_MISMATCH));
                }
            }
            server.received().assertNone();
        }
    }

    @Test
    @DisplayName("#11 review: an account's own trust material comes from the builder; a new context per call under one key keeps the pooled connection")
    void ownTrustPerAccount_stableKey_noPoolChurn() {
        try (SmtpTestServer server = server(SmtpTestServer.Tls.STARTTLS)) {
            repo.save(SmtpFixtures.systemAccount("127.0.0.1", server.port(), Security.STARTTLS).debug(true).build());
            AtomicInteger calls = new AtomicInteger();
            CopyOnWriteArrayList<String> dialog = new CopyOnWriteArrayList<>();
            // Only the account's own context trusts the certificate: the Mailroom-wide one is the JVM's.
            try (Mailroom m = Mailroom.builder().accountRepository(repo).connectTimeout(Duration.ofSeconds(5)).readTimeout(Duration.ofSeconds(5))
                    .writeTimeout(Duration.ofSeconds(5)).protocolLog((id, line) -> dialog.add(line))
                    .accountTls(account -> {
                        calls.incrementAndGet();
                        return AccountTls.trust("tenant-ca-1", TestCertificates.clientContext()).verifyAs(CERT_NAME);
                    }).build()) {
                for (int i = 0; i < 3; i++) {
                    m.send(MailContext.system(), SmtpFixtures.email());
                    repo.save(repo.findAll().get(0)); // unchanged, but resolved anew: the transport asks for the account's TLS again
                }
            }
            server.received().await(3, Duration.ofSeconds(10));
            assertThat(calls.get()).as("the TLS function was asked again after each change").isGreaterThanOrEqualTo(3);
            assertThat(dialog.stream().filter("STARTTLS"::equals).count())
                    .as("one TLS connection for three messages: %s", dialog).isEqualTo(1);
        }
    }

    private static Security security(SmtpTestServer.Tls tls) {
        return tls == SmtpTestServer.Tls.IMPLICIT ? Security.TLS : Security.STARTTLS;
    }
}
