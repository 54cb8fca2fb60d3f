package dev.mailroom.smtp;

import dev.mailroom.Account;
import dev.mailroom.Authentication;
import dev.mailroom.MailContext;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.OAuthClientId;
import dev.mailroom.Receipt;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Security;
import dev.mailroom.core.InMemoryAccountRepository;
import dev.mailroom.core.Mailroom;
import dev.mailroom.spi.AccessToken;
import dev.mailroom.spi.AccessTokens;
import dev.mailroom.testkit.MailServerExtension;
import dev.mailroom.testkit.ScriptedSmtpServer;
import dev.mailroom.testkit.TestCertificates;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** SMTP and the IMAP Sent copy with XOAUTH2 and the transport context's token source. */
final class SmtpOAuthIT {
    private static final String CANARY = "ya29.CANARY-" + "x".repeat(2_000) + "-END";

    @RegisterExtension
    final MailServerExtension mail = MailServerExtension.builder().user("app@acme.test", "token-1").build();

    private final InMemoryAccountRepository repo = new InMemoryAccountRepository();

    /** Hands out the given tokens in turn (the last repeats); counts calls. */
    static final class CountingTokens implements AccessTokens {
        final List<String> values;
        final AtomicInteger tokenCalls = new AtomicInteger();
        final AtomicInteger refreshCalls = new AtomicInteger();
        final List<String> rejected = new CopyOnWriteArrayList<>();
        private final AtomicInteger next = new AtomicInteger();

        CountingTokens(String... values) {
            this.values = List.of(values);
        }

        private AccessToken nextToken() {
            return AccessToken.of(values.get(Math.min(next.getAndIncrement(), values.size() - 1)));
        }

        @Override
        public AccessToken token(ResolvedAccount account) {
            tokenCalls.incrementAndGet();
            return nextToken();
        }

        @Override
        public AccessToken refresh(ResolvedAccount account, AccessToken rejected) {
            refreshCalls.incrementAndGet();
            this.rejected.add(rejected.reveal());
            return nextToken();
        }
    }

    private static Account.Builder oauthAccount(String host, int port) {
        return SmtpFixtures.systemAccount(host, port, Security.NONE)
                .authentication(Authentication.oauth2("app@acme.test", OAuthClientId.of("google-main")));
    }

    private static Mailroom mailroom(InMemoryAccountRepository repo, AccessTokens tokens, List<String> log) {
        return Mailroom.builder().accountRepository(repo).sslContext(TestCertificates.clientContext()).accessTokens(tokens)
                .connectTimeout(Duration.ofSeconds(5)).readTimeout(Duration.ofSeconds(5)).writeTimeout(Duration.ofSeconds(5))
                .protocolLog((id, line) -> log.add(line)).build();
    }

    private static ScriptedSmtpServer.Builder xoauthServer() {
        return ScriptedSmtpServer.builder().reply(ScriptedSmtpServer.Command.EHLO, "250 scripted.test\n250 AUTH PLAIN LOGIN XOAUTH2\n250 8BITMIME");
    }

    /** The bearer token inside an XOAUTH2 response. */
    private static String bearer(String saslResponse) {
        String decoded = new String(Base64.getDecoder().decode(saslResponse), StandardCharsets.UTF_8);
        assertThat(decoded).startsWith("user=app@acme.test\u0001auth=Bearer ").endsWith("\u0001\u0001");
        return decoded.substring("user=app@acme.test\u0001auth=Bearer ".length(), decoded.length() - 2);
    }

    @Test
    @DisplayName("OAuth: the token from the context's source logs in with XOAUTH2 (GreenMail compares it with the password)")
    void tokenFromSource_logsIn() {
        repo.save(oauthAccount(mail.host(), mail.smtpPort()).build());
        CountingTokens tokens = new CountingTokens("token-1");
        try (Mailroom m = mailroom(repo, tokens, new ArrayList<>())) {
            m.send(MailContext.system(), SmtpFixtures.email());
        }
        assertThat(mail.awaitReceived(1)).hasSize(1);
        assertThat(tokens.tokenCalls).hasValue(1);
        assertThat(tokens.refreshCalls).hasValue(0);
    }

    @Test
    @DisplayName("D4, A9: Microsoft app credentials log in over SMTP with the app's token (XOAUTH2, SMTP.SendAsApp) as the account's mailbox")
    void appCredentials_xoauth2AsTheMailbox() {
        repo.save(SmtpFixtures.systemAccount(mail.host(), mail.smtpPort(), Security.NONE)
                .authentication(Authentication.microsoftApp("contoso-dir", OAuthClientId.of("contoso-app"))).build());
        CountingTokens tokens = new CountingTokens("token-1"); // GreenMail takes it as app@acme.test's password
        try (Mailroom m = mailroom(repo, tokens, new ArrayList<>())) {
            m.send(MailContext.system(), SmtpFixtures.email());
        }
        assertThat(mail.awaitReceived(1)).hasSize(1);
        assertThat(tokens.tokenCalls).hasValue(1);
    }

