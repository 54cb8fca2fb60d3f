package dev.mailroom.testkit;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A fake Google authorization server on loopback (port 0) for tests: the consent endpoint, and the token endpoint
 * with the authorization code grant (PKCE {@code S256} checked), the refresh token grant (optionally rotating the
 * refresh token), an OpenID Connect id token (HS256, signed with a test key) naming the mailbox that consented, and
 * scripted failures ({@code invalid_grant}, {@code invalid_client}, 429 with {@code Retry-After}, 500).
 *
 * <pre>{@code
 * try (FakeGoogleAuthServer google = FakeGoogleAuthServer.start().client("client-1", "secret-1")) {
 *     OAuthClient client = OAuthClient.builder(OAuthClientId.of("acme-google"), "google").clientId("client-1")
 *         .clientSecret(Secret.of("secret-1")).redirectUri(URI.create("https://erp.example/cb"))
 *         .endpoints(google.authorizationEndpoint(), google.tokenEndpoint()).build();
 *     URI consent = server.consentUrl(client, request);
 *     FakeGoogleAuthServer.Approval a = google.approve(consent, "max@example.test", List.of(GMAIL_SEND, "openid", "email"));
 *     TokenResponse tokens = server.exchange(client, a.code(), verifier, context);
 * }
 * }</pre>
 *
 * <p>The browser's way works too: a GET of the consent URL on this server approves as the {@code login_hint} with every
 * scope asked for and redirects (302) to the redirect URI with {@code code} and {@code state}. Thread-safe.
 */
public final class FakeGoogleAuthServer implements AutoCloseable {
    /** The key the id tokens are signed with (HS256); a test may check the signature with it. */
    public static final byte[] ID_TOKEN_KEY = "mailroom-fake-google-id-token-key".getBytes(StandardCharsets.US_ASCII);

    private final FakeHttp http;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, String> clients = new ConcurrentHashMap<>();
    private final Map<String, Grant> codes = new ConcurrentHashMap<>();
    private final Map<String, Grant> refreshTokens = new ConcurrentHashMap<>();
    private final List<Map<String, String>> consents = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<TokenFailure> failures = new ConcurrentLinkedQueue<>();
    private final AtomicInteger tokenCalls = new AtomicInteger();
    private final AtomicInteger exchanges = new AtomicInteger();
    private final AtomicInteger refreshes = new AtomicInteger();
    private final AtomicInteger revocations = new AtomicInteger();
    private final List<String> issuedAccessTokens = new CopyOnWriteArrayList<>();
    private volatile boolean rotate;
    private volatile boolean emailVerified = true;
    private volatile String foreignIssuer;
    private volatile String foreignAudience;
    private volatile long expiresIn = 3599;

    private FakeGoogleAuthServer() {
        this.http = new FakeHttp(this::handle, null);
    }

    /** @return a started server that knows no client yet; close it after the test */
    public static FakeGoogleAuthServer start() {
        return new FakeGoogleAuthServer();
    }

    /**
     * Registers a client the token endpoint accepts.
     *
     * @param clientId the client ID
     * @param clientSecret its secret
     * @return this server
     */
    public FakeGoogleAuthServer client(String clientId, String clientSecret) {
        clients.put(Objects.requireNonNull(clientId, "clientId"), Objects.requireNonNull(clientSecret, "clientSecret"));
        return this;
    }

    /**
     * @param value whether a refresh returns a new refresh token and retires the old one (Google does not; Microsoft does)
     * @return this server
     */
    public FakeGoogleAuthServer rotateRefreshTokens(boolean value) {
        this.rotate = value;
        return this;
    }

    /**
     * @param value the {@code email_verified} claim of the id tokens issued from now on
     * @return this server
     */
    public FakeGoogleAuthServer emailVerified(boolean value) {
        this.emailVerified = value;
        return this;
    }

