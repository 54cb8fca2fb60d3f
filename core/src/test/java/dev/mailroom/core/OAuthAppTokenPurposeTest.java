package dev.mailroom.core;

import dev.mailroom.Account;
import dev.mailroom.AccountId;
import dev.mailroom.Authentication;
import dev.mailroom.FetchSettings;
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

/** An app account that sends through Graph and fetches over IMAP gets a token per resource. */
final class OAuthAppTokenPurposeTest {
    private static final OAuthClientId CLIENT = OAuthClientId.of("contoso-app");
    private final MutableClock clock = new MutableClock(Instant.now());
    private final InMemoryAccountRepository accounts = new InMemoryAccountRepository();
    private final RecordingTransport transport = new RecordingTransport();
    private final List<String> scopes = new CopyOnWriteArrayList<>();

    private final AuthorizationServer server = new AuthorizationServer() {
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
        public TokenResponse clientCredentials(OAuthClient client, String directory, List<String> s, TransportContext context) {
            scopes.add(String.join(" ", s));
            return TokenResponse.builder(AccessToken.of("app-token-" + scopes.size(), clock.instant().plus(Duration.ofHours(1)))).build();
        }
    };

    @Test
    @DisplayName("D5: sending through Graph takes the Graph token, fetching over IMAP the Exchange Online token (IMAP.AccessAsApp), also after a refusal")
    void tokenPerPurpose() {
        accounts.save(Account.builder().id("a").description("a").email("shared@contoso.test").systemAccount(true).sending(SendSettings.graph())
                .fetching(FetchSettings.imap("outlook.office365.com", 993, Security.TLS))
                .authentication(Authentication.microsoftApp("contoso-dir", CLIENT)).build());
        try (Mailroom m = Mailroom.builder().accountRepository(accounts).authorizationServer(server).transport(transport)
                .discoverTransports(false).clock(clock).outboxWorkers(0).build()) {
            m.oauth().registerClient(OAuthClient.builder(CLIENT, "microsoft").clientId("app-id").clientSecret(Secret.of("s3cret"))
                    .redirectUri(URI.create("http://localhost/")).build());
            AccessTokens tokens = transport.context().accessTokens();
            ResolvedAccount a = m.accounts().resolved(AccountId.of("a"));
            AccessToken send = tokens.token(a, AccessTokens.Purpose.SEND);
            AccessToken fetch = tokens.token(a, AccessTokens.Purpose.FETCH);
            assertThat(fetch).isNotEqualTo(send);
            assertThat(tokens.token(a)).isEqualTo(send);
            assertThat(scopes).containsExactly("https://graph.microsoft.com/.default", "https://outlook.office365.com/.default");
            AccessToken again = tokens.refresh(a, AccessTokens.Purpose.FETCH, fetch);
            assertThat(again).isNotEqualTo(fetch).isNotEqualTo(send);
            assertThat(scopes).last().isEqualTo("https://outlook.office365.com/.default");
        }
    }
}