    @Test
    @DisplayName("OAuth: a 535 makes the source refresh the token once; the second login succeeds and the mail goes out")
    void refused_refreshedOnce_thenSent() {
        try (ScriptedSmtpServer server = xoauthServer()
                .reply(ScriptedSmtpServer.Command.AUTH, "535 5.7.8 Username and Password not accepted", "235 2.7.0 Accepted").build().start()) {
            repo.save(oauthAccount(server.host(), server.port()).build());
            CountingTokens tokens = new CountingTokens("stale", "fresh");
            try (Mailroom m = mailroom(repo, tokens, new ArrayList<>())) {
                m.send(MailContext.system(), SmtpFixtures.email());
            }
            server.received().single();
            assertThat(tokens.tokenCalls).hasValue(1);
            assertThat(tokens.refreshCalls).hasValue(1);
            assertThat(tokens.rejected).containsExactly("stale");
            assertThat(server.saslResponses()).extracting(SmtpOAuthIT::bearer).containsExactly("stale", "fresh");
        }
    }

    @Test
    @DisplayName("OAuth: refused twice is AUTH_FAILED after exactly one refresh; nothing is sent and the token is in no message")
    void refusedTwice_authFailed() {
        try (ScriptedSmtpServer server = xoauthServer()
                .reply(ScriptedSmtpServer.Command.AUTH, "535 5.7.8 Username and Password not accepted").build().start()) {
            repo.save(oauthAccount(server.host(), server.port()).build());
            CountingTokens tokens = new CountingTokens("stale-token-value", "fresh-token-value");
            try (Mailroom m = mailroom(repo, tokens, new ArrayList<>())) {
                assertThatThrownBy(() -> m.send(MailContext.system(), SmtpFixtures.email()))
                        .isInstanceOfSatisfying(MailException.class, e -> {
                            assertThat(e.code()).isEqualTo(MailErrorCode.AUTH_FAILED);
                            assertThat(e.code().category().isAccountProblem()).isTrue();
                            assertThat(e.serverReply()).hasValueSatisfying(r -> assertThat(r).startsWith("535"));
                            assertThat(e.toString() + e.hint()).doesNotContain("token-value");
                        });
            }
            assertThat(tokens.refreshCalls).hasValue(1);
            assertThat(server.commands()).noneMatch(c -> c.startsWith("MAIL"));
            assertThat(server.received().all()).isEmpty();
        }
    }

    @Test
    @DisplayName("OAuth: a failure of the token source keeps its code; no connection is opened, nothing is sent")
    void tokenSourceFails_itsCode_nothingSent() {
        try (ScriptedSmtpServer server = xoauthServer().build().start()) {
            repo.save(oauthAccount(server.host(), server.port()).build());
            AccessTokens revoked = new AccessTokens() {
                @Override
                public AccessToken token(ResolvedAccount account) {
                    throw new MailException(MailErrorCode.ACCESS_TOKEN_UNAVAILABLE, "the grant was revoked");
                }

                @Override
                public AccessToken refresh(ResolvedAccount account, AccessToken rejected) {
                    throw new AssertionError("no token was handed out, so none can be refused");
                }
            };
            try (Mailroom m = mailroom(repo, revoked, new ArrayList<>())) {
                assertThatThrownBy(() -> m.send(MailContext.system(), SmtpFixtures.email()))
                        .isInstanceOfSatisfying(MailException.class, e -> assertThat(e.code()).isEqualTo(MailErrorCode.ACCESS_TOKEN_UNAVAILABLE));
            }
            assertThat(server.commands()).noneMatch(c -> c.startsWith("MAIL"));
            assertThat(server.received().all()).isEmpty();
        }
    }

