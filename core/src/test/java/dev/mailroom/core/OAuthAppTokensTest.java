package dev.mailroom.core;

import dev.mailroom.Account;
import dev.mailroom.AccountId;
import dev.mailroom.Authentication;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.OAuthClient;
import dev.mailroom.OAuthClientId;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Secret;
import dev.mailroom.Security;
import dev.mailroom.SendSettings;
import dev.mailroom.spi.AccessToken;
import dev.mailroom.spi.AccessTokens;
import dev.mailroom.spi.AuthorizationServer;
import dev.mailroom.spi.ConsentRequest;
import dev.mailroom.spi.TokenResponse;
import dev.mailroom.spi.TransportContext;
import dev.mailroom.testkit.RecordingTransport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Application tokens (Microsoft 365 app credentials) from core's token source: scope by transport, shared per app, classified failures. */
final class OAuthAppTokensTest {
    private static final OAuthClientId CLIENT = OAuthClientId.of("contoso-app");
    private final MutableClock clock = new MutableClock(Instant.now());
    private final InMemoryAccountRepository accounts = new InMemoryAccountRepository();
    private final AppServer server = new AppServer();
    private final RecordingTransport transport = new RecordingTransport();

    /** A provider that issues numbered one-hour app tokens, or fails as scripted. */
    private final class AppServer implements AuthorizationServer {
        final List<String> calls = new CopyOnWriteArrayList<>();
        volatile MailException fail;

        @Override
        public String provider() {
            return "microsoft";
        }

        @Override
        public URI consentUrl(OAuthClient client, ConsentRequest request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public TokenResponse exchange(OAuthClient client, String code, Secret codeVerifier, TransportContext context) {
            throw new UnsupportedOperationException();
        }

        @Override
        public TokenResponse refresh(OAuthClient client, Secret refreshToken, TransportContext context) {
            throw new UnsupportedOperationException();
        }

        @Override
        public TokenResponse clientCredentials(OAuthClient client, String directory, List<String> scopes, TransportContext context) {
            calls.add(directory + " " + client.clientId() + " " + String.join(" ", scopes));
            if (fail != null) {
                throw fail;
            }
            return TokenResponse.builder(AccessToken.of("app-token-" + calls.size(), clock.instant().plus(Duration.ofHours(1)))).build();
        }
    }

    private static Account account(String id, String address, SendSettings sending) {
        return Account.builder().id(id).description(id).email(address).systemAccount("a".equals(id)).sending(sending)
                .authentication(Authentication.microsoftApp("contoso-dir", CLIENT)).build();
    }

    private Mailroom mailroom() {
        Mailroom m = Mailroom.builder().accountRepository(accounts).authorizationServer(server).transport(transport)
                .discoverTransports(false).clock(clock).outboxWorkers(0).build();
        m.oauth().registerClient(OAuthClient.builder(CLIENT, "microsoft").clientId("app-id").clientSecret(Secret.of("s3cret"))
                .redirectUri(URI.create("http://localhost/")).build());
        return m;
    }