    /**
     * Issues id tokens with another issuer and audience than Google's for the requesting client, as a token meant
     * for another app (or from another server) would have.
     *
     * @param issuer the {@code iss} claim, e.g. {@code https://evil.example}
     * @param audience the {@code aud} claim, e.g. another app's client ID
     * @return this server
     */
    public FakeGoogleAuthServer foreignIdTokens(String issuer, String audience) {
        this.foreignIssuer = Objects.requireNonNull(issuer, "issuer");
        this.foreignAudience = Objects.requireNonNull(audience, "audience");
        return this;
    }

    /**
     * @param seconds the {@code expires_in} of access tokens issued from now on
     * @return this server
     */
    public FakeGoogleAuthServer expiresIn(long seconds) {
        this.expiresIn = seconds;
        return this;
    }

    /**
     * Answers the next token request with a failure (then the next scripted one, and so on).
     *
     * @param failure the failure
     * @return this server
     */
    public FakeGoogleAuthServer failNextToken(TokenFailure failure) {
        failures.add(Objects.requireNonNull(failure, "failure"));
        return this;
    }

    /**
     * Revokes a refresh token: using it answers {@code invalid_grant}.
     *
     * @param refreshToken the token
     */
    public void revoke(String refreshToken) {
        refreshTokens.remove(refreshToken);
    }

    /**
     * Revokes every grant, as when the user removes the app from their Google account or changes the password:
     * every refresh token issued so far answers {@code invalid_grant}. (Google also stops accepting the access
     * tokens of the grant; script that on the API fake, e.g. {@code FakeGmailApi#failAlways} with a 401.)
     */
    public void revokeAll() {
        refreshTokens.clear();
    }

    /** @return the consent endpoint, {@code http://127.0.0.1:port/o/oauth2/v2/auth} */
    public URI authorizationEndpoint() {
        return http.root().resolve("o/oauth2/v2/auth");
    }

    /** @return the token endpoint, {@code http://127.0.0.1:port/token} */
    public URI tokenEndpoint() {
        return http.root().resolve("token");
    }

    /**
     * Approves a consent as the browser would after the mailbox signed in: the code is bound to the consent's
     * client, redirect URI and PKCE challenge.
     *
     * @param consentUrl the consent URL the authorization server built
     * @param asEmail the mailbox that consents
     * @param grantedScopes the scopes it grants (may be fewer than asked for)
     * @return the code and state the browser brings back to the redirect URI
     */
    public Approval approve(URI consentUrl, String asEmail, Collection<String> grantedScopes) {
        Map<String, String> p = FakeHttp.params(consentUrl.getRawQuery());
        consents.add(Collections.unmodifiableMap(p));
        String code = "4/fake-code-" + token();
        codes.put(code, new Grant(p.get("client_id"), p.get("redirect_uri"), p.get("code_challenge"), p.get("code_challenge_method"), asEmail,
                List.copyOf(grantedScopes)));
        return new Approval(code, p.get("state"), p.get("redirect_uri"));
    }

    /** @return the parameters of every consent approved so far, in order */
    public List<Map<String, String>> consents() {
        return Collections.unmodifiableList(consents);
    }

    /** @return token endpoint calls so far, failed ones included */
    public int tokenCalls() {
        return tokenCalls.get();
    }

    /** @return code exchanges answered with tokens */
    public int exchanges() {
        return exchanges.get();
    }

    /** @return refreshes answered with tokens */
    public int refreshes() {
        return refreshes.get();
    }

    /** @return how many tokens were revoked at {@code /revoke} */
    public int revocations() {
        return revocations.get();
    }

    /** @return the access tokens issued so far, in order */
    public List<String> issuedAccessTokens() {
        return Collections.unmodifiableList(issuedAccessTokens);
    }

