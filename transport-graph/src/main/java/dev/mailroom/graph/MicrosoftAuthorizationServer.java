package dev.mailroom.graph;

import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.OAuthClient;
import dev.mailroom.Secret;
import dev.mailroom.graph.internal.MicrosoftDelegated;
import dev.mailroom.graph.internal.MicrosoftTokens;
import dev.mailroom.spi.AuthorizationServer;
import dev.mailroom.spi.ConsentRequest;
import dev.mailroom.spi.TokenResponse;
import dev.mailroom.spi.TransportContext;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Objects;

/**
 * The Microsoft identity platform (provider {@code microsoft}), for both ways a Microsoft 365 mailbox connects:
 *
 * <ul>
 *   <li><b>Delegated</b> ({@code Authentication.oauth2(mailbox, client)}): the authorization code flow with PKCE
 *   ({@code S256}) against the directory's authority, {@code https://login.microsoftonline.com/<directory>/oauth2/v2.0/},
 *   where the directory is the client registration's ({@link OAuthClient#directory()}: a tenant ID or domain, or
 *   {@code organizations} / {@code common} for apps of several directories; required, else
 *   {@link MailErrorCode#INVALID_ACCOUNT}).
 *   The consent asks for the client's scopes (one resource: {@value #SMTP_SEND} to send over SMTP,
 *   {@value #IMAP_ACCESS} / {@value #POP_ACCESS} to fetch; {@value #SMTP_SEND} when the client names none) plus
 *   {@code openid profile email offline_access}, with the account's address as login hint and an account picker.
 *   Who consented is read from the id token ({@code preferred_username}, the directory's verified sign-in name;
 *   {@code tid} must be the registration's directory when that is a GUID; {@code aud} this client; {@code iss} on the
 *   token endpoint's host; personal accounts and guests are refused). Microsoft rotates
 *   the refresh token on every refresh: the new one is in the {@link TokenResponse}, and Mailroom stores it before the
 *   access token is used. A refresh token unused for 90 days expires, so an idle grant is refreshed every
 *   {@link #IDLE_REFRESH} (14 days).</li>
 *   <li><b>Application</b> ({@code Authentication.microsoftApp(directoryId, client)}): msal4j's client credentials flow
 *   against the directory's authority, for Graph ({@code https://graph.microsoft.com/.default}) or Exchange Online's
 *   SMTP, IMAP and POP ({@code https://outlook.office365.com/.default}).</li>
 * </ul>
 *
 * <p>Endpoints come from the client's overrides when set ({@code https://host/<directory>/oauth2/v2.0/token}, e.g. a
 * test server). Refusals are classified by Microsoft's AADSTS code: a wrong (AADSTS7000215) or expired (AADSTS7000222)
 * secret is {@link MailErrorCode#OAUTH_CLIENT_REJECTED} with a hint saying which, an unknown directory (AADSTS90002)
 * {@link MailErrorCode#INVALID_ACCOUNT}, an app's missing admin consent (AADSTS65001) {@link MailErrorCode#API_PERMISSION_MISSING},
 * {@code invalid_grant} (a refresh token revoked, expired or already rotated away) {@link MailErrorCode#OAUTH_GRANT_REVOKED};
 * for a user's grant, {@code invalid_grant} and {@code interaction_required} are always
 * {@link MailErrorCode#OAUTH_GRANT_REVOKED} (AADSTS65001 there: consent revoked, or scopes added to the client), and so is
 * AADSTS700016 on a refresh (the user's directory removed the app; the client stays usable for other directories);
 * 429 and 5xx are {@link MailErrorCode#OAUTH_PROVIDER_UNAVAILABLE} with the {@code Retry-After} Microsoft gave. Found by
 * the service loader; thread-safe. Every call to the token endpoint ends within the context's connect, read and write
 * timeouts together.
 */
public final class MicrosoftAuthorizationServer implements AuthorizationServer {
    /** Delegated scope to send over SMTP (smtp.office365.com:587 with XOAUTH2) as the signed-in mailbox. */
    public static final String SMTP_SEND = MicrosoftDelegated.SMTP_SEND;
    /** Delegated scope to fetch over IMAP (outlook.office365.com:993 with XOAUTH2). */
    public static final String IMAP_ACCESS = "https://outlook.office.com/IMAP.AccessAsUser.All";
    /** Delegated scope to fetch over POP3 (outlook.office365.com:995 with XOAUTH2). */
    public static final String POP_ACCESS = "https://outlook.office.com/POP.AccessAsUser.All";
    /**
     * How often a grant that nothing used should still be refreshed: Microsoft lets a refresh token expire after 90
     * days without use, so an account that sends rarely would have to be connected again.
     */
    public static final Duration IDLE_REFRESH = Duration.ofDays(14);

    private final MicrosoftTokens tokens = new MicrosoftTokens();
    private final MicrosoftDelegated delegated = new MicrosoftDelegated();

    /** The service loader's constructor. */
    public MicrosoftAuthorizationServer() {
    }

    /** @return {@code microsoft} */
    @Override
    public String provider() {
        return "microsoft";
    }

    /** @return {@link #IDLE_REFRESH}: Microsoft expires a refresh token after 90 days without use */
    @Override
    public Optional<Duration> idleRefresh() {
        return Optional.of(IDLE_REFRESH);
    }

    /** @return {@code openid}, {@code profile}, {@code email} (who consented) and {@code offline_access} (a refresh token) */
    @Override
    public List<String> identityScopes() {
        return MicrosoftDelegated.IDENTITY_SCOPES;
    }

    /**
     * @param client the registered client
     * @param request what this consent asks for
     * @return the authorize URL of the client's directory with response_type=code, client_id, redirect_uri,
     *         response_mode=query, scope, state, the PKCE challenge (S256), login_hint and prompt=select_account
     * @throws MailException {@link MailErrorCode#INVALID_ACCOUNT} when the client's scopes name more than one resource
     */
    @Override
    public URI consentUrl(OAuthClient client, ConsentRequest request) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(request, "request");
        return delegated.consentUrl(client, request);
    }

    @Override
    public TokenResponse exchange(OAuthClient client, String code, Secret codeVerifier, TransportContext context) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(codeVerifier, "codeVerifier");
        Objects.requireNonNull(context, "context");
        return delegated.exchange(client, code, codeVerifier, context);
    }

    /**
     * Refreshes a delegated grant; the response always carries the rotated refresh token.
     *
     * @param client the registered client, with its real secret
     * @param refreshToken the grant's refresh token
     * @param context timeouts and TLS for the call
     * @return the tokens
     */
    @Override
    public TokenResponse refresh(OAuthClient client, Secret refreshToken, TransportContext context) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(refreshToken, "refreshToken");
        Objects.requireNonNull(context, "context");
        return delegated.refresh(client, refreshToken, context);
    }

    @Override
    public TokenResponse clientCredentials(OAuthClient client, String directory, List<String> scopes, TransportContext context) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(scopes, "scopes");
        Objects.requireNonNull(context, "context");
        return tokens.clientCredentials(client, directory, scopes, context);
    }

    @Override
    public String toString() {
        return "MicrosoftAuthorizationServer";
    }
}