    @Test
    @DisplayName("OAuth: a pooled connection stays usable after its token expired; a new connection gets a fresh token")
    void pooledConnection_acrossExpiry() {
        try (ScriptedSmtpServer server = xoauthServer()
                .reply(ScriptedSmtpServer.Command.MAIL, "250 2.1.0 Ok", "250 2.1.0 Ok",
                        ScriptedSmtpServer.andDrop("421 4.4.2 idle too long, closing"), "250 2.1.0 Ok").build().start()) {
            repo.save(oauthAccount(server.host(), server.port()).build());
            CountingTokens tokens = new CountingTokens("token-before-expiry", "token-after-expiry");
            try (Mailroom m = mailroom(repo, tokens, new ArrayList<>())) {
                m.send(MailContext.system(), SmtpFixtures.email());
                m.send(MailContext.system(), SmtpFixtures.email()); // same connection: no new login, no token
                assertThat(tokens.tokenCalls).hasValue(1);
                m.send(MailContext.system(), SmtpFixtures.email()); // the server dropped it: a new connection, a new token
            }
            server.received().await(3, Duration.ofSeconds(5));
            assertThat(server.connections()).isEqualTo(2);
            assertThat(tokens.tokenCalls).hasValue(2);
            assertThat(tokens.refreshCalls).hasValue(0);
            assertThat(server.saslResponses()).extracting(SmtpOAuthIT::bearer).containsExactly("token-before-expiry", "token-after-expiry");
        }
    }

    @Test
    @DisplayName("OAuth: a 2 KB token uses the two-line AUTH form; the canary token appears nowhere in the protocol log")
    void longToken_twoLineForm_notInProtocolLog() {
        try (ScriptedSmtpServer server = xoauthServer()
                .reply(ScriptedSmtpServer.Command.AUTH, "535 5.7.8 not accepted", "235 2.7.0 Accepted").build().start()) {
            repo.save(oauthAccount(server.host(), server.port()).debug(true).build());
            CountingTokens tokens = new CountingTokens(CANARY + "-1", CANARY + "-2");
            List<String> log = new CopyOnWriteArrayList<>();
            try (Mailroom m = mailroom(repo, tokens, log)) {
                m.send(MailContext.system(), SmtpFixtures.email());
            }
            server.received().single();
            assertThat(server.commands()).filteredOn(c -> c.startsWith("AUTH")).containsOnly("AUTH XOAUTH2");
            assertThat(server.saslResponses()).extracting(SmtpOAuthIT::bearer).containsExactly(CANARY + "-1", CANARY + "-2");
            String all = String.join("\n", log);
            assertThat(log).isNotEmpty().anyMatch(l -> l.startsWith("AUTH XOAUTH2"));
            assertThat(all).doesNotContain("CANARY").doesNotContain("xxxxxxxxxx");
            for (String response : server.saslResponses()) {
                assertThat(all).doesNotContain(response.substring(0, 40));
            }
        }
    }

    @Test
    @DisplayName("OAuth: the connection test logs in with XOAUTH2 and the source's token; the token is not in its transcript")
    void diagnose_logsInWithToken() {
        CountingTokens tokens = new CountingTokens("token-1");
        dev.mailroom.Diagnosis d;
        try (Mailroom m = mailroom(repo, tokens, new ArrayList<>())) {
            d = m.diagnose(oauthAccount(mail.host(), mail.smtpPort()).build());
        }
        assertThat(d.failure()).isEmpty();
        assertThat(d.step(dev.mailroom.DiagnosisStep.Stage.AUTH).orElseThrow().outcome()).isEqualTo(dev.mailroom.DiagnosisStep.Outcome.PASSED);
        // Mailroom's token stage asks first, then the SMTP login (a caching source answers the second from its cache)
        assertThat(tokens.tokenCalls).hasValue(2);
        assertThat(d.step(dev.mailroom.DiagnosisStep.Stage.TOKEN).orElseThrow().outcome()).isEqualTo(dev.mailroom.DiagnosisStep.Outcome.PASSED);
        assertThat(d.transcript()).anyMatch(l -> l.startsWith("AUTH XOAUTH2")).noneMatch(l -> l.contains("token-1"));
    }

    @Test
    @DisplayName("D5, B6: the copy to the IMAP Sent folder logs in with XOAUTH2 and the source's token")
    void sentCopy_viaXoauth2() {
        repo.save(oauthAccount(mail.host(), mail.smtpPort()).imap(mail.host(), mail.imapPort(), Security.NONE)
                .copyToSent(true, "Sent").debug(true).build());
        CountingTokens tokens = new CountingTokens("token-1");
        List<String> log = new CopyOnWriteArrayList<>();
        Receipt r;
        try (Mailroom m = mailroom(repo, tokens, log)) {
            r = m.send(MailContext.system(), SmtpFixtures.email());
        }
        assertThat(r.sentCopyFailure()).isEmpty();
        assertThat(r.sentCopyFolder()).contains("Sent");
        assertThat(tokens.tokenCalls).hasValue(2); // one for SMTP, one for IMAP
        assertThat(log).anyMatch(l -> l.contains("XOAUTH2")).noneMatch(l -> l.contains("token-1"));
    }
}
