package dev.mailroom.graph.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.OAuthClient;
import dev.mailroom.Secret;
import dev.mailroom.spi.AccessToken;
import dev.mailroom.spi.ConsentRequest;
import dev.mailroom.spi.TokenResponse;
import dev.mailroom.spi.TransportContext;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * The authorization code flow with the Microsoft identity platform (v2.0 endpoints), spoken directly: the consent URL,
 * the code exchange and the refresh are plain form posts to the token endpoint with the JDK's HTTP client, because
 * msal4j keeps refresh tokens inside its own cache and never hands the rotated one out, and Mailroom must store
 * the rotated one before the new access token is used. Who consented comes from the OpenID Connect id token of the
 * same TLS response ({@code tid}, {@code oid}, {@code preferred_username}), which is checked against this client
 * ({@code aud}), its issuer ({@code iss} names the {@code tid}) and, with a tenant-specific authority whose
 * directory is a GUID, the registration's directory. No secret, code, verifier or token is put in a message.
 */
public final class MicrosoftDelegated {
    /** The scope to send over SMTP (smtp.office365.com:587, XOAUTH2) as the signed-in mailbox. */
    public static final String SMTP_SEND = "https://outlook.office.com/SMTP.Send";
    /** OpenID Connect and refresh-token scopes asked with every consent; Microsoft does not list them as granted. */
    public static final List<String> IDENTITY_SCOPES = List.of("openid", "profile", "email", "offline_access");
    /** Authorities that are not one tenant: any work account, any account, personal accounts. */
    static final Set<String> MULTI_TENANT = Set.of("organizations", "common", "consumers");
    /** The directory of personal Microsoft accounts (outlook.com, hotmail.com): not a Microsoft 365 organisation. */
    static final String PERSONAL_ACCOUNTS_TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad";
    private static final Pattern GUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    /** One HTTP client per context (its TLS and connect timeout), dropped with the context: no selector thread is kept for a context gone. */
    private final Map<TransportContext, HttpClient> clients = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    /**
     * @param client the registered client
     * @return its directory (tenant) for the authority: the registration's, else {@code organizations}
     */
    public static String tenant(OAuthClient client) {
        return client.directory().orElse("organizations");
    }

    /**
     * The consent URL.
     *
     * @param client the registered client
     * @param request the consent
     * @return {@code https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize?...} or below the override
     */
    public URI consentUrl(OAuthClient client, ConsentRequest request) {
        requireDirectory(client);
        Set<String> scopes = new LinkedHashSet<>(resourceScopes(client));
        scopes.addAll(request.scopes());
        scopes.addAll(IDENTITY_SCOPES);
        URI endpoint = client.authorizationEndpoint().orElse(URI.create(MicrosoftTokens.DEFAULT_AUTHORITY_HOST + tenant(client)
                + "/oauth2/v2.0/authorize"));
        Map<String, String> q = new LinkedHashMap<>();
        q.put("client_id", client.clientId());
        q.put("response_type", "code");
        q.put("redirect_uri", client.redirectUri().toString());
        q.put("response_mode", "query");
        q.put("scope", String.join(" ", scopes));
        q.put("state", request.state());
        q.put("code_challenge", request.codeChallenge());
        q.put("code_challenge_method", "S256");
        q.put("login_hint", request.loginHint());
        // the administrator may be signed in as someone else: let them pick the mailbox instead of consenting as themselves
        q.put("prompt", "select_account");
        String base = endpoint.toString();
        return URI.create(base + (base.contains("?") ? "&" : "?") + form(q));
    }

    /**
     * Exchanges a code.
     *
     * @param client the client, with its real secret
     * @param code the code
     * @param verifier the PKCE verifier
     * @param context timeouts and TLS
     * @return the tokens with the refresh token and who consented
     */
    public TokenResponse exchange(OAuthClient client, String code, Secret verifier, TransportContext context) {
        requireDirectory(client);
        Map<String, String> f = base(client);
        f.put("grant_type", "authorization_code");
        f.put("code", code);
        f.put("redirect_uri", client.redirectUri().toString());
        f.put("code_verifier", verifier.reveal());
        return post(client, f, context, "exchanging the authorization code", true);
    }

