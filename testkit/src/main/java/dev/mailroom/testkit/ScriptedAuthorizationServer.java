package dev.mailroom.testkit;

import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.OAuthClient;
import dev.mailroom.Secret;
import dev.mailroom.spi.AccessToken;
import dev.mailroom.spi.AuthorizationServer;
import dev.mailroom.spi.ConsentRequest;
import dev.mailroom.spi.TokenResponse;
import dev.mailroom.spi.TransportContext;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-process OAuth 2.0 provider for tests of the consent and token lifecycle, no HTTP involved: builds consent URLs, lets a test play the browser ({@link #approve}),
 * checks PKCE S256 on the code exchange (challenge == base64url(sha256(verifier))), codes are single-use, refresh
 * tokens rotate (the old one is refused with invalid_grant afterwards), and it can be told to answer invalid_grant,
 * invalid_client or temporarily_unavailable. Every token, code and secret it issues starts with {@code CANARY}, so a
 * test can grep logs for them. Counts calls. Thread-safe.
 */
public final class ScriptedAuthorizationServer implements AuthorizationServer {
    /** The client secret it accepts; every other secret is refused with invalid_client. */
    public static final String CLIENT_SECRET = "CANARY-client-secret-7f3a";

    private record Code(String challenge, String clientId, String email, boolean verified, List<String> aliases, Set<String> scopes) {
    }

    private final String provider;
    private final Clock clock;
    private final Map<String, Code> codes = new ConcurrentHashMap<>();
    /** refresh token → the identity it belongs to, while valid. */
    private final Map<String, String> refreshTokens = new ConcurrentHashMap<>();
    private final AtomicInteger serial = new AtomicInteger();
    /** How many codes were exchanged. */
    public final AtomicInteger exchanges = new AtomicInteger();
    /** How many tokens were revoked. */
    public final AtomicInteger revocations = new AtomicInteger();
    /** How many refreshes were asked for (answered or refused). */
    public final AtomicInteger refreshes = new AtomicInteger();
    /** The length of every code verifier it got. */
    public final List<Integer> verifierLengths = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Every code verifier, state and access token seen or issued, for tests that grep logs for them. */
    public final List<String> secretsSeen = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile Duration lifetime = Duration.ofHours(1);
    private volatile boolean rotate = true;
    private volatile String failRefreshWith;
    private volatile CountDownLatch refreshEntered;
    private volatile CountDownLatch refreshGate;
    private volatile boolean reportScopes = true;
    /** The request of the latest consent URL. */
    public volatile ConsentRequest lastConsent;

    /**
     * A provider named {@code google}.
     *
     * @param clock the clock token expiries are computed on
     */
    public ScriptedAuthorizationServer(Clock clock) {
        this("google", clock);
    }

    /**
     * @param provider the provider id it serves
     * @param clock the clock token expiries are computed on
     */
    public ScriptedAuthorizationServer(String provider, Clock clock) {
        this.provider = provider;
        this.clock = clock;
    }

    @Override
    public String provider() {
        return provider;
    }

    @Override
    public List<String> identityScopes() {
        return List.of("openid", "email");
    }

    @Override
    public URI consentUrl(OAuthClient client, ConsentRequest request) {
        lastConsent = request;
        secretsSeen.add(request.state());
        return URI.create("https://accounts.fake.test/o/oauth2/auth?client_id=" + enc(client.clientId()) + "&redirect_uri="
                + enc(client.redirectUri().toString()) + "&response_type=code&scope=" + enc(String.join(" ", request.scopes()))
                + "&state=" + enc(request.state()) + "&code_challenge=" + enc(request.codeChallenge()) + "&code_challenge_method=S256"
                + "&login_hint=" + enc(request.loginHint()) + "&access_type=offline&prompt=consent");
    }

    /**
     * The browser: the given mailbox signs in and allows every scope asked for.
     *
     * @param consentUrl the URL Mailroom made
     * @param email the mailbox that signs in (verified)
     * @return the callback's state and code
     */
    public String[] approve(URI consentUrl, String email) {
        return approve(consentUrl, email, true, List.of(), null);
    }

    /**
     * The browser, with control over what is granted.
     *
     * @param consentUrl the URL Mailroom made
     * @param email the mailbox that signs in
     * @param verified whether the provider vouches for the address
     * @param aliases further addresses of the mailbox
     * @param dropScope a scope the user unticks, or {@code null}
     * @return the callback's state and code
     */
    public String[] approve(URI consentUrl, String email, boolean verified, List<String> aliases, String dropScope) {
        Map<String, String> q = query(consentUrl);
        Set<String> scopes = new LinkedHashSet<>(List.of(q.get("scope").split(" ")));
        if (dropScope != null) {
            scopes.remove(dropScope);
        }
        String code = "CANARY-code-" + serial.incrementAndGet();
        if (!"S256".equals(q.get("code_challenge_method"))) {
            throw new AssertionError("PKCE S256 expected");
        }
        codes.put(code, new Code(q.get("code_challenge"), q.get("client_id"), email, verified, aliases, scopes));
        return new String[] {q.get("state"), code};
    }

    @Override
    public TokenResponse exchange(OAuthClient client, String code, Secret codeVerifier, TransportContext context) {
        exchanges.incrementAndGet();
        checkClient(client);
        Code c = codes.remove(code);
        if (c == null) {
            throw error("invalid_grant", "Malformed auth code.");
        }
        String verifier = codeVerifier.reveal();
        verifierLengths.add(verifier.length());
        secretsSeen.add(verifier);
        if (!c.challenge().equals(s256(verifier))) {
            throw error("invalid_grant", "Invalid code verifier.");
        }
        String refresh = "CANARY-refresh-" + serial.incrementAndGet();
        refreshTokens.put(refresh, c.email());
        return TokenResponse.builder(newAccessToken()).refreshToken(Secret.of(refresh)).grantedScopes(reportScopes ? c.scopes() : Set.of())
                .identity(new TokenResponse.GrantedIdentity(c.email(), c.verified(), c.aliases())).build();
    }

    @Override
    public TokenResponse refresh(OAuthClient client, Secret refreshToken, TransportContext context) {
        refreshes.incrementAndGet();
        CountDownLatch entered = refreshEntered;
        CountDownLatch gate = refreshGate;
        if (entered != null) {
            entered.countDown();
        }
        if (gate != null) {
            try {
                if (!gate.await(30, TimeUnit.SECONDS)) {
                    throw new AssertionError("refresh gate never opened");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        String failure = failRefreshWith;
        if (failure != null) {
            throw switch (failure) {
                case "invalid_client" -> new MailException(MailErrorCode.OAUTH_CLIENT_REJECTED, "the provider refused the client",
                        "{\"error\":\"invalid_client\",\"error_description\":\"The OAuth client was deleted.\"}", null, List.of(), null);
                case "unavailable" -> new MailException(MailErrorCode.OAUTH_PROVIDER_UNAVAILABLE, "token endpoint answered 503",
                        "HTTP 503 {\"error\":\"temporarily_unavailable\"}", Duration.ZERO, null);
                default -> error(failure, "Token has been expired or revoked.");
            };
        }
        checkClient(client);
        String value = refreshToken.reveal();
        String email = rotate ? refreshTokens.remove(value) : refreshTokens.get(value);
        if (email == null) {
            throw error("invalid_grant", "Token has been expired or revoked.");
        }
        TokenResponse.Builder b = TokenResponse.builder(newAccessToken());
        if (rotate) {
            String next = "CANARY-refresh-" + serial.incrementAndGet();
            refreshTokens.put(next, email);
            b.refreshToken(Secret.of(next));
        }
        return b.build();
    }

    /**
     * Revokes a refresh token (it is refused from now on) and counts it.
     *
     * @param client the client
     * @param token the token
     * @param context unused
     */
    @Override
    public void revoke(OAuthClient client, Secret token, TransportContext context) {
        revocations.incrementAndGet();
        refreshTokens.remove(token.reveal());
    }

    /**
     * @param refreshToken a refresh token
     * @return whether it is valid here now (rotation invalidates the old one)
     */
    public boolean accepts(String refreshToken) {
        return refreshTokens.containsKey(refreshToken);
    }

    /** Revokes every grant: every refresh token is refused with invalid_grant from now on. */
    public void revokeAll() {
        refreshTokens.clear();
    }

    /**
     * @param value the lifetime of access tokens it issues; default 1 hour
     * @return this
     */
    public ScriptedAuthorizationServer lifetime(Duration value) {
        this.lifetime = value;
        return this;
    }

    /**
     * @param value whether a refresh issues a new refresh token and invalidates the old; default true
     * @return this
     */
    public ScriptedAuthorizationServer rotate(boolean value) {
        this.rotate = value;
        return this;
    }

    /**
     * @param value whether the exchange reports the granted scopes; default true
     * @return this
     */
    public ScriptedAuthorizationServer reportScopes(boolean value) {
        this.reportScopes = value;
        return this;
    }

    /**
     * @param error {@code invalid_grant}, {@code invalid_client}, {@code unavailable}, or {@code null} to answer normally
     * @return this
     */
    public ScriptedAuthorizationServer failRefreshWith(String error) {
        this.failRefreshWith = error;
        return this;
    }

    /**
     * Refreshes count {@code entered} down and then wait until {@code gate} opens (at most 30 s).
     *
     * @param entered counted down by each refresh, or {@code null}
     * @param gate what refreshes wait for, or {@code null} to stop holding them
     * @return this
     */
    public ScriptedAuthorizationServer holdRefreshes(CountDownLatch entered, CountDownLatch gate) {
        this.refreshEntered = entered;
        this.refreshGate = gate;
        return this;
    }

    private AccessToken newAccessToken() {
        AccessToken t = AccessToken.of("CANARY-access-" + serial.incrementAndGet(), clock.instant().plus(lifetime));
        secretsSeen.add(t.reveal());
        return t;
    }

    private static void checkClient(OAuthClient client) {
        if (!CLIENT_SECRET.equals(client.clientSecret().reveal())) {
            throw new MailException(MailErrorCode.OAUTH_CLIENT_REJECTED, "the provider refused the client",
                    "{\"error\":\"invalid_client\",\"error_description\":\"Unauthorized\"}", null, List.of(), null);
        }
    }

    private static MailException error(String error, String description) {
        return new MailException(MailErrorCode.OAUTH_GRANT_REVOKED, "the provider refused the grant (" + error + ")",
                "{\"error\":\"" + error + "\",\"error_description\":\"" + description + "\"}", null, List.of(), null);
    }

    /**
     * @param verifier a PKCE verifier
     * @return its S256 challenge
     */
    public static String s256(String verifier) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @param uri a URL
     * @return its query parameters, decoded
     */
    public static Map<String, String> query(URI uri) {
        Map<String, String> out = new HashMap<>();
        for (String pair : uri.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            out.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
