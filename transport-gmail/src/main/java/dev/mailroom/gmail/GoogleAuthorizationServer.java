package dev.mailroom.gmail;

import com.google.api.client.googleapis.auth.oauth2.GoogleAuthorizationCodeRequestUrl;
import dev.mailroom.OAuthClient;
import dev.mailroom.Secret;
import dev.mailroom.gmail.internal.GoogleTokens;
import dev.mailroom.spi.AuthorizationServer;
import dev.mailroom.spi.ConsentRequest;
import dev.mailroom.spi.TokenResponse;
import dev.mailroom.spi.TransportContext;

import java.net.URI;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Google's OAuth 2.0 for Mailroom (provider id {@code google}): the consent URL of Google's authorization code
 * flow with PKCE ({@code S256}), offline access and a consent prompt so that Google issues a refresh token; the code
 * exchange and the refresh at Google's token endpoint (or the client's endpoint overrides); who consented from the
 * OpenID Connect id token ({@code email}, {@code email_verified}), for which the scopes {@code openid} and
 * {@code email} are asked too. Found by the service loader; stateless and thread-safe.
 *
 * <p>Errors follow {@link AuthorizationServer}: {@code invalid_grant} is
 * {@link dev.mailroom.MailErrorCode#OAUTH_GRANT_REVOKED}; {@code invalid_client}, {@code unauthorized_client} and
 * other refusals of the request are {@link dev.mailroom.MailErrorCode#OAUTH_CLIENT_REJECTED}; network errors, 5xx,
 * 429 and {@code temporarily_unavailable} are {@link dev.mailroom.MailErrorCode#OAUTH_PROVIDER_UNAVAILABLE} with the
 * {@code Retry-After} Google gave.
 */
public final class GoogleAuthorizationServer implements AuthorizationServer {
    /** Google's authorization (consent) endpoint. */
    public static final URI AUTHORIZATION_ENDPOINT = URI.create("https://accounts.google.com/o/oauth2/v2/auth");
    /** Google's token endpoint. */
    public static final URI TOKEN_ENDPOINT = URI.create(GoogleTokens.TOKEN_ENDPOINT);
    /** Google's revocation endpoint (with a token endpoint override: {@code revoke} next to it). */
    public static final URI REVOKE_ENDPOINT = URI.create("https://oauth2.googleapis.com/revoke");
    /** The scope the Gmail transport needs. */
    public static final String GMAIL_SEND_SCOPE = "https://www.googleapis.com/auth/gmail.send";
    /** The scope of full mailbox access, the only one SMTP and IMAP with XOAUTH2 take. */
    public static final String FULL_MAIL_SCOPE = "https://mail.google.com/";

    /** The server; the service loader uses this constructor. */
    public GoogleAuthorizationServer() {
    }

    /** @return {@code google} */
    @Override
    public String provider() {
        return "google";
    }

    /** @return {@code openid} and {@code email}: the id token then names the mailbox that consented */
    @Override
    public List<String> identityScopes() {
        return List.of("openid", "email");
    }

    /**
     * @param client the registered client
     * @param request what this consent asks for
     * @return Google's consent URL with response_type=code, client_id, redirect_uri, scope, state, the PKCE
     *         challenge (S256), access_type=offline, prompt=consent, login_hint and include_granted_scopes=true
     */
    @Override
    public URI consentUrl(OAuthClient client, ConsentRequest request) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(request, "request");
        Set<String> scopes = new LinkedHashSet<>(client.scopes());
        scopes.addAll(request.scopes());
        scopes.addAll(identityScopes());
        String endpoint = client.authorizationEndpoint().orElse(AUTHORIZATION_ENDPOINT).toString();
        GoogleAuthorizationCodeRequestUrl url = new GoogleAuthorizationCodeRequestUrl(endpoint, client.clientId(),
                client.redirectUri().toString(), scopes);
        url.setState(request.state()).setAccessType("offline");
        url.set("prompt", "consent");
        url.set("code_challenge", request.codeChallenge());
        url.set("code_challenge_method", "S256");
        url.set("login_hint", request.loginHint());
        url.set("include_granted_scopes", "true");
        return URI.create(url.build());
    }

    /**
     * @param sending how the account sends
     * @return the Gmail API: {@code gmail.send} (or full mail access); SMTP: {@code https://mail.google.com/}; else none
     */
    @Override
    public List<String> scopesFor(dev.mailroom.SendSettings.Kind sending) {
        return switch (sending) {
            case GMAIL_API -> List.of(GMAIL_SEND_SCOPE, FULL_MAIL_SCOPE);
            case SMTP -> List.of(FULL_MAIL_SCOPE);
            default -> List.of();
        };
    }

    @Override
    public TokenResponse exchange(OAuthClient client, String code, Secret codeVerifier, TransportContext context) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(codeVerifier, "codeVerifier");
        Objects.requireNonNull(context, "context");
        return GoogleTokens.exchange(client, code, codeVerifier, context);
    }

    @Override
    public TokenResponse refresh(OAuthClient client, Secret refreshToken, TransportContext context) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(refreshToken, "refreshToken");
        Objects.requireNonNull(context, "context");
        return GoogleTokens.refresh(client, refreshToken, context);
    }

    /**
     * Revokes a token at Google's revocation endpoint (RFC 7009), which ends the whole grant.
     *
     * @param client the registered client
     * @param token the refresh or access token
     * @param context timeouts and TLS
     * @throws dev.mailroom.MailException {@link dev.mailroom.MailErrorCode#OAUTH_PROVIDER_UNAVAILABLE} when Google cannot be reached
     *         or does not confirm (with its status and error, never the token)
     */
    @Override
    public void revoke(OAuthClient client, Secret token, TransportContext context) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(token, "token");
        URI endpoint = client.tokenEndpoint().map(t -> t.resolve("revoke")).orElse(REVOKE_ENDPOINT);
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().connectTimeout(context.connectTimeout())
                .sslContext(context.defaultTls()).build();
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(endpoint).timeout(context.readTimeout())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("token=" + java.net.URLEncoder.encode(token.reveal(),
                        java.nio.charset.StandardCharsets.UTF_8))).build();
        java.net.http.HttpResponse<String> response;
        try {
            response = http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new dev.mailroom.MailException(dev.mailroom.MailErrorCode.OAUTH_PROVIDER_UNAVAILABLE, "Google's revocation endpoint could"
                    + " not be reached (" + e.getClass().getSimpleName() + ")", null, null, List.of(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new dev.mailroom.MailException(dev.mailroom.MailErrorCode.OAUTH_PROVIDER_UNAVAILABLE, "interrupted while revoking a token");
        }
        if (response.statusCode() != 200) {
            String body = response.body() == null ? "" : response.body().strip();
            throw new dev.mailroom.MailException(dev.mailroom.MailErrorCode.OAUTH_PROVIDER_UNAVAILABLE, "Google's revocation endpoint answered "
                    + response.statusCode(), response.statusCode() + " " + (body.length() > 300 ? body.substring(0, 300) : body), null,
                    List.of(), null);
        }
    }

    @Override
    public String toString() {
        return "GoogleAuthorizationServer";
    }
}
