package dev.mailroom.graph;

import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.OAuthClient;
import dev.mailroom.spi.AuthorizationServer;
import dev.mailroom.spi.TokenResponse;
import dev.mailroom.spi.TransportContext;
import dev.mailroom.testkit.FakeMicrosoftIdentity;
import dev.mailroom.testkit.FakeMicrosoftIdentity.TokenFailure;
import dev.mailroom.testkit.TestCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.ServiceLoader;

import static dev.mailroom.graph.GraphFixtures.APP_ID;
import static dev.mailroom.graph.GraphFixtures.DIRECTORY;
import static dev.mailroom.graph.GraphFixtures.SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Microsoft identity platform's client credentials grant through msal4j, against the testkit's fake. */
final class MicrosoftAuthorizationServerIT {
    private static final List<String> GRAPH = List.of("https://graph.microsoft.com/.default");

    private final FakeMicrosoftIdentity identity = FakeMicrosoftIdentity.start().directory(DIRECTORY).app(APP_ID, SECRET, "Mail.Send", "User.Read.All");
    private final AuthorizationServer server = new MicrosoftAuthorizationServer();
    private final TransportContext context = TransportContext.builder().timeouts(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2))
            .tls(TestCertificates.clientContext()).build();

    @AfterEach
    void stop() {
        identity.close();
    }

    private OAuthClient client() {
        return GraphFixtures.client(identity, SECRET);
    }

    private MailException refused(OAuthClient client, String directory) {
        MailException e = assertThrows(MailException.class, () -> server.clientCredentials(client, directory, GRAPH, context));
        assertFalse(e.toString().contains(SECRET) || String.valueOf(e.serverReply().orElse("")).contains(SECRET)
                || String.valueOf(e.hint()).contains(SECRET), "no secret in " + e);
        return e;
    }

    @Test
    @DisplayName("D4: the service loader finds the microsoft authorization server")
    void discovered() {
        assertTrue(ServiceLoader.load(AuthorizationServer.class).stream().anyMatch(p -> p.type() == MicrosoftAuthorizationServer.class));
        assertEquals("microsoft", server.provider());
    }

    @Test
    @DisplayName("D4: client credentials: one token request to the directory's token endpoint with the .default scope; the token and its expiry come back")
    void clientCredentials_token() {
        TokenResponse r = server.clientCredentials(client(), DIRECTORY, GRAPH, context);
        assertEquals(identity.issuedAccessTokens().get(0), r.accessToken().reveal());
        assertTrue(r.refreshToken().isEmpty());
        Instant expires = r.accessToken().expiresAt().orElseThrow();
        assertTrue(expires.isAfter(Instant.now().plus(Duration.ofMinutes(55))), expires::toString);
        assertEquals(1, identity.tokenCalls());
        FakeMicrosoftIdentity.TokenRequest q = identity.requests().get(0);
        assertEquals(List.of(DIRECTORY, APP_ID, "client_credentials"), List.of(q.directory(), q.clientId(), q.grantType()));
        assertTrue(q.scope().contains("https://graph.microsoft.com/.default"), q.scope());
    }

    @Test
    @DisplayName("D4: each call asks Microsoft again (Mailroom's core caches), so a token Graph refused is never handed back")
    void clientCredentials_noHiddenCache() {
        String first = server.clientCredentials(client(), DIRECTORY, GRAPH, context).accessToken().reveal();
        String second = server.clientCredentials(client(), DIRECTORY, GRAPH, context).accessToken().reveal();
        assertFalse(first.equals(second));
        assertEquals(2, identity.tokenCalls());
    }

    @Test
    @DisplayName("D4: a wrong client secret (AADSTS7000215) is OAUTH_CLIENT_REJECTED with a hint that says the secret is wrong; no secret in the message")
    void wrongSecret() {
        MailException e = refused(GraphFixtures.client(identity, "wrong-secret-value"), DIRECTORY);
        assertEquals(MailErrorCode.OAUTH_CLIENT_REJECTED, e.code(), e.toString());
        assertTrue(e.getMessage().contains("AADSTS7000215") && e.hint().contains("secret is wrong"), e.getMessage() + " / " + e.hint());
        assertFalse(e.toString().contains("wrong-secret-value"));
    }

    @Test
    @DisplayName("D4: an expired client secret (AADSTS7000222) is OAUTH_CLIENT_REJECTED with a hint that says it expired")
    void expiredSecret() {
        identity.expireSecret(APP_ID);
        MailException e = refused(client(), DIRECTORY);
        assertEquals(MailErrorCode.OAUTH_CLIENT_REJECTED, e.code());
        assertTrue(e.getMessage().contains("AADSTS7000222") && e.hint().contains("expired"), e.hint());
    }

    @Test
    @DisplayName("D4: an unknown directory (AADSTS90002) is INVALID_ACCOUNT naming the directory ID")
    void wrongDirectory() {
        OAuthClient other = client().toBuilder().endpoints(identity.authorizationEndpoint("no-such-tenant"), identity.tokenEndpoint("no-such-tenant"))
                .build();
        MailException e = refused(other, "no-such-tenant");
        assertEquals(MailErrorCode.INVALID_ACCOUNT, e.code(), e.toString());
        assertTrue(e.getMessage().contains("no-such-tenant") && e.hint().contains("directory (tenant) ID"), e.toString());
    }

    @Test
    @DisplayName("D4: admin consent missing (AADSTS65001) is API_PERMISSION_MISSING with the consent hint")
    void consentMissing() {
        identity.failNextToken(TokenFailure.consentMissing());
        MailException e = refused(client(), DIRECTORY);
        assertEquals(MailErrorCode.API_PERMISSION_MISSING, e.code());
        assertTrue(e.hint().contains("admin consent"), e.hint());
    }

    @Test
    @DisplayName("D4: 429 from the token endpoint is OAUTH_PROVIDER_UNAVAILABLE with its Retry-After")
    void throttled() {
        identity.failNextToken(TokenFailure.status(429).retryAfter("17"));
        identity.failNextToken(TokenFailure.status(429).retryAfter("17")); // msal4j may try a 5xx/429 once more itself
        MailException e = refused(client(), DIRECTORY);
        assertEquals(MailErrorCode.OAUTH_PROVIDER_UNAVAILABLE, e.code(), e.toString());
        assertEquals(Duration.ofSeconds(17), e.retryAfter().orElseThrow());
    }

    @Test
    @DisplayName("D4: a token endpoint nobody listens on is OAUTH_PROVIDER_UNAVAILABLE, within the timeouts")
    void unreachable() {
        OAuthClient c = client().toBuilder().endpoints(java.net.URI.create("https://127.0.0.1:" + dev.mailroom.testkit.SilentServer.closedPort() + "/" + DIRECTORY
                + "/oauth2/v2.0/authorize"), java.net.URI.create("https://127.0.0.1:" + dev.mailroom.testkit.SilentServer.closedPort() + "/" + DIRECTORY
                + "/oauth2/v2.0/token")).build();
        long t0 = System.nanoTime();
        MailException e = refused(c, DIRECTORY);
        assertEquals(MailErrorCode.OAUTH_PROVIDER_UNAVAILABLE, e.code(), e.toString());
        assertTrue(Duration.ofNanos(System.nanoTime() - t0).compareTo(Duration.ofSeconds(20)) < 0);
    }

    @Test
    @DisplayName("D5: an unknown refresh token is invalid_grant (OAUTH_GRANT_REVOKED) with Microsoft's AADSTS reply, not a missing client")
    void delegatedRefresh_unknownToken() {
        MailException e = assertThrows(MailException.class, () -> server.refresh(client(), dev.mailroom.Secret.of("rt"), context));
        assertEquals(MailErrorCode.OAUTH_GRANT_REVOKED, e.code());
        assertTrue(e.serverReply().orElseThrow().contains("AADSTS70000"), e::toString);
    }
}