    @Override
    public void close() {
        http.close();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if ("GET".equals(exchange.getRequestMethod()) && path.equals("/o/oauth2/v2/auth")) {
            Map<String, String> p = FakeHttp.params(exchange.getRequestURI().getRawQuery());
            Approval a = approve(exchange.getRequestURI(), p.getOrDefault("login_hint", "user@example.test"),
                    List.of(p.getOrDefault("scope", "").split(" ")));
            exchange.getResponseHeaders().set("Location", a.redirectUri() + "?code=" + a.code() + "&state=" + a.state());
            exchange.sendResponseHeaders(302, -1);
            return;
        }
        if ("POST".equals(exchange.getRequestMethod()) && path.equals("/revoke")) { // RFC 7009, as Google's revocation endpoint
            String token = FakeHttp.params(new String(FakeHttp.body(exchange), StandardCharsets.UTF_8)).getOrDefault("token", "");
            if (refreshTokens.remove(token) == null && !issuedAccessTokens.contains(token)) {
                FakeHttp.json(exchange, 400, Map.of("error", "invalid_token", "error_description", "Token expired or revoked"));
                return;
            }
            revocations.incrementAndGet();
            FakeHttp.json(exchange, 200, Map.of());
            return;
        }
        if (!"POST".equals(exchange.getRequestMethod()) || !path.equals("/token")) {
            FakeHttp.json(exchange, 404, Map.of("error", "not_found"));
            return;
        }
        tokenCalls.incrementAndGet();
        Map<String, String> form = FakeHttp.params(new String(FakeHttp.body(exchange), StandardCharsets.UTF_8));
        TokenFailure f = failures.poll();
        if (f != null) {
            f.answer(exchange);
            return;
        }
        String clientId = form.get("client_id");
        String basic = exchange.getRequestHeaders().getFirst("Authorization");
        String secret = form.get("client_secret");
        if (basic != null && basic.startsWith("Basic ")) {
            String[] pair = new String(Base64.getDecoder().decode(basic.substring(6)), StandardCharsets.UTF_8).split(":", 2);
            clientId = pair[0];
            secret = pair.length > 1 ? pair[1] : null;
        }
        if (clientId == null || secret == null || !secret.equals(clients.get(clientId))) {
            TokenFailure.error(401, "invalid_client", "The OAuth client was not found.").answer(exchange);
            return;
        }
        switch (form.getOrDefault("grant_type", "")) {
            case "authorization_code" -> {
                Grant g = codes.remove(form.getOrDefault("code", ""));
                if (g == null || !clientId.equals(g.clientId) || !Objects.equals(g.redirectUri, form.get("redirect_uri"))) {
                    TokenFailure.error(400, "invalid_grant", "Malformed auth code.").answer(exchange);
                    return;
                }
                String verifier = form.get("code_verifier");
                if (g.challenge != null && (verifier == null || !"S256".equals(g.method) || !g.challenge.equals(s256(verifier)))) {
                    TokenFailure.error(400, "invalid_grant", "Invalid code verifier.").answer(exchange);
                    return;
                }
                String refresh = "1//fake-refresh-" + token();
                refreshTokens.put(refresh, g);
                exchanges.incrementAndGet();
                FakeHttp.json(exchange, 200, tokens(g, refresh));
            }
            case "refresh_token" -> {
                String old = form.getOrDefault("refresh_token", "");
                Grant g = refreshTokens.get(old);
                if (g == null || !clientId.equals(g.clientId)) {
                    TokenFailure.error(400, "invalid_grant", "Token has been expired or revoked.").answer(exchange);
                    return;
                }
                String next = null;
                if (rotate) {
                    next = "1//fake-refresh-" + token();
                    refreshTokens.remove(old);
                    refreshTokens.put(next, g);
                }
                refreshes.incrementAndGet();
                FakeHttp.json(exchange, 200, tokens(g, next));
            }
            default -> TokenFailure.error(400, "unsupported_grant_type", "Invalid grant_type.").answer(exchange);
        }
    }

