package dev.mailroom.graph.internal;

import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.ClientCredentialParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IAuthenticationResult;
import com.microsoft.aad.msal4j.MsalServiceException;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.OAuthClient;
import dev.mailroom.spi.AccessToken;
import dev.mailroom.spi.TokenResponse;
import dev.mailroom.spi.TransportContext;

import java.net.MalformedURLException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Client credentials tokens from the Microsoft identity platform with msal4j: one {@link ConfidentialClientApplication}
 * per directory, client (ID and secret) and transport context, so its metadata and token cache live as long as the
 * registration. Mailroom's core caches the tokens and asks only when it needs a new one, so msal4j's cache is skipped
 * (a token a server refused is never handed back). Errors are classified by the AADSTS code in Microsoft's reply; no
 * secret ever appears in a message.
 */
public final class MicrosoftTokens {
    /** Microsoft's public cloud. */
    public static final String DEFAULT_AUTHORITY_HOST = "https://login.microsoftonline.com/";

    private record AppKey(String authority, String clientId, String secretDigest, TransportContext context) {
    }

    private final Map<AppKey, ConfidentialClientApplication> apps = new ConcurrentHashMap<>();

    /**
     * Gets an application token.
     *
     * @param client the registered client with its real secret
     * @param directory the directory (tenant) ID or domain
     * @param scopes the scopes, e.g. {@code https://graph.microsoft.com/.default}
     * @param context timeouts and TLS
     * @return the token
     */
    public TokenResponse clientCredentials(OAuthClient client, String directory, List<String> scopes, TransportContext context) {
        String authority = authority(client, directory);
        ConfidentialClientApplication app = app(client, authority, context);
        ClientCredentialParameters p = ClientCredentialParameters.builder(new LinkedHashSet<>(scopes)).skipCache(true).build();
        Duration bound = context.connectTimeout().plus(context.readTimeout()).plus(context.writeTimeout()).multipliedBy(2);
        IAuthenticationResult r;
        try {
            r = app.acquireToken(p).get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw MicrosoftErrors.unavailable(client, directory, "interrupted while waiting for Microsoft's token endpoint", null, null);
        } catch (TimeoutException e) {
            throw MicrosoftErrors.unavailable(client, directory, "Microsoft's token endpoint did not answer within " + bound, null, null);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof MsalServiceException s) {
                throw MicrosoftErrors.classify(client, directory, s);
            }
            throw MicrosoftErrors.unavailable(client, directory, "Microsoft's token endpoint could not be reached (" + MicrosoftErrors.describe(cause)
                    + ")", null, null);
        }
        return TokenResponse.builder(AccessToken.of(r.accessToken(), r.expiresOnDate().toInstant())).grantedScopes(
                r.scopes() == null || r.scopes().isBlank() ? java.util.Set.of() : java.util.Set.of(r.scopes().split(" "))).build();
    }

    /** The tenant-specific authority, or the one the client's token endpoint override lies under. */
    static String authority(OAuthClient client, String directory) {
        if (client.tokenEndpoint().isPresent()) {
            String t = client.tokenEndpoint().get().toString();
            int i = t.indexOf("oauth2/");
            String base = i > 0 ? t.substring(0, i) : t.endsWith("/") ? t : t + "/";
            // an override names the directory in its path already (https://host/{directory}/oauth2/v2.0/token)
            return base;
        }
        return DEFAULT_AUTHORITY_HOST + directory + "/";
    }

    private ConfidentialClientApplication app(OAuthClient client, String authority, TransportContext context) {
        String secret = client.clientSecret().reveal();
        AppKey key = new AppKey(authority, client.clientId(), digest(secret), context);
        return apps.computeIfAbsent(key, k -> {
            try {
                Duration request = context.readTimeout().plus(context.writeTimeout());
                return ConfidentialClientApplication.builder(client.clientId(), ClientCredentialFactory.createFromSecret(secret))
                        .authority(authority).instanceDiscovery(false).validateAuthority(false)
                        .httpClient(new JdkHttp(context.defaultTls(), context.connectTimeout(), request))
                        .build();
            } catch (MalformedURLException | IllegalArgumentException e) {
                throw new MailException(MailErrorCode.INVALID_ACCOUNT, "the Microsoft authority " + authority + " is not a valid URL: "
                        + e.getMessage(), null, "Check the directory (tenant) ID of the account, e.g. contoso.onmicrosoft.com or a GUID.",
                        List.of(), null);
            }
        });
    }

    /** @return how many msal4j applications are held (one per directory, client and context) */
    public int applications() {
        return apps.size();
    }

    private static String digest(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static URI tokenEndpoint(String authority) {
        return URI.create(authority + "oauth2/v2.0/token");
    }
}
