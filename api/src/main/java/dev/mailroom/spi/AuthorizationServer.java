package dev.mailroom.spi;

import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.OAuthClient;
import dev.mailroom.Secret;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The OAuth 2.0 protocol of one provider (Google, Microsoft): how its consent URL looks, how a code is
 * exchanged and a token refreshed, and what its errors mean. Mailroom owns everything around it (the client
 * registry, PKCE, the single-use state, the identity check, token caching, single-flight refresh, holding an
 * account's mail while it waits for consent); an implementation only speaks to the provider.
 *
 * <p>Found through {@link java.util.ServiceLoader} (register the class in
 * {@code META-INF/services/dev.mailroom.spi.AuthorizationServer}) or registered on the builder. Implementations
 * need a public no-argument constructor, are stateless apart from caches, and thread-safe. Every HTTP call
 * uses the timeouts of the {@link TransportContext} it is given and the client's
 * {@linkplain OAuthClient#tokenEndpoint() endpoint override} when there is one.
 *
 * <p>Errors are {@link MailException}s classified on the OAuth {@code error} field:
 * {@code invalid_grant} → {@link MailErrorCode#OAUTH_GRANT_REVOKED}; {@code invalid_client},
 * {@code unauthorized_client} → {@link MailErrorCode#OAUTH_CLIENT_REJECTED}; network errors, HTTP 5xx and 429,
 * {@code temporarily_unavailable} → {@link MailErrorCode#OAUTH_PROVIDER_UNAVAILABLE} (with the
 * {@code Retry-After} the provider gave). No token, secret, code or verifier ever appears in a message.
 */
public interface AuthorizationServer {

    /**
     * The provider id that {@link OAuthClient#provider()} names: lower-case letters, digits and '-'.
     *
     * @return e.g. {@code google}
     */
    String provider();

    /**
     * Scopes asked for on top of the client's own so that the reply says who consented (e.g. {@code openid}
     * and {@code email}); they are not required to be granted.
     *
     * @return the scopes, empty by default
     */
    default List<String> identityScopes() {
        return List.of();
    }

    /**
     * The URL the administrator's browser is sent to: the authorization code flow with the PKCE challenge,
     * the state, the login hint, offline access and a consent prompt so that a refresh token is issued.
     *
     * @param client the registered client
     * @param request what this consent asks for
     * @return the URL
     */
    URI consentUrl(OAuthClient client, ConsentRequest request);

    /**
     * Exchanges an authorization code for tokens and the identity of who consented.
     *
     * @param client the registered client, with its real secret
     * @param code the code the provider passed to the redirect URL
     * @param codeVerifier the PKCE verifier belonging to the challenge of the consent URL
     * @param context timeouts and TLS for the call
     * @return the tokens; a refresh token is expected
     * @throws MailException classified as this interface describes
     */
    TokenResponse exchange(OAuthClient client, String code, Secret codeVerifier, TransportContext context);

    /**
     * Gets a fresh access token with a refresh token. When the provider rotates the refresh token, the response
     * carries the new one, and the caller stores it before the access token is used.
     *
     * @param client the registered client, with its real secret
     * @param refreshToken the refresh token of the grant
     * @param context timeouts and TLS for the call
     * @return the tokens
     * @throws MailException classified as this interface describes
     */
    TokenResponse refresh(OAuthClient client, Secret refreshToken, TransportContext context);

    /**
     * Gets an access token for the application itself (the OAuth 2.0 client credentials grant, e.g. Microsoft 365
     * application credentials): no mailbox consents and there is no refresh token; a new token is requested when
     * the old one expires. Mailroom caches the token per directory, client and scope, and calls this only when it
     * needs a new one (also after a server refused the cached one), so an implementation must not hand back a
     * token from a cache of its own.
     *
     * @param client the registered client (application ID and secret), with its real secret
     * @param directory the directory (Microsoft tenant ID or domain) the token is for
     * @param scopes the scopes, e.g. {@code https://graph.microsoft.com/.default}
     * @param context timeouts and TLS for the call
     * @return the token; it carries no refresh token
     * @throws MailException classified as this interface describes; by default
     *         {@link MailErrorCode#OAUTH_CLIENT_MISSING}: this provider has no client credentials grant
     */
    default TokenResponse clientCredentials(OAuthClient client, String directory, List<String> scopes, TransportContext context) {
        throw new MailException(MailErrorCode.OAUTH_CLIENT_MISSING, "the OAuth provider '" + provider() + "' of client " + client.id()
                + " does not support application credentials (the client credentials grant)", null,
                "Use an account that logs in with OAuth 2.0 consent, or add the module of a provider that supports application"
                        + " credentials (transport-graph for Microsoft).", List.of(), null);
    }

    /**
     * Revokes a token at the provider (RFC 7009), so that the grant it belongs to ends. Mailroom calls it, best
     * effort, with the refresh token (or, when none was issued, the access token) of a consent it refuses (another
     * mailbox consented, a scope is missing), so that no usable grant is left behind at the provider. A failure is
     * logged and otherwise ignored.
     *
     * @param client the registered client, with its real secret
     * @param token the token to revoke
     * @param context timeouts and TLS for the call
     * @throws MailException classified as this interface describes; the default does nothing (the provider has no
     *         revocation Mailroom knows)
     */
    default void revoke(OAuthClient client, Secret token, TransportContext context) {
    }

    /**
     * The scopes a grant needs, at least one of them, to send through the given kind of transport with this
     * provider (Google: the Gmail API takes {@code gmail.send} or {@code https://mail.google.com/}; SMTP and IMAP
     * take only {@code https://mail.google.com/}). Mailroom checks it when a consent is completed and before it uses
     * a grant, when the provider reported the granted scopes, and refuses with
     * {@link MailErrorCode#OAUTH_SCOPE_MISSING} naming the scope to add to the client and connect again with.
     *
     * @param sending how the account sends
     * @return the scopes, any one of which suffices, the preferred first; empty (the default) for no check
     */
    default List<String> scopesFor(dev.mailroom.SendSettings.Kind sending) {
        return List.of();
    }

    /**
     * How long a grant may go without a refresh before the provider lets its refresh token expire for inactivity
     * (Microsoft: 90 days), less a safety margin: Mailroom refreshes, in the background, every grant of this provider
     * whose token was last issued longer ago than this, so that an account that sends rarely stays connected. The
     * refresh follows the usual rules (one node at a time, a rotated refresh token stored before use, failures
     * classified as for any refresh).
     *
     * @return the longest time without a refresh; empty (the default) when the provider's refresh tokens do not
     *         expire for inactivity
     */
    default Optional<Duration> idleRefresh() {
        return Optional.empty();
    }
}