    private Map<String, Object> tokens(Grant g, String refresh) {
        String access = "ya29.fake-" + token();
        issuedAccessTokens.add(access);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("access_token", access);
        m.put("expires_in", expiresIn);
        m.put("token_type", "Bearer");
        m.put("scope", String.join(" ", g.scopes));
        if (refresh != null) {
            m.put("refresh_token", refresh);
        }
        if (g.scopes.contains("openid")) {
            m.put("id_token", idToken(g));
        }
        return m;
    }

    private String idToken(Grant g) {
        long now = System.currentTimeMillis() / 1000;
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", foreignIssuer != null ? foreignIssuer : "https://accounts.google.com");
        claims.put("aud", foreignAudience != null ? foreignAudience : g.clientId);
        claims.put("sub", "1" + Math.abs(g.email.hashCode()));
        claims.put("email", g.email);
        claims.put("email_verified", emailVerified);
        claims.put("iat", now);
        claims.put("exp", now + 3600);
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signingInput = b64.encodeToString(Json.write(Map.of("alg", "HS256", "typ", "JWT")).getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(Json.write(claims).getBytes(StandardCharsets.UTF_8));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(ID_TOKEN_KEY, "HmacSHA256"));
            return signingInput + "." + b64.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @param verifier a PKCE verifier
     * @return its S256 challenge: base64url without padding of its SHA-256
     */
    public static String s256(String verifier) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private String token() {
        byte[] b = new byte[12];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private record Grant(String clientId, String redirectUri, String challenge, String method, String email, List<String> scopes) {
    }

    /**
     * What the browser brings back to the redirect URI after a consent.
     *
     * @param code the authorization code
     * @param state the state of the consent URL
     * @param redirectUri the redirect URI of the consent URL
     */
    public record Approval(String code, String state, String redirectUri) {
        @Override
        public String toString() {
            return "Approval[code ****, state " + state + "]";
        }
    }

    /** A scripted answer of the token endpoint. */
    public static final class TokenFailure {
        private final int status;
        private final String error;
        private final String description;
        private final String retryAfter;

        private TokenFailure(int status, String error, String description, String retryAfter) {
            this.status = status;
            this.error = error;
            this.description = description;
            this.retryAfter = retryAfter;
        }

        /**
         * An OAuth error reply.
         *
         * @param status the HTTP status, e.g. 400
         * @param error the {@code error} field, e.g. {@code invalid_grant}
         * @param description the {@code error_description}
         * @return the failure
         */
        public static TokenFailure error(int status, String error, String description) {
            return new TokenFailure(status, Objects.requireNonNull(error, "error"), description, null);
        }

        /** @return {@code invalid_grant}: the refresh token was revoked or has expired */
        public static TokenFailure invalidGrant() {
            return error(400, "invalid_grant", "Token has been expired or revoked.");
        }

        /** @return {@code invalid_client}: the client ID or secret is wrong */
        public static TokenFailure invalidClient() {
            return error(401, "invalid_client", "The OAuth client was not found.");
        }

        /**
         * @param status e.g. 429, 500, 503
         * @return an HTTP error without an OAuth error body
         */
        public static TokenFailure status(int status) {
            return new TokenFailure(status, null, null, null);
        }

        /**
         * @param value the Retry-After header (seconds or an HTTP date)
         * @return a copy that sends it
         */
        public TokenFailure retryAfter(String value) {
            return new TokenFailure(status, error, description, Objects.requireNonNull(value, "value"));
        }

        void answer(HttpExchange exchange) throws IOException {
            if (retryAfter != null) {
                exchange.getResponseHeaders().set("Retry-After", retryAfter);
            }
            if (error == null) {
                byte[] body = ("<html><body>Error " + status + "</body></html>").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/html");
                exchange.sendResponseHeaders(status, body.length);
                exchange.getResponseBody().write(body);
                return;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("error", error);
            if (description != null) {
                m.put("error_description", description);
            }
            FakeHttp.json(exchange, status, m);
        }

        @Override
        public String toString() {
            return "TokenFailure[" + status + (error != null ? " " + error : "") + "]";
        }
    }
}
