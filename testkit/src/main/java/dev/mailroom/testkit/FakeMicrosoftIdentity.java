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
 * <p>Thread-safe; scripted failures apply to the next token requests in order, one each.
 */
public final class FakeMicrosoftIdentity implements AutoCloseable {
    private static final Pattern TOKEN = Pattern.compile("/([^/]+)/oauth2/v2\\.0/token");

    private record App(String secret, List<String> roles) {
    }

    private final FakeHttp http;
    private final Set<String> directories = ConcurrentHashMap.newKeySet();
    private final Map<String, App> apps = new ConcurrentHashMap<>();
    private final Set<String> expiredSecrets = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<TokenFailure> failures = new ConcurrentLinkedQueue<>();
    private final List<TokenRequest> requests = new CopyOnWriteArrayList<>();
    private final List<String> issued = new CopyOnWriteArrayList<>();
    private final AtomicInteger counter = new AtomicInteger();
    private volatile long expiresIn = 3599;

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
     * @param directory the directory
     * @return {@code https://127.0.0.1:port/{directory}/oauth2/v2.0/authorize} (not served: the client credentials grant has no consent page)
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
        http.close();
    }

    private void handle(HttpExchange exchange) throws IOException {
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
        if (f != null) {
            f.answer(exchange);
            return;
        }
        if (!directories.contains(directory)) {
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
        if (!"client_credentials".equals(form.get("grant_type"))) {
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
        String scope = form.getOrDefault("scope", "");
        String audience = scope.endsWith("/.default") ? scope.substring(0, scope.length() - "/.default".length()) : scope;
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("aud", audience);
        claims.put("tid", directory);
        claims.put("appid", clientId);
        claims.put("roles", app.roles());
        claims.put("n", counter.incrementAndGet());
        String token = b64("{\"typ\":\"JWT\",\"alg\":\"none\"}") + "." + b64(Json.write(claims)) + ".fake-signature";
        issued.add(token);
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("token_type", "Bearer");
        reply.put("expires_in", expiresIn);
        reply.put("ext_expires_in", expiresIn);
        reply.put("access_token", token);
        FakeHttp.json(exchange, 200, reply);
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

        private TokenFailure(int status, String error, String aadsts, String description, String retryAfter) {
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

        /** @return AADSTS65001: the directory's administrator has not consented to the app */
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
