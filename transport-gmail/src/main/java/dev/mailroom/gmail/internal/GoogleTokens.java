package dev.mailroom.gmail.internal;

import com.google.api.client.auth.oauth2.TokenErrorResponse;
import com.google.api.client.auth.oauth2.TokenRequest;
import com.google.api.client.auth.oauth2.TokenResponseException;
import com.google.api.client.googleapis.auth.oauth2.GoogleAuthorizationCodeTokenRequest;
import com.google.api.client.googleapis.auth.oauth2.GoogleIdToken;
import com.google.api.client.googleapis.auth.oauth2.GoogleRefreshTokenRequest;
import com.google.api.client.googleapis.auth.oauth2.GoogleTokenResponse;
import com.google.api.client.http.GenericUrl;
import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.api.client.json.gson.GsonFactory;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.OAuthClient;
import dev.mailroom.Secret;
import dev.mailroom.spi.AccessToken;
import dev.mailroom.spi.TokenResponse;
import dev.mailroom.spi.TransportContext;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Google's token endpoint through Google's OAuth client classes ({@code GoogleAuthorizationCodeTokenRequest},
 * {@code GoogleRefreshTokenRequest}): the client authenticates with its ID and secret in the form, the PKCE
 * verifier goes with the code, the id token's {@code email} and {@code email_verified} say who consented. The id
 * token comes straight from the token endpoint over TLS, so its signature is not checked (OpenID Connect Core
 * 3.1.3.7, item 6). No token, secret, code or verifier is put in a message.
 */
public final class GoogleTokens {
    private static final java.util.Set<String> GOOGLE_ISSUERS = java.util.Set.of("https://accounts.google.com", "accounts.google.com");
    /** Google's token endpoint. */
    public static final String TOKEN_ENDPOINT = "https://oauth2.googleapis.com/token";

    private GoogleTokens() {
    }

    /**
     * Exchanges a code.
     *
     * @param client the client, with its real secret
     * @param code the authorization code
     * @param verifier the PKCE verifier
     * @param context timeouts and TLS
     * @return the tokens
     */
    public static TokenResponse exchange(OAuthClient client, String code, Secret verifier, TransportContext context) {
        GoogleAuthorizationCodeTokenRequest r = new GoogleAuthorizationCodeTokenRequest(http(context), GsonFactory.getDefaultInstance(),
                endpoint(client), client.clientId(), client.clientSecret().reveal(), code, client.redirectUri().toString());
        r.set("code_verifier", verifier.reveal());
        r.setRequestInitializer(new Exchange(context.connectTimeout(), context.readTimeout(), context.writeTimeout(), null));
        return execute(r, "exchanging the authorization code", client.clientId(), context, () -> r.execute());
    }

    /**
     * Refreshes.
     *
     * @param client the client, with its real secret
     * @param refreshToken the grant's refresh token
     * @param context timeouts and TLS
     * @return the tokens, with a new refresh token when Google issued one
     */
    public static TokenResponse refresh(OAuthClient client, Secret refreshToken, TransportContext context) {
        GoogleRefreshTokenRequest r = new GoogleRefreshTokenRequest(http(context), GsonFactory.getDefaultInstance(), refreshToken.reveal(),
                client.clientId(), client.clientSecret().reveal());
        r.setTokenServerUrl(new GenericUrl(endpoint(client)));
        r.setRequestInitializer(new Exchange(context.connectTimeout(), context.readTimeout(), context.writeTimeout(), null));
        return execute(r, "refreshing the access token", client.clientId(), context, () -> r.execute());
    }

    private interface Request {
        GoogleTokenResponse run() throws IOException;
    }

    private static TokenResponse execute(TokenRequest request, String what, String clientId, TransportContext context, Request call) {
        GoogleTokenResponse g;
        try {
            g = call.run();
        } catch (TokenResponseException e) {
            throw classify(e, what, context.clock().instant());
        } catch (IOException e) {
            // Only the exception's class and message: they name the endpoint, never a form value.
            throw new MailException(MailErrorCode.OAUTH_PROVIDER_UNAVAILABLE, "Google's token endpoint could not be reached while " + what
                    + " (" + e.getClass().getSimpleName() + (e.getMessage() != null ? ": " + e.getMessage() : "") + ")", null, null, List.of(), e);
        }
        Instant now = context.clock().instant();
        if (g.getAccessToken() == null || g.getAccessToken().isBlank()) {
            throw new MailException(MailErrorCode.OAUTH_PROVIDER_UNAVAILABLE, "Google's token endpoint answered without an access token while " + what);
        }
        AccessToken access = g.getExpiresInSeconds() != null ? AccessToken.of(g.getAccessToken(), now.plusSeconds(g.getExpiresInSeconds()))
                : AccessToken.of(g.getAccessToken());
        TokenResponse.Builder b = TokenResponse.builder(access);
        if (g.getRefreshToken() != null && !g.getRefreshToken().isBlank()) {
            b.refreshToken(Secret.of(g.getRefreshToken()));
        }
        if (g.getScope() != null && !g.getScope().isBlank()) {
            b.grantedScopes(new LinkedHashSet<>(Arrays.asList(g.getScope().trim().split("\\s+"))));
        }
        if (g.getIdToken() != null && !g.getIdToken().isBlank()) {
            identity(g, clientId).ifPresent(b::identity);
        }
        return b.build();
    }

