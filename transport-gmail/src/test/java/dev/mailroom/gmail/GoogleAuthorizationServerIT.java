package dev.mailroom.gmail;

import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.OAuthClient;
import dev.mailroom.OAuthClientId;
import dev.mailroom.Secret;
import dev.mailroom.spi.AuthorizationServer;
import dev.mailroom.spi.ConsentRequest;
import dev.mailroom.spi.TokenResponse;
import dev.mailroom.spi.TransportContext;
import dev.mailroom.testkit.FakeGoogleAuthServer;
import dev.mailroom.testkit.FakeGoogleAuthServer.TokenFailure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Google's OAuth protocol against the testkit's fake Google authorization server. */
final class GoogleAuthorizationServerIT {
    private static final String SEND = GoogleAuthorizationServer.GMAIL_SEND_SCOPE;
    private static final String SECRET = "client-secret-XYZ";
    private static final String VERIFIER = "verifier-0123456789-0123456789-0123456789-0123456789";
    private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");

    private final FakeGoogleAuthServer google = FakeGoogleAuthServer.start().client("client-1.apps.googleusercontent.com", SECRET);
    private final AuthorizationServer server = new GoogleAuthorizationServer();
    private final TransportContext context = TransportContext.builder().timeouts(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2))
            .clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();

    @AfterEach
    void stop() {
        google.close();
    }

    private OAuthClient client(String secret) {
        return OAuthClient.builder(OAuthClientId.of("acme-google"), "google").clientId("client-1.apps.googleusercontent.com")
                .clientSecret(Secret.of(secret)).redirectUri(URI.create("https://erp.example/oauth/callback")).scopes(List.of(SEND))
                .endpoints(google.authorizationEndpoint(), google.tokenEndpoint()).build();
    }

    private static ConsentRequest request() {
        return new ConsentRequest("state-42", FakeGoogleAuthServer.s256(VERIFIER), "max@example.test", List.of(SEND, "openid", "email"));
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String pair : uri.getRawQuery().split("&")) {
            String[] kv = pair.split("=", 2);
            m.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8), URLDecoder.decode(kv.length > 1 ? kv[1] : "", StandardCharsets.UTF_8));
        }
        return m;
    }

    private TokenResponse connect(List<String> granted) {
        URI consent = server.consentUrl(client(SECRET), request());
        FakeGoogleAuthServer.Approval a = google.approve(consent, "max@example.test", granted);
        assertEquals("state-42", a.state());
        return server.exchange(client(SECRET), a.code(), Secret.of(VERIFIER), context);
    }

    @Test
    @DisplayName("#12 the service loader finds the google authorization server")
    void serviceLoader() {
        assertTrue(ServiceLoader.load(AuthorizationServer.class).stream().anyMatch(p -> p.type() == GoogleAuthorizationServer.class));
        assertEquals("google", server.provider());
        assertEquals(List.of("openid", "email"), server.identityScopes());
    }

    @Test
    @DisplayName("#12 the consent URL carries every parameter: code flow, client, redirect, scopes with openid email, state, PKCE S256, offline, consent, login hint")
    void consentUrl_parameters() {
        URI url = server.consentUrl(client(SECRET), request());
        assertEquals(google.authorizationEndpoint().getPath(), url.getPath());
        Map<String, String> q = query(url);
        assertEquals("code", q.get("response_type"));
        assertEquals("client-1.apps.googleusercontent.com", q.get("client_id"));
        assertEquals("https://erp.example/oauth/callback", q.get("redirect_uri"));
        assertEquals(Set.of(SEND, "openid", "email"), Set.of(q.get("scope").split(" ")));
        assertEquals("state-42", q.get("state"));
        assertEquals(FakeGoogleAuthServer.s256(VERIFIER), q.get("code_challenge"));
        assertEquals("S256", q.get("code_challenge_method"));
        assertEquals("offline", q.get("access_type"));
        assertEquals("consent", q.get("prompt"));
        assertEquals("max@example.test", q.get("login_hint"));
        assertEquals("true", q.get("include_granted_scopes"));
        assertFalse(q.containsKey("approval_prompt"), "Google refuses approval_prompt next to prompt");
        assertFalse(url.toString().contains(SECRET), "the client secret is never in a URL");
    }

    @Test
    @DisplayName("#12 the consent URL goes to Google's endpoint unless the client overrides it")
    void consentUrl_defaultEndpoint() {
        OAuthClient plain = OAuthClient.builder(OAuthClientId.of("g"), "google").clientId("c").clientSecret(Secret.of("s"))
                .redirectUri(URI.create("https://erp.example/cb")).build();
        assertTrue(server.consentUrl(plain, request()).toString().startsWith("https://accounts.google.com/o/oauth2/v2/auth?"));
    }

    @Test
    @DisplayName("#12 exchange: access token with expiry, refresh token, granted scopes, and the verified mailbox from the id token")
    void exchange_tokensAndIdentity() {
        TokenResponse t = connect(List.of(SEND, "openid", "email"));
        assertEquals(google.issuedAccessTokens().get(0), t.accessToken().reveal());
        assertEquals(NOW.plusSeconds(3599), t.accessToken().expiresAt().orElseThrow());
        assertTrue(t.refreshToken().orElseThrow().reveal().startsWith("1//fake-refresh-"));
        assertEquals(Set.of(SEND, "openid", "email"), t.grantedScopes());
        TokenResponse.GrantedIdentity id = t.identity().orElseThrow();
        assertEquals("max@example.test", id.email());
        assertTrue(id.verified());
        assertEquals(1, google.exchanges());
        assertFalse(t.toString().contains(t.accessToken().reveal()));
    }

    @Test
    @DisplayName("#12 exchange: an unverified address is reported as such; scopes the user unticked are missing from the response")
    void exchange_unverifiedAndFewerScopes() {
        google.emailVerified(false);
        TokenResponse t = connect(List.of("openid", "email"));
        assertFalse(t.identity().orElseThrow().verified());
        assertEquals(Set.of("openid", "email"), t.grantedScopes());
    }

    @Test
    @DisplayName("D2: an id token not issued by Google for this client (another issuer or audience) says nothing about who consented: refused")
    void exchange_foreignIdToken_refused() {
        google.foreignIdTokens("https://accounts.google.com", "another-app.apps.googleusercontent.com");
        MailException e = org.junit.jupiter.api.Assertions.assertThrows(MailException.class, () -> connect(List.of(SEND, "openid", "email")));
        assertEquals(MailErrorCode.OAUTH_WRONG_ACCOUNT, e.code());
        google.foreignIdTokens("https://evil.example", "client-1.apps.googleusercontent.com");
        assertEquals(MailErrorCode.OAUTH_WRONG_ACCOUNT,
                org.junit.jupiter.api.Assertions.assertThrows(MailException.class, () -> connect(List.of(SEND, "openid", "email"))).code());
    }

    @Test
    @DisplayName("#12 exchange with a wrong PKCE verifier: invalid_grant, OAUTH_GRANT_REVOKED; the verifier and code are in no message")
    void exchange_wrongVerifier() {
        URI consent = server.consentUrl(client(SECRET), request());
        FakeGoogleAuthServer.Approval a = google.approve(consent, "max@example.test", List.of(SEND));
        MailException e = assertThrows(MailException.class, () -> server.exchange(client(SECRET), a.code(), Secret.of("wrong-verifier"), context));
        assertEquals(MailErrorCode.OAUTH_GRANT_REVOKED, e.code());
        assertNoSecrets(e, a.code(), "wrong-verifier", SECRET);
    }

    @Test
    @DisplayName("#12 revoke: a refresh token revoked at Google's revocation endpoint (next to the token endpoint) is refused afterwards")
    void revoke_endsTheGrant() {
        Secret refresh = connect(List.of(SEND)).refreshToken().orElseThrow();
        server.revoke(client(SECRET), refresh, context);
        MailException e = assertThrows(MailException.class, () -> server.refresh(client(SECRET), refresh, context));
        assertEquals(MailErrorCode.OAUTH_GRANT_REVOKED, e.code());
        MailException again = assertThrows(MailException.class, () -> server.revoke(client(SECRET), refresh, context));
        assertNoSecrets(again, refresh.reveal(), SECRET);
    }

    @Test
    @DisplayName("#12 refresh: a new access token; with rotation the new refresh token is returned")
    void refresh_rotation() {
        TokenResponse first = connect(List.of(SEND));
        Secret refresh = first.refreshToken().orElseThrow();
        TokenResponse plain = server.refresh(client(SECRET), refresh, context);
        assertNotEquals(first.accessToken().reveal(), plain.accessToken().reveal());
        assertTrue(plain.refreshToken().isEmpty(), "Google keeps the refresh token");
        google.rotateRefreshTokens(true);
        TokenResponse rotated = server.refresh(client(SECRET), refresh, context);
        Secret next = rotated.refreshToken().orElseThrow();
        assertNotEquals(refresh.reveal(), next.reveal());
        MailException old = assertThrows(MailException.class, () -> server.refresh(client(SECRET), refresh, context));
        assertEquals(MailErrorCode.OAUTH_GRANT_REVOKED, old.code(), "the rotated-out token is dead");
        server.refresh(client(SECRET), next, context);
        assertEquals(3, google.refreshes());
    }

    @Test
    @DisplayName("#12 refresh errors: invalid_grant → GRANT_REVOKED, invalid_client → CLIENT_REJECTED, 429/500/temporarily_unavailable → PROVIDER_UNAVAILABLE with Retry-After")
    void refresh_errorsClassified() {
        Secret refresh = connect(List.of(SEND)).refreshToken().orElseThrow();
        google.failNextToken(TokenFailure.invalidGrant());
        assertEquals(MailErrorCode.OAUTH_GRANT_REVOKED, refreshFails(refresh).code());
        google.failNextToken(TokenFailure.invalidClient());
        assertEquals(MailErrorCode.OAUTH_CLIENT_REJECTED, refreshFails(refresh).code());
        google.failNextToken(TokenFailure.error(401, "unauthorized_client", "Unauthorized"));
        assertEquals(MailErrorCode.OAUTH_CLIENT_REJECTED, refreshFails(refresh).code());
        google.failNextToken(TokenFailure.status(429).retryAfter("17"));
        MailException busy = refreshFails(refresh);
        assertEquals(MailErrorCode.OAUTH_PROVIDER_UNAVAILABLE, busy.code());
        assertEquals(Duration.ofSeconds(17), busy.retryAfter().orElseThrow());
        google.failNextToken(TokenFailure.status(500));
        MailException down = refreshFails(refresh);
        assertEquals(MailErrorCode.OAUTH_PROVIDER_UNAVAILABLE, down.code());
        assertTrue(down.isRetryable());
        google.failNextToken(TokenFailure.error(503, "temporarily_unavailable", "try later").retryAfter("3"));
        assertEquals(Duration.ofSeconds(3), refreshFails(refresh).retryAfter().orElseThrow());
        for (MailException e : List.of(busy, down)) {
            assertNoSecrets(e, refresh.reveal(), SECRET);
        }
    }

    @Test
    @DisplayName("#12 a wrong client secret: invalid_client, OAUTH_CLIENT_REJECTED, and the secret is in no message")
    void wrongSecret_clientRejected() {
        URI consent = server.consentUrl(client("wrong-secret"), request());
        FakeGoogleAuthServer.Approval a = google.approve(consent, "max@example.test", List.of(SEND));
        MailException e = assertThrows(MailException.class, () -> server.exchange(client("wrong-secret"), a.code(), Secret.of(VERIFIER), context));
        assertEquals(MailErrorCode.OAUTH_CLIENT_REJECTED, e.code());
        assertNoSecrets(e, "wrong-secret", a.code(), VERIFIER);
    }

    @Test
    @DisplayName("#12 an unreachable token endpoint: OAUTH_PROVIDER_UNAVAILABLE within the timeouts")
    void unreachable() {
        int port = GmailFixtures.closedPort();
        OAuthClient c = client(SECRET).toBuilder().endpoints(google.authorizationEndpoint(), URI.create("http://127.0.0.1:" + port + "/token")).build();
        MailException e = assertThrows(MailException.class, () -> server.refresh(c, Secret.of("1//r"), context));
        assertEquals(MailErrorCode.OAUTH_PROVIDER_UNAVAILABLE, e.code());
        assertNoSecrets(e, "1//r", SECRET);
    }

    private MailException refreshFails(Secret refresh) {
        return assertThrows(MailException.class, () -> server.refresh(client(SECRET), refresh, context));
    }

    private static void assertNoSecrets(MailException e, String... secrets) {
        StringBuilder all = new StringBuilder(e.toString()).append(e.serverReply().orElse("")).append(e.hint());
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            all.append(c);
        }
        for (String s : secrets) {
            assertFalse(all.toString().contains(s), "a secret value appears in " + all);
        }
    }

    @Test
    @DisplayName("#12 with Google's HTTP logging switched to ALL, no secret, code, verifier or token reaches the log")
    void httpLogging_neverShowsSecrets() {
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger("com.google.api.client.http.HttpTransport");
        StringBuilder logged = new StringBuilder();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                logged.append(r.getMessage()).append('\n');
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        capture.setLevel(java.util.logging.Level.ALL);
        java.util.logging.Level before = logger.getLevel();
        logger.setLevel(java.util.logging.Level.ALL);
        logger.addHandler(capture);
        try {
            URI consent = server.consentUrl(client(SECRET), request());
            FakeGoogleAuthServer.Approval a = google.approve(consent, "max@example.test", List.of(SEND));
            TokenResponse t = server.exchange(client(SECRET), a.code(), Secret.of(VERIFIER), context);
            TokenResponse r = server.refresh(client(SECRET), t.refreshToken().orElseThrow(), context);
            for (String s : List.of(SECRET, a.code(), VERIFIER, t.refreshToken().orElseThrow().reveal(), t.accessToken().reveal(),
                    r.accessToken().reveal())) {
                assertFalse(logged.toString().contains(s), "logged: " + logged);
            }
        } finally {
            logger.removeHandler(capture);
            logger.setLevel(before);
        }
    }

    @Test
    @DisplayName("#12 the fake's consent page approves as the login hint and redirects with code and state, as a browser would see it")
    void browserConsent_redirect() throws Exception {
        URI consent = server.consentUrl(client(SECRET), request());
        java.net.http.HttpResponse<Void> r = java.net.http.HttpClient.newBuilder().followRedirects(java.net.http.HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(2)).build()
                .send(java.net.http.HttpRequest.newBuilder(consent).timeout(Duration.ofSeconds(2)).build(),
                        java.net.http.HttpResponse.BodyHandlers.discarding());
        assertEquals(302, r.statusCode());
        URI back = URI.create(r.headers().firstValue("Location").orElseThrow());
        assertTrue(back.toString().startsWith("https://erp.example/oauth/callback?"));
        Map<String, String> q = query(back);
        assertEquals("state-42", q.get("state"));
        TokenResponse t = server.exchange(client(SECRET), q.get("code"), Secret.of(VERIFIER), context);
        assertEquals("max@example.test", t.identity().orElseThrow().email());
        assertEquals(1, google.consents().size());
    }
}