    /**
     * Refreshes; Microsoft answers with a new refresh token every time (the old one stays valid only until it expires,
     * but Mailroom uses the newest).
     *
     * @param client the client, with its real secret
     * @param refreshToken the grant's refresh token
     * @param context timeouts and TLS
     * @return the tokens, with the rotated refresh token
     */
    public TokenResponse refresh(OAuthClient client, Secret refreshToken, TransportContext context) {
        Map<String, String> f = base(client);
        f.put("grant_type", "refresh_token");
        f.put("refresh_token", refreshToken.reveal());
        // who the grant belongs to was settled at the consent: an id token here must not cost the rotated refresh token
        return post(client, f, context, "refreshing the access token", false);
    }

    /**
     * A delegated client names its directory: without one, any work account of any organisation could consent, and only
     * the sign-in name would tie it to the account. {@code organizations} (or {@code common}) must be chosen explicitly.
     */
    static void requireDirectory(OAuthClient client) {
        if (client.directory().isEmpty()) {
            throw new MailException(MailErrorCode.INVALID_ACCOUNT, "OAuth client " + client.id() + " (provider microsoft) names no directory,"
                    + " which delegated sign-in needs", null, "Set OAuthClient.directory to the tenant of the mailboxes: its ID (a GUID) or"
                    + " domain, e.g. contoso.onmicrosoft.com; an app for mailboxes of several organisations sets organizations.", List.of(), null);
        }
    }