    private static Optional<TokenResponse.GrantedIdentity> identity(GoogleTokenResponse g, String clientId) {
        GoogleIdToken.Payload p;
        try {
            p = g.parseIdToken().getPayload();
        } catch (IOException | IllegalArgumentException e) {
            throw new MailException(MailErrorCode.OAUTH_PROVIDER_UNAVAILABLE, "Google's token endpoint answered with an id token that cannot be read ("
                    + e.getClass().getSimpleName() + ")");
        }
        // Straight from the token endpoint over TLS the signature need not be checked (OpenID Connect Core 3.1.3.7),
        // but the token must be Google's and meant for this client: else it says nothing about who consented here.
        if (!GOOGLE_ISSUERS.contains(p.getIssuer()) || p.getAudienceAsList() == null || !p.getAudienceAsList().contains(clientId)) {
            throw new MailException(MailErrorCode.OAUTH_WRONG_ACCOUNT, "the id token from the token endpoint was not issued by Google for this"
                    + " client (issuer " + p.getIssuer() + ", audience " + p.getAudienceAsList() + "); nothing was stored");
        }
        if (p.getEmail() == null) {
            return Optional.empty();
        }
        return Optional.of(new TokenResponse.GrantedIdentity(p.getEmail(), Boolean.TRUE.equals(p.getEmailVerified()), List.of()));
    }

    /**
     * Classifies a refusal on its OAuth {@code error} field and status.
     *
     * @param e the refusal
     * @param what what was being done
     * @param now the current time
     * @return the exception
     */
    static MailException classify(TokenResponseException e, String what, Instant now) {
        TokenErrorResponse d = e.getDetails();
        String error = d != null && d.getError() != null ? d.getError() : "";
        String description = d != null && d.getErrorDescription() != null ? d.getErrorDescription() : "";
        String reply = e.getStatusCode() + (error.isEmpty() ? "" : " " + error) + (description.isEmpty() ? "" : ": " + description);
        int status = e.getStatusCode();
        switch (error.toLowerCase(Locale.ROOT)) {
            case "invalid_grant":
                return new MailException(MailErrorCode.OAUTH_GRANT_REVOKED, "Google refused the grant while " + what, reply, null, List.of(), null);
            case "invalid_client", "unauthorized_client":
                return new MailException(MailErrorCode.OAUTH_CLIENT_REJECTED, "Google refused the OAuth client while " + what, reply, null, List.of(),
                        null);
            default:
                break;
        }
        if (status >= 500 || status == 429 || "temporarily_unavailable".equalsIgnoreCase(error)) {
            String header = e.getHeaders().getFirstHeaderStringValue("Retry-After");
            Optional<Duration> wait = Failures.retryAfter(new Failures.Reply(status, Set.of(), "", header, null), now);
            String message = "Google's token endpoint is unavailable (" + status + ") while " + what;
            return wait.map(w -> new MailException(MailErrorCode.OAUTH_PROVIDER_UNAVAILABLE, message, reply, w, null))
                    .orElseGet(() -> new MailException(MailErrorCode.OAUTH_PROVIDER_UNAVAILABLE, message, reply, null, List.of(), null));
        }
        // invalid_request, invalid_scope, redirect_uri_mismatch...: the client registration does not fit Google's.
        return new MailException(MailErrorCode.OAUTH_CLIENT_REJECTED, "Google refused the request while " + what + " (" + (error.isEmpty()
                ? "HTTP " + status : error) + ")", reply, null, List.of(), null);
    }

    private static String endpoint(OAuthClient client) {
        return client.tokenEndpoint().map(Object::toString).orElse(TOKEN_ENDPOINT);
    }

    private static NetHttpTransport http(TransportContext context) {
        return new NetHttpTransport.Builder().setSslSocketFactory(context.defaultTls().getSocketFactory()).build();
    }
}