    @Test
    @DisplayName("D4 D5: app tokens are per directory, client and scope: Graph accounts get graph .default, SMTP/IMAP accounts outlook .default; accounts of one app share them until the refresh margin")
    void scopedSharedCached() {
        accounts.save(account("a", "a@contoso.test", SendSettings.graph()));
        accounts.save(account("b", "b@contoso.test", SendSettings.graph()));
        accounts.save(account("c", "c@contoso.test", SendSettings.smtp("smtp.office365.com", 587, Security.STARTTLS)));
        try (Mailroom m = mailroom()) {
            AccessTokens tokens = transport.context().accessTokens();
            ResolvedAccount a = m.accounts().resolved(AccountId.of("a"));
            ResolvedAccount b = m.accounts().resolved(AccountId.of("b"));
            ResolvedAccount c = m.accounts().resolved(AccountId.of("c"));
            AccessToken ta = tokens.token(a);
            assertThat(tokens.token(b)).isEqualTo(ta);
            AccessToken tc = tokens.token(c);
            assertThat(tc).isNotEqualTo(ta);
            assertThat(server.calls).containsExactly("contoso-dir app-id https://graph.microsoft.com/.default",
                    "contoso-dir app-id https://outlook.office365.com/.default");
            clock.advance(Duration.ofMinutes(52));
            assertThat(tokens.token(a)).isEqualTo(ta);
            clock.advance(Duration.ofMinutes(2).plusSeconds(1)); // inside the margin
            assertThat(tokens.token(a)).isNotEqualTo(ta);
            assertThat(server.calls).hasSize(3);
            AccessToken current = tokens.token(b);
            assertThat(tokens.refresh(b, current)).isNotEqualTo(current); // a server refused it: fetched again
            assertThat(server.calls).hasSize(4);
        }
    }

    @Test
    @DisplayName("D5: sending through Graph takes the Graph token, fetching over IMAP the Exchange Online token (IMAP.AccessAsApp), also after a refusal")
    void tokenPerPurpose() {
        accounts.save(Account.builder().id("a").description("a").email("shared@contoso.test").systemAccount(true).sending(SendSettings.graph())
                .fetching(dev.mailroom.FetchSettings.imap("outlook.office365.com", 993, Security.TLS))
                .authentication(Authentication.microsoftApp("contoso-dir", CLIENT)).build());
        try (Mailroom m = mailroom()) {
            AccessTokens tokens = transport.context().accessTokens();
            ResolvedAccount a = m.accounts().resolved(AccountId.of("a"));
            AccessToken send = tokens.token(a, AccessTokens.Purpose.SEND);
            AccessToken fetch = tokens.token(a, AccessTokens.Purpose.FETCH);
            assertThat(fetch).isNotEqualTo(send);
            assertThat(tokens.token(a)).isEqualTo(send);
            assertThat(server.calls).containsExactly("contoso-dir app-id https://graph.microsoft.com/.default",
                    "contoso-dir app-id https://outlook.office365.com/.default");
            AccessToken again = tokens.refresh(a, AccessTokens.Purpose.FETCH, fetch);
            assertThat(again).isNotEqualTo(fetch).isNotEqualTo(send);
            assertThat(server.calls).last().isEqualTo("contoso-dir app-id https://outlook.office365.com/.default");
        }
    }

    @Test
    @DisplayName("D4: a refused client is OAUTH_CLIENT_REJECTED and not asked again at once; an unavailable provider leaves a still-valid token in use")
    void failuresClassified() {
        accounts.save(account("a", "a@contoso.test", SendSettings.graph()));
        try (Mailroom m = mailroom()) {
            AccessTokens tokens = transport.context().accessTokens();
            ResolvedAccount a = m.accounts().resolved(AccountId.of("a"));
            AccessToken first = tokens.token(a);
            clock.advance(Duration.ofMinutes(55));
            server.fail = new MailException(MailErrorCode.OAUTH_PROVIDER_UNAVAILABLE, "503", null, Duration.ofSeconds(30), null);
            assertThat(tokens.token(a)).as("still valid for 5 minutes: kept").isEqualTo(first);
            clock.advance(Duration.ofMinutes(6));
            server.fail = new MailException(MailErrorCode.OAUTH_CLIENT_REJECTED, "AADSTS7000222 expired");
            MailException e = catchThrowableOfType(MailException.class, () -> tokens.token(a));
            assertThat(e.code()).isEqualTo(MailErrorCode.OAUTH_CLIENT_REJECTED);
            int calls = server.calls.size();
            assertThat(catchThrowableOfType(MailException.class, () -> tokens.token(a)).code()).isEqualTo(MailErrorCode.OAUTH_CLIENT_REJECTED);
            assertThat(server.calls).hasSize(calls);
        }
    }
}