    private static Map<String, String> base(OAuthClient client) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("client_id", client.clientId());
        f.put("client_secret", client.clientSecret().reveal());
        List<String> scopes = new ArrayList<>(resourceScopes(client));
        scopes.addAll(IDENTITY_SCOPES);
        f.put("scope", String.join(" ", scopes));
        return f;
    }

    /**
     * The client's scopes of one resource (SMTP.Send when it names none); Microsoft issues a token for one resource, so
     * a registration that mixes two (Graph and Exchange Online) is refused before the browser goes anywhere.
     */
    static List<String> resourceScopes(OAuthClient client) {
        List<String> own = client.scopes().stream().filter(s -> !IDENTITY_SCOPES.contains(s)).toList();
        if (own.isEmpty()) {
            return List.of(SMTP_SEND);
        }
        Set<String> resources = new LinkedHashSet<>();
        for (String s : own) {
            resources.add(resource(s));
        }
        if (resources.size() > 1) {
            throw new MailException(MailErrorCode.INVALID_ACCOUNT, "OAuth client " + client.id() + ": its scopes name " + resources.size()
                    + " resources (" + String.join(", ", resources) + "), but Microsoft issues a token for one", null, "Register one client per"
                    + " resource, e.g. https://outlook.office.com/SMTP.Send and https://outlook.office.com/IMAP.AccessAsUser.All for SMTP and IMAP.",
                    List.of(), null);
        }
        return own;
    }

    private static String resource(String scope) {
        int i = scope.lastIndexOf('/');
        String r = scope.contains("://") && i > scope.indexOf("://") + 2 ? scope.substring(0, i).toLowerCase(Locale.ROOT) : "https://graph.microsoft.com";
        return r.equals("https://outlook.office365.com") ? "https://outlook.office.com" : r; // two names of Exchange Online
    }

    private static String shortName(String scope) {
        return scope.substring(scope.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
    }

    private TokenResponse post(OAuthClient client, Map<String, String> form, TransportContext context, String what, boolean readIdentity) {
        String tenant = tenant(client);
        URI endpoint = client.tokenEndpoint().orElse(URI.create(MicrosoftTokens.DEFAULT_AUTHORITY_HOST + tenant + "/oauth2/v2.0/token"));
        HttpClient http = clients.computeIfAbsent(context, c -> HttpClient.newBuilder().sslContext(c.defaultTls())
                .connectTimeout(c.connectTimeout()).followRedirects(HttpClient.Redirect.NEVER).version(HttpClient.Version.HTTP_1_1).build());
        HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(context.readTimeout().plus(context.writeTimeout()))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(form(form))).build();
        HttpResponse<String> r;
        // the request timeout may end with the response headers: the whole call, body included, gets its own deadline
        Duration deadline = context.connectTimeout().plus(context.readTimeout()).plus(context.writeTimeout());
        CompletableFuture<HttpResponse<String>> call = http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
        try {
            r = call.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            call.cancel(true);
            Thread.currentThread().interrupt();
            throw MicrosoftErrors.unavailable(client, tenant, "interrupted while " + what, null, null);
        } catch (TimeoutException e) {
            call.cancel(true);
            throw MicrosoftErrors.unavailable(client, tenant, "Microsoft's token endpoint timed out while " + what + " (no complete answer"
                    + " within " + deadline.toMillis() + " ms)", null, null);
        } catch (ExecutionException e) {
            throw MicrosoftErrors.unavailable(client, tenant, "Microsoft's token endpoint could not be reached while " + what + " ("
                    + MicrosoftErrors.describe(e.getCause() == null ? e : e.getCause()) + ")", null, null);
        }
        JsonObject body = json(r.body());
        if (r.statusCode() != 200) {
            throw MicrosoftErrors.classify(readIdentity ? MicrosoftErrors.Flow.CODE : MicrosoftErrors.Flow.REFRESH, client, tenant, r.statusCode(),
                    text(body, "error"), text(body, "error_description"), r.headers().map());
        }
        String access = text(body, "access_token");
        if (access == null || access.isBlank()) {
            throw MicrosoftErrors.unavailable(client, tenant, "Microsoft's token endpoint answered without an access token while " + what, null, null);
        }
        Instant now = context.clock().instant();
        String expires = text(body, "expires_in");
        AccessToken token = expires != null && expires.matches("\\d{1,9}") ? AccessToken.of(access, now.plusSeconds(Long.parseLong(expires)))
                : AccessToken.of(access);
        TokenResponse.Builder b = TokenResponse.builder(token);
        String refresh = text(body, "refresh_token");
        if (refresh != null && !refresh.isBlank()) {
            b.refreshToken(Secret.of(refresh));
        }
        String scope = text(body, "scope");
        if (scope != null && !scope.isBlank()) {
            b.grantedScopes(granted(client, List.of(scope.trim().split("\\s+"))));
        }
        String idToken = text(body, "id_token");
        if (readIdentity && idToken != null && !idToken.isBlank()) {
            b.identity(identity(client, idToken));
        }
        return b.build();
    }

    /**
     * What Microsoft granted, with the client's own spelling of a scope added when Microsoft names it in another
     * (e.g. without the resource, or in other case), so that the check of the client's scopes compares like with like.
     */
    static Set<String> granted(OAuthClient client, List<String> reply) {
        Set<String> out = new LinkedHashSet<>(reply);
        for (String wanted : client.scopes()) {
            if (IDENTITY_SCOPES.contains(wanted)) { // never listed by Microsoft; the tokens in this reply are their grant
                out.add(wanted);
                continue;
            }
            for (String g : reply) {
                boolean sameResource = !g.contains("://") || resource(g).equals(resource(wanted));
                if (g.equalsIgnoreCase(wanted) || sameResource && shortName(g).equals(shortName(wanted))) {
                    out.add(wanted);
                }
            }
        }
        return out;
    }

    /** Who consented, from the id token's claims, checked against this client and its directory. */
    static TokenResponse.GrantedIdentity identity(OAuthClient client, String idToken) {
        JsonObject c = claims(idToken).orElseThrow(() -> new MailException(MailErrorCode.OAUTH_PROVIDER_UNAVAILABLE,
                "Microsoft's token endpoint answered with an id token that cannot be read"));
        String aud = text(c, "aud");
        String tid = text(c, "tid");
        String iss = text(c, "iss");
        String oid = text(c, "oid");
        String authority = authorityHost(client);
        if (!client.clientId().equals(aud) || tid == null || iss == null || !iss.equalsIgnoreCase(authority + tid + "/v2.0")) {
            throw new MailException(MailErrorCode.OAUTH_WRONG_ACCOUNT, "the id token from Microsoft's token endpoint was not issued for this"
                    + " client (issuer " + iss + ", audience " + aud + "); nothing was stored");
        }
        if (PERSONAL_ACCOUNTS_TENANT.equalsIgnoreCase(tid)) {
            throw new MailException(MailErrorCode.OAUTH_WRONG_ACCOUNT, "a personal Microsoft account (directory " + tid + ") consented; Mailroom"
                    + " connects Microsoft 365 work mailboxes only; nothing was stored", null, "Sign in with the organisation's mailbox, or"
                    + " register the client with the organisation's directory instead of common.", List.of(), null);
        }
        String idp = text(c, "idp");
        if (idp != null && !idp.isBlank() && !idp.equalsIgnoreCase(iss)
                && !idp.toLowerCase(Locale.ROOT).contains("/" + tid.toLowerCase(Locale.ROOT) + "/")) {
            // a guest signs in with the account of another directory or provider; their preferred_username is not this directory's
            throw new MailException(MailErrorCode.OAUTH_WRONG_ACCOUNT, "a guest of directory " + tid + " (signed in through " + idp + ")"
                    + " consented, not a member; nothing was stored", null, "Sign in with the mailbox's own account, in its home directory.",
                    List.of(), null);
        }
        String directory = client.directory().orElse("");
        if (GUID.matcher(directory).matches() && !directory.equalsIgnoreCase(tid)) {
            throw new MailException(MailErrorCode.OAUTH_WRONG_ACCOUNT, "the mailbox that consented belongs to directory " + tid + ", not to "
                    + directory + " of OAuth client " + client.id() + "; nothing was stored", null, "Sign in with a mailbox of directory "
                    + directory + ", or register the client for the other directory.", List.of(), null);
        }
        if (oid == null || oid.isBlank()) {
            throw new MailException(MailErrorCode.OAUTH_WRONG_ACCOUNT, "Microsoft's id token names no user object (oid); nothing was stored");
        }
        String upn = text(c, "preferred_username");
        String email = text(c, "email");
        // preferred_username is the sign-in name (UPN), whose domain the directory has verified; the email claim is an
        // editable attribute, trusted only when Microsoft says the directory owns its domain (xms_edov)
        boolean emailVerified = c.has("xms_edov") && "true".equalsIgnoreCase(text(c, "xms_edov"));
        List<String> aliases = email != null && emailVerified && !email.equalsIgnoreCase(upn) ? List.of(email) : List.of();
        if (upn != null && upn.contains("@")) {
            return new TokenResponse.GrantedIdentity(upn, true, aliases);
        }
        if (email != null) {
            return new TokenResponse.GrantedIdentity(email, emailVerified, List.of());
        }
        throw new MailException(MailErrorCode.OAUTH_WRONG_ACCOUNT, "Microsoft's id token names no mailbox (preferred_username, email) for"
                + " user object " + oid + " of directory " + tid + "; nothing was stored", null, "Check that the consent asks for the"
                + " scopes openid, profile and email.", List.of(), null);
    }

    /** The scheme, host and port the id token's issuer must have, with a trailing slash: the token endpoint's. */
    private static String authorityHost(OAuthClient client) {
        URI endpoint = client.tokenEndpoint().orElse(URI.create(MicrosoftTokens.DEFAULT_AUTHORITY_HOST));
        return endpoint.getScheme() + "://" + endpoint.getRawAuthority() + "/";
    }

    /**
     * The claims of a JWT, read without checking its signature (it comes straight from the token endpoint over TLS,
     * or only decides a hint).
     *
     * @param jwt the token
     * @return its claims, empty when it is not a JWT
     */
    public static Optional<JsonObject> claims(String jwt) {
        String[] parts = jwt.split("\\.");
        if (parts.length < 2) {
            return Optional.empty();
        }
        try {
            JsonElement e = JsonParser.parseString(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
            return e.isJsonObject() ? Optional.of(e.getAsJsonObject()) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static JsonObject json(String body) {
        try {
            JsonElement e = JsonParser.parseString(body == null ? "" : body);
            return e.isJsonObject() ? e.getAsJsonObject() : new JsonObject();
        } catch (RuntimeException e) {
            return new JsonObject();
        }
    }

    private static String text(JsonObject o, String name) {
        JsonElement e = o.get(name);
        return e == null || e.isJsonNull() || !e.isJsonPrimitive() ? null : e.getAsString();
    }

    private static String form(Map<String, String> values) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : values.entrySet()) {
            if (sb.length() > 0) {
                sb.append('&');
            }
            sb.append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return sb.toString();
    }
}
