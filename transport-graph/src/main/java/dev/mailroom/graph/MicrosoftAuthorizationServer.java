package dev.mailroom.graph;

import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.OAuthClient;
import dev.mailroom.Secret;
import dev.mailroom.graph.internal.MicrosoftTokens;
import dev.mailroom.spi.AuthorizationServer;
import dev.mailroom.spi.ConsentRequest;
import dev.mailroom.spi.TokenResponse;
import dev.mailroom.spi.TransportContext;

import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * The Microsoft identity platform (provider {@code microsoft}): application tokens for accounts with Microsoft 365
 * application credentials ({@code Authentication.microsoftApp(directoryId, client)}), through msal4j's client
 * credentials flow against the directory's own authority ({@code https://login.microsoftonline.com/<directory>/}),
 * or below the client's {@linkplain OAuthClient#tokenEndpoint() token endpoint override}
 * ({@code https://host/<directory>/oauth2/v2.0/token}, e.g. a test server).
 *
 * <p>The client's application (client) ID and secret come from the client registry; Mailroom caches the token per
 * directory, client and scope. Refusals are classified by Microsoft's AADSTS code: a wrong (AADSTS7000215) or
 * expired (AADSTS7000222) secret is {@link MailErrorCode#OAUTH_CLIENT_REJECTED} with a hint saying which, an unknown
 * directory (AADSTS90002) {@link MailErrorCode#INVALID_ACCOUNT}, missing admin consent (AADSTS65001)
 * {@link MailErrorCode#API_PERMISSION_MISSING}; 429 and 5xx are {@link MailErrorCode#OAUTH_PROVIDER_UNAVAILABLE}.
 *
 * <p>Delegated consent (the authorization code flow for Microsoft SMTP, IMAP and POP) is not supported by this
 * version: {@link #consentUrl}, {@link #exchange} and {@link #refresh} fail with
 * {@link MailErrorCode#OAUTH_CLIENT_MISSING}. Found by the service loader; thread-safe.
 */
public final class MicrosoftAuthorizationServer implements AuthorizationServer {
    private final MicrosoftTokens tokens = new MicrosoftTokens();

    /** The service loader's constructor. */
    public MicrosoftAuthorizationServer() {
    }

    /** @return {@code microsoft} */
    @Override
    public String provider() {
        return "microsoft";
    }

    /**
     * Not supported by this version (delegated consent).
     *
     * @param client the client
     * @param request the consent
     * @return never
     * @throws MailException {@link MailErrorCode#OAUTH_CLIENT_MISSING}
     */
    @Override
    public URI consentUrl(OAuthClient client, ConsentRequest request) {
        throw delegatedUnsupported(client);
    }

    /**
     * Not supported by this version (delegated consent).
     *
     * @param client the client
     * @param code the code
     * @param codeVerifier the verifier
     * @param context the context
     * @return never
     * @throws MailException {@link MailErrorCode#OAUTH_CLIENT_MISSING}
     */
    @Override
    public TokenResponse exchange(OAuthClient client, String code, Secret codeVerifier, TransportContext context) {
        throw delegatedUnsupported(client);
    }

    /**
     * Not supported by this version (delegated consent).
     *
     * @param client the client
     * @param refreshToken the refresh token
     * @param context the context
     * @return never
     * @throws MailException {@link MailErrorCode#OAUTH_CLIENT_MISSING}
     */
    @Override
    public TokenResponse refresh(OAuthClient client, Secret refreshToken, TransportContext context) {
        throw delegatedUnsupported(client);
    }

    @Override
    public TokenResponse clientCredentials(OAuthClient client, String directory, List<String> scopes, TransportContext context) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(scopes, "scopes");
        Objects.requireNonNull(context, "context");
        return tokens.clientCredentials(client, directory, scopes, context);
    }

    private static MailException delegatedUnsupported(OAuthClient client) {
        return new MailException(MailErrorCode.OAUTH_CLIENT_MISSING, "OAuth client " + client.id() + " (microsoft): delegated consent for "
                + "Microsoft mailboxes is not supported by this version of mailroom-transport-graph", null, "Use Microsoft 365 application "
                + "credentials: Authentication.microsoftApp(directoryId, client) with SendSettings.graph().", List.of(), null);
    }

    @Override
    public String toString() {
        return "MicrosoftAuthorizationServer";
    }
}
