package dev.mailroom.testkit;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fake Microsoft identity platform on loopback HTTPS (port 0, the testkit's {@code localhost}/{@code 127.0.0.1}
 * certificate; clients trust it with {@link TestCertificates#clientContext()}): the token endpoint
 * {@code /{directory}/oauth2/v2.0/token} for the client credentials grant, answering as Microsoft does — a JWT-shaped
 * access token whose {@code roles} claim lists the app's application permissions, or Microsoft's error body with its
 * AADSTS code (wrong secret 7000215, expired secret 7000222, unknown directory 90002, unknown app 700016), and scripted
 * failures (429 with {@code Retry-After}, 5xx, any AADSTS). msal4j needs an HTTPS authority; point it here through the
 * client's token endpoint override:
 *
 * <pre>{@code
 * try (FakeMicrosoftIdentity identity = FakeMicrosoftIdentity.start().directory("contoso-id").app("app-id", "app-secret", "Mail.Send")) {
 *     OAuthClient client = OAuthClient.builder(OAuthClientId.of("contoso-app"), "microsoft").clientId("app-id")
 *         .clientSecret(Secret.of("app-secret")).redirectUri(URI.create("http://localhost/"))
 *         .endpoints(identity.authorizationEndpoint("contoso-id"), identity.tokenEndpoint("contoso-id")).build();
 *     ... Mailroom built with .tls(TestCertificates.clientContext()) ...
 *     assertEquals(1, identity.tokenCalls());
 * }
 * }</pre>
 *
 * <p>The delegated way (the authorization code flow) works too: {@link #user} adds a mailbox of a directory,
 * {@link #approve} (or a browser's GET of the consent URL, which approves as its {@code login_hint}) hands out a code
 * bound to the client, redirect URI and PKCE challenge, and the token endpoint redeems it (once) for an access token,
 * an id token (unsigned: {@code alg} {@code none}; with {@code iss}, {@code aud}, {@code tid}, {@code oid},
 * {@code preferred_username}) and a refresh token. Every refresh rotates the refresh token: the old one then answers
 * {@code invalid_grant} (AADSTS70000), as does every token of a revoked user (AADSTS50173).
 *
 * <pre>{@code
 * identity.app("app-id", "app-secret").user(TENANT, "oid-1", "max@contoso.test");
 * ConsentLink link = mailroom.oauth().beginAuthorization(accountId);
 * FakeMicrosoftIdentity.Approval a = identity.approve(link.url(), "max@contoso.test");
 * mailroom.oauth().completeAuthorization(a.state(), a.code());
 * }</pre>
 *
 * <p>Thread-safe; scripted failures apply to the next token requests in order, one each.
 */
public final class FakeMicrosoftIdentity implements AutoCloseable {
    private static final Pattern TOKEN = Pattern.compile("/([^/]+)/oauth2/v2\\.0/token");
    private static final Pattern AUTHORIZE = Pattern.compile("/([^/]+)/oauth2/v2\\.0/authorize");

    private record App(String secret, List<String> roles) {
    }

    private record User(String tenant, String oid, String username) {
    }

    private record Code(String clientId, String redirectUri, String challenge, String method, User user, List<String> scopes) {
    }

    private record Delegation(String clientId, User user, List<String> scopes) {
    }

    private static final Set<String> MULTI_TENANT = Set.of("organizations", "common", "consumers");
    private static final List<String> OIDC = List.of("openid", "profile", "email", "offline_access");
    private final Map<String, User> users = new ConcurrentHashMap<>();
    private final Map<String, Code> codes = new ConcurrentHashMap<>();
    private final Map<String, Delegation> refreshTokens = new ConcurrentHashMap<>();
    private final Set<String> revoked = ConcurrentHashMap.newKeySet();
    private final List<String> issuedRefresh = new CopyOnWriteArrayList<>();
    private final AtomicInteger exchanges = new AtomicInteger();
    private final AtomicInteger refreshes = new AtomicInteger();

    private final FakeHttp http;
    private final Set<String> directories = ConcurrentHashMap.newKeySet();
    private final Map<String, App> apps = new ConcurrentHashMap<>();
    private final Set<String> expiredSecrets = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<TokenFailure> failures = new ConcurrentLinkedQueue<>();
    private final List<TokenRequest> requests = new CopyOnWriteArrayList<>();
    private final List<String> issued = new CopyOnWriteArrayList<>();
    private final AtomicInteger counter = new AtomicInteger();
    private volatile long expiresIn = 3599;
    /** Holds stalled answers ({@link TokenFailure#stalledBody()}) until {@link #close()}, 30 seconds at most. */
    private final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);

    private FakeMicrosoftIdentity() {
        this.http = new FakeHttp(this::handle, TestCertificates.localhostServerContext());
    }

    /** @return a started fake; close it after the test */
    public static FakeMicrosoftIdentity start() {
        return new FakeMicrosoftIdentity();
    }

    /**
     * Knows a directory (tenant); token requests for others fail with AADSTS90002.
     *
     * @param id the directory ID or domain
     * @return this fake
     */
    public FakeMicrosoftIdentity directory(String id) {
        directories.add(Objects.requireNonNull(id, "id"));
        return this;
    }

    /**
     * Registers an app in every known directory.
     *
     * @param clientId the application (client) ID
     * @param secret its client secret
     * @param roles the application permissions granted with admin consent, e.g. {@code Mail.Send}
     * @return this fake
     */
    public FakeMicrosoftIdentity app(String clientId, String secret, String... roles) {
        apps.put(Objects.requireNonNull(clientId, "clientId"), new App(Objects.requireNonNull(secret, "secret"), List.of(roles)));
        return this;
    }

    /**
     * Adds a mailbox that can sign in (and the directory, if new).
     *
     * @param tenant the directory (tenant) ID the user belongs to: the {@code tid} claim
     * @param oid the user's object ID: the {@code oid} claim
     * @param username the sign-in name (UPN), e.g. {@code max@contoso.test}: the {@code preferred_username} claim
     * @return this fake
     */
    public FakeMicrosoftIdentity user(String tenant, String oid, String username) {
        directories.add(Objects.requireNonNull(tenant, "tenant"));
        users.put(username.toLowerCase(java.util.Locale.ROOT), new User(tenant, Objects.requireNonNull(oid, "oid"), username));
        return this;
    }

    /**
     * Approves a consent as the browser would after the mailbox signed in and consented to every scope asked for.
     *
     * @param consentUrl the consent URL the authorization server built
     * @param username the mailbox that signs in; it must have been added with {@link #user}
     * @return the code and state the browser brings back to the redirect URI
     * @throws IllegalArgumentException when the user is unknown, or belongs to another directory than a tenant-specific
     *         consent URL names
     */
    public Approval approve(URI consentUrl, String username) {
        User u = users.get(username.toLowerCase(java.util.Locale.ROOT));
        if (u == null) {
            throw new IllegalArgumentException("no user " + username + ": add it with user(tenant, oid, username)");
        }
        Matcher m = AUTHORIZE.matcher(consentUrl.getPath());
        if (m.matches() && !MULTI_TENANT.contains(m.group(1)) && !m.group(1).equals(u.tenant())) {
            throw new IllegalArgumentException("AADSTS50020: user " + username + " of directory " + u.tenant() + " does not exist in directory "
                    + m.group(1));
        }
        Map<String, String> p = FakeHttp.params(consentUrl.getRawQuery());
        String code = "0.fake-code-" + counter.incrementAndGet() + "-" + Long.toHexString(Double.doubleToLongBits(Math.random()));
        codes.put(code, new Code(p.get("client_id"), p.get("redirect_uri"), p.get("code_challenge"), p.get("code_challenge_method"), u,
                List.of(p.getOrDefault("scope", "").split(" "))));
        return new Approval(code, p.get("state"), p.get("redirect_uri"));
    }

    /**
     * Revokes every refresh token of a user (an administrator revoked the sessions, or the password changed):
     * they answer {@code invalid_grant} with AADSTS50173.
     *
     * @param username the user
     */
    public void revokeUser(String username) {
        revoked.add(username.toLowerCase(java.util.Locale.ROOT));
    }

    /** @return code exchanges answered with tokens */
    public int exchanges() {
        return exchanges.get();
    }

    /** @return refreshes answered with tokens */
    public int refreshes() {
        return refreshes.get();
    }

    /** @return the refresh tokens issued so far, in order; only the last of a grant is still valid */
    public List<String> issuedRefreshTokens() {
        return List.copyOf(issuedRefresh);
    }

    /**
     * The app's secret has expired: its requests fail with AADSTS7000222.
     *
     * @param clientId the application ID
     * @return this fake
     */
    public FakeMicrosoftIdentity expireSecret(String clientId) {
        expiredSecrets.add(clientId);
        return this;
    }

    /**
     * @param seconds the lifetime of issued tokens ({@code expires_in}), 3599 by default
     * @return this fake
     */
    public FakeMicrosoftIdentity expiresIn(long seconds) {
        this.expiresIn = seconds;
        return this;
    }

    /**
     * Answers the next token request with a failure.
     *
     * @param failure what to answer
     * @return this fake
     */
    public FakeMicrosoftIdentity failNextToken(TokenFailure failure) {
        failures.add(Objects.requireNonNull(failure, "failure"));
        return this;
    }

    /**
     * @param directory the directory
     * @return {@code https://127.0.0.1:port/{directory}/oauth2/v2.0/token}
     */
    public URI tokenEndpoint(String directory) {
        return http.root().resolve(directory + "/oauth2/v2.0/token");
    }

    /**
     * @param directory the directory, or {@code organizations} / {@code common}
     * @return {@code https://127.0.0.1:port/{directory}/oauth2/v2.0/authorize}; a GET approves as its {@code login_hint} and redirects
     */
    public URI authorizationEndpoint(String directory) {
        return http.root().resolve(directory + "/oauth2/v2.0/authorize");
    }

    /** @return how many token requests arrived */
    public int tokenCalls() {
        return requests.size();
    }

    /** @return the token requests as received, without their secrets */
    public List<TokenRequest> requests() {
        return List.copyOf(requests);
    }

    /** @return the access tokens issued, in order */
    public List<String> issuedAccessTokens() {
        return List.copyOf(issued);
    }

    @Override
    public void close() {
        closed.countDown();
        http.close();
    }

    private void handle(HttpExchange exchange) throws IOException {
        if ("GET".equals(exchange.getRequestMethod()) && AUTHORIZE.matcher(exchange.getRequestURI().getPath()).matches()) {
            Map<String, String> p = FakeHttp.params(exchange.getRequestURI().getRawQuery());
            Approval a;
            try {
                a = approve(exchange.getRequestURI(), p.getOrDefault("login_hint", ""));
            } catch (IllegalArgumentException unknown) { // as Microsoft: the error goes back to the redirect URI, not a reset connection
                String redirect = p.get("redirect_uri");
                if (redirect == null) {
                    FakeHttp.json(exchange, 400, Map.of("error", "invalid_request", "error_description", "AADSTS900144: no redirect_uri"));
                    return;
                }
                exchange.getResponseHeaders().set("Location", redirect + "?error=access_denied&error_description="
                        + java.net.URLEncoder.encode(unknown.getMessage(), StandardCharsets.UTF_8) + "&state="
                        + java.net.URLEncoder.encode(p.getOrDefault("state", ""), StandardCharsets.UTF_8));
                exchange.sendResponseHeaders(302, -1);
                return;
            }
            exchange.getResponseHeaders().set("Location", a.redirectUri() + "?code=" + a.code() + "&state=" + a.state());
            exchange.sendResponseHeaders(302, -1);
            return;
        }
        Matcher m = TOKEN.matcher(exchange.getRequestURI().getPath());
        if (!"POST".equals(exchange.getRequestMethod()) || !m.matches()) {
            FakeHttp.json(exchange, 404, Map.of("error", "not_found", "error_description", "the fake serves only /{directory}/oauth2/v2.0/token"));
            return;
        }
        String directory = m.group(1);
        Map<String, String> form = FakeHttp.params(new String(FakeHttp.body(exchange), StandardCharsets.UTF_8));
        String clientId = form.getOrDefault("client_id", "");
        requests.add(new TokenRequest(directory, clientId, form.getOrDefault("grant_type", ""), form.getOrDefault("scope", "")));
        TokenFailure f = failures.poll();
        if (f != null && f.stall) {
            // the status line and headers go out, then a part of the body, then nothing until the fake closes
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, 4096); // a body announced in full, of which only the first bytes come
            exchange.getResponseBody().write("{\"token_type\":".getBytes(StandardCharsets.UTF_8));
            exchange.getResponseBody().flush();
            try {
                closed.await(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
            return;
        }
        if (f != null) {
            f.answer(exchange);
            return;
        }
        if (!directories.contains(directory) && !MULTI_TENANT.contains(directory)) {
            aadsts(exchange, 400, "invalid_request", "90002", "Tenant '" + directory + "' not found. Check to make sure you have the correct tenant ID "
                    + "and are signing into the correct cloud.");
            return;
        }
        App app = apps.get(clientId);
        if (app == null) {
            aadsts(exchange, 400, "unauthorized_client", "700016", "Application with identifier '" + clientId + "' was not found in the directory '"
                    + directory + "'.");
            return;
        }
        String grant = form.getOrDefault("grant_type", "");
        if (!List.of("client_credentials", "authorization_code", "refresh_token").contains(grant)) {
            aadsts(exchange, 400, "unsupported_grant_type", "70003", "The app requested an unsupported grant type.");
            return;
        }
        if (!app.secret().equals(form.get("client_secret"))) {
            aadsts(exchange, 401, "invalid_client", "7000215", "Invalid client secret provided. Ensure the secret being sent in the request is the "
                    + "client secret value, not the client secret ID, for a secret added to app '" + clientId + "'.");
            return;
        }
        if (expiredSecrets.contains(clientId)) {
            aadsts(exchange, 401, "invalid_client", "7000222", "The provided client secret keys for app '" + clientId + "' are expired. Visit the "
                    + "Azure portal to create new keys for your app.");
            return;
        }
        if (grant.equals("authorization_code")) {
            redeem(exchange, directory, clientId, form);
            return;
        }
        if (grant.equals("refresh_token")) {
            refresh(exchange, clientId, form);
            return;
        }
        String scope = form.getOrDefault("scope", "");
        String audience = scope.endsWith("/.default") ? scope.substring(0, scope.length() - "/.default".length()) : scope;
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("aud", audience);
        claims.put("tid", directory);
        claims.put("appid", clientId);
        claims.put("roles", app.roles());
        claims.put("n", counter.incrementAndGet());
        String token = jwt(claims) + "fake-signature";
        issued.add(token);
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("token_type", "Bearer");
        reply.put("expires_in", expiresIn);
        reply.put("ext_expires_in", expiresIn);
        reply.put("access_token", token);
        FakeHttp.json(exchange, 200, reply);
    }

    private void redeem(HttpExchange exchange, String directory, String clientId, Map<String, String> form) throws IOException {
        Code c = codes.remove(form.getOrDefault("code", ""));
        if (c == null || !clientId.equals(c.clientId()) || !Objects.equals(c.redirectUri(), form.get("redirect_uri"))) {
            aadsts(exchange, 400, "invalid_grant", "54005", "OAuth2 Authorization code was already redeemed, please retry with a new valid code"
                    + " or use an existing refresh token.");
            return;
        }
        String verifier = form.get("code_verifier");
        if (c.challenge() != null && (verifier == null || !"S256".equals(c.method()) || !c.challenge().equals(FakeGoogleAuthServer.s256(verifier)))) {
            aadsts(exchange, 400, "invalid_grant", "501481", "The Code_Verifier does not match the code_challenge supplied in the authorization"
                    + " request.");
            return;
        }
        if (!MULTI_TENANT.contains(directory) && !directory.equals(c.user().tenant())) {
            aadsts(exchange, 400, "invalid_grant", "50020", "User account from identity provider does not exist in tenant '" + directory + "'.");
            return;
        }
        exchanges.incrementAndGet();
        FakeHttp.json(exchange, 200, delegated(new Delegation(clientId, c.user(), c.scopes())));
    }

    private void refresh(HttpExchange exchange, String clientId, Map<String, String> form) throws IOException {
        String old = form.getOrDefault("refresh_token", "");
        Delegation d = refreshTokens.remove(old);
        if (d != null && revoked.contains(d.user().username().toLowerCase(java.util.Locale.ROOT))) {
            aadsts(exchange, 400, "invalid_grant", "50173", "The provided grant has expired due to it being revoked, a fresh auth token is needed.");
            return;
        }
        if (d == null || !clientId.equals(d.clientId())) {
            aadsts(exchange, 400, "invalid_grant", "70000", "The provided value for the 'refresh_token' is not valid.");
            return;
        }
        refreshes.incrementAndGet();
        FakeHttp.json(exchange, 200, delegated(d));
    }

    /** Tokens of a delegated grant: an access token for the resource asked, an id token, and a new refresh token (the old one is gone). */
    private Map<String, Object> delegated(Delegation d) {
        List<String> resourceScopes = d.scopes().stream().filter(x -> !OIDC.contains(x) && !x.isBlank()).toList();
        String resource = resourceScopes.isEmpty() ? "https://graph.microsoft.com" : resourceScopes.get(0).contains("://")
                ? resourceScopes.get(0).substring(0, resourceScopes.get(0).lastIndexOf('/')) : "https://graph.microsoft.com";
        long now = System.currentTimeMillis() / 1000;
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("aud", resource);
        claims.put("tid", d.user().tenant());
        claims.put("oid", d.user().oid());
        claims.put("upn", d.user().username());
        claims.put("appid", d.clientId());
        claims.put("scp", String.join(" ", resourceScopes.stream().map(x -> x.substring(x.lastIndexOf('/') + 1)).toList()));
        claims.put("n", counter.incrementAndGet());
        String access = jwt(claims) + "fake-signature";
        issued.add(access);
        String refresh = "1.fake-refresh-" + counter.incrementAndGet() + "-" + Long.toHexString(Double.doubleToLongBits(Math.random()));
        refreshTokens.put(refresh, d);
        issuedRefresh.add(refresh);
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("token_type", "Bearer");
        reply.put("scope", String.join(" ", resourceScopes));
        reply.put("expires_in", expiresIn);
        reply.put("ext_expires_in", expiresIn);
        reply.put("access_token", access);
        reply.put("refresh_token", refresh);
        if (d.scopes().contains("openid")) {
            Map<String, Object> id = new LinkedHashMap<>();
            id.put("ver", "2.0");
            id.put("iss", http.root().resolve(d.user().tenant() + "/v2.0").toString()); // the authority's host, as Microsoft's own
            id.put("aud", d.clientId());
            id.put("tid", d.user().tenant());
            id.put("oid", d.user().oid());
            id.put("sub", "sub-" + d.user().oid());
            id.put("preferred_username", d.user().username());
            id.put("name", d.user().username());
            id.put("iat", now);
            id.put("exp", now + 3600);
            reply.put("id_token", jwt(id)); // unsigned: it comes straight from the token endpoint over TLS
        }
        return reply;
    }

    /** An unsigned JWT's header and claims, with the dot before the (empty) signature. */
    private static String jwt(Map<String, Object> claims) {
        return b64("{\"typ\":\"JWT\",\"alg\":\"none\"}") + "." + b64(Json.write(claims)) + ".";
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static void aadsts(HttpExchange exchange, int status, String error, String code, String description) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("error_description", "AADSTS" + code + ": " + description + " Trace ID: 0000 Correlation ID: 0000 Timestamp: 2026-11-29 12:00:00Z");
        body.put("error_codes", List.of(Long.parseLong(code)));
        body.put("timestamp", "2026-11-29 12:00:00Z");
        body.put("trace_id", "0000");
        body.put("correlation_id", "0000");
        FakeHttp.json(exchange, status, body);
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

    /**
     * One token request as received (its secret is not kept).
     *
     * @param directory the directory in the path
     * @param clientId the {@code client_id}
     * @param grantType the {@code grant_type}
     * @param scope the {@code scope}
     */
    public record TokenRequest(String directory, String clientId, String grantType, String scope) {
    }

    /** A scripted answer to one token request. */
    public static final class TokenFailure {
        private final int status;
        private final String error;
        private final String aadsts;
        private final String description;
        private final String retryAfter;
        private final boolean stall;

        private TokenFailure(int status, String error, String aadsts, String description, String retryAfter) {
            this(status, error, aadsts, description, retryAfter, false);
        }

        private TokenFailure(int status, String error, String aadsts, String description, String retryAfter, boolean stall) {
            this.stall = stall;
            this.status = status;
            this.error = error;
            this.aadsts = aadsts;
            this.description = description;
            this.retryAfter = retryAfter;
        }

        /**
         * Microsoft's error body with an AADSTS code.
         *
         * @param status the HTTP status
         * @param error the OAuth {@code error}, e.g. {@code invalid_grant}
         * @param aadsts the AADSTS number, e.g. {@code 65001}
         * @param description the text after the code
         * @return the failure
         */
        public static TokenFailure aadsts(int status, String error, String aadsts, String description) {
            return new TokenFailure(status, error, aadsts, description, null);
        }

        /**
         * @return a 200 whose headers and first bytes arrive at once and whose body then stalls until the fake is closed
         *         (30 seconds at most): a client must end the call with its own overall timeout
         */
        public static TokenFailure stalledBody() {
            return new TokenFailure(200, "", "0", "", null, true);
        }

        /**
         * @return AADSTS700016 ({@code unauthorized_client}): the app is not (or no longer) in the directory; on a delegated
         *         refresh, a customer directory removed a multi-tenant app
         */
        public static TokenFailure appRemoved() {
            return aadsts(400, "unauthorized_client", "700016", "Application with identifier was not found in the directory.");
        }

        /**
         * @return AADSTS65001 ({@code invalid_grant}): the directory's administrator has not consented to the app; on a
         *         delegated refresh, the user's consent was revoked or the client asks for scopes not consented to
         */
        public static TokenFailure consentMissing() {
            return aadsts(400, "invalid_grant", "65001", "The user or administrator has not consented to use the application.");
        }

        /**
         * @param status e.g. 429 or 503
         * @return a status with Microsoft's {@code temporarily_unavailable} body
         */
        public static TokenFailure status(int status) {
            return aadsts(status, "temporarily_unavailable", "50196", "The server temporarily cannot handle the request.");
        }

        /**
         * @param value the Retry-After header to send
         * @return a copy with the header
         */
        public TokenFailure retryAfter(String value) {
            return new TokenFailure(status, error, aadsts, description, Objects.requireNonNull(value, "value"));
        }

        void answer(HttpExchange exchange) throws IOException {
            if (retryAfter != null) {
                exchange.getResponseHeaders().set("Retry-After", retryAfter);
            }
            FakeMicrosoftIdentity.aadsts(exchange, status, error, aadsts, description);
        }

        @Override
        public String toString() {
            return "TokenFailure[" + status + " " + error + " AADSTS" + aadsts + "]";
        }
    }
}
