package dev.mailroom;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An OAuth 2.0 client registered once by an administrator (the app created at Google or Microsoft), to which
 * accounts refer by {@link #id()}. It holds the client ID and secret the provider issued, the scopes Mailroom
 * asks for, and the redirect URL the administrator registers at the provider, so a host UI can show it.
 *
 * <p>The secret is write-only: a client read back from Mailroom carries the {@link Secret#stored()}
 * placeholder. To change the secret, register the client again under the same id (replacing it). Immutable
 * and thread-safe; build one with {@link #builder(OAuthClientId, String)}. A missing or malformed value (from an
 * administration form, say) fails with a {@link MailException} ({@link MailErrorCode#INVALID_ACCOUNT}) that names the
 * registration, the field and an example; a {@code null} passed to a builder method is a programming error
 * ({@link NullPointerException}).
 *
 * <pre>{@code
 * OAuthClient google = OAuthClient.builder(OAuthClientId.of("acme-google"), "google")
 *     .name("ACME Workspace")
 *     .clientId("1234.apps.googleusercontent.com")
 *     .clientSecret(Secret.of(secretFromTheAdminForm))
 *     .redirectUri(URI.create("https://erp.acme.example/oauth/callback"))
 *     .scopes(List.of("https://www.googleapis.com/auth/gmail.send"))
 *     .build();
 * }</pre>
 */
public final class OAuthClient {
    private final OAuthClientId id;
    private final String provider;
    private final String name;
    private final String clientId;
    private final Secret clientSecret;
    private final URI redirectUri;
    private final List<String> scopes;
    private final String directory;
    private final URI authorizationEndpoint;
    private final URI tokenEndpoint;

    private OAuthClient(Builder b) {
        this.id = b.id;
        this.provider = b.provider;
        this.name = b.name != null ? b.name : b.id.value();
        this.clientId = require(b.id, b.clientId, "clientId", "the client ID the provider issued, e.g. 1234.apps.googleusercontent.com");
        if (b.clientSecret == null) {
            throw invalid(b.id, "clientSecret is required: the client secret the provider issued");
        }
        this.clientSecret = b.clientSecret;
        if (b.redirectUri == null) {
            throw invalid(b.id, "redirectUri is required: the host's callback URL, as registered at the provider");
        }
        this.redirectUri = b.redirectUri;
        if (!redirectUri.isAbsolute() || redirectUri.getFragment() != null
                || !("https".equals(redirectUri.getScheme()) || "http".equals(redirectUri.getScheme()))) {
            throw invalid(b.id, "redirectUri must be an absolute http(s) URL without fragment, e.g. https://erp.example/oauth/callback");
        }
        this.scopes = List.copyOf(new LinkedHashSet<>(b.scopes));
        this.directory = b.directory;
        this.authorizationEndpoint = b.authorizationEndpoint;
        this.tokenEndpoint = b.tokenEndpoint;
    }

    /**
     * Starts a client registration.
     *
     * @param id the id accounts refer to
     * @param provider the provider, as an {@code AuthorizationServer} names itself: {@code google} or
     *                 {@code microsoft} (lower-case letters, digits and '-')
     * @return a builder
     */
    public static Builder builder(OAuthClientId id, String provider) {
        return new Builder(id, provider);
    }

    /** @return a builder with every value of this client */
    public Builder toBuilder() {
        Builder b = new Builder(id, provider).name(name).clientId(clientId).clientSecret(clientSecret).redirectUri(redirectUri)
                .scopes(scopes);
        b.directory = directory;
        b.authorizationEndpoint = authorizationEndpoint;
        b.tokenEndpoint = tokenEndpoint;
        return b;
    }

    /** @return the id accounts refer to */
    public OAuthClientId id() {
        return id;
    }

    /** @return the provider id, e.g. {@code google} */
    public String provider() {
        return provider;
    }

    /** @return the name an administrator gave the registration; the id when none was given */
    public String name() {
        return name;
    }

    /** @return the client ID the provider issued (not secret) */
    public String clientId() {
        return clientId;
    }

    /**
     * The client secret: the real secret inside Mailroom and a store, the {@link Secret#stored()}
     * placeholder in a client read back through the administration API.
     *
     * @return the secret
     */
    public Secret clientSecret() {
        return clientSecret;
    }

    /** @return the callback URL the administrator registers at the provider; the host serves it */
    public URI redirectUri() {
        return redirectUri;
    }

    /** @return the scopes Mailroom asks for and requires to be granted, in the order given, without duplicates */
    public List<String> scopes() {
        return scopes;
    }

    /** @return the directory (Microsoft tenant) the client belongs to, if the provider needs one */
    public Optional<String> directory() {
        return Optional.ofNullable(directory);
    }

    /** @return the authorization endpoint to use instead of the provider's, e.g. a test server */
    public Optional<URI> authorizationEndpoint() {
        return Optional.ofNullable(authorizationEndpoint);
    }

    /** @return the token endpoint to use instead of the provider's, e.g. a test server */
    public Optional<URI> tokenEndpoint() {
        return Optional.ofNullable(tokenEndpoint);
    }

    /** @return this client with its secret replaced by the {@link Secret#stored()} placeholder */
    public OAuthClient withoutSecret() {
        return clientSecret.isPlaceholder() ? this : toBuilder().clientSecret(Secret.stored()).build();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OAuthClient c && id.equals(c.id) && provider.equals(c.provider) && name.equals(c.name)
                && clientId.equals(c.clientId) && clientSecret.equals(c.clientSecret) && redirectUri.equals(c.redirectUri)
                && scopes.equals(c.scopes) && Objects.equals(directory, c.directory)
                && Objects.equals(authorizationEndpoint, c.authorizationEndpoint) && Objects.equals(tokenEndpoint, c.tokenEndpoint);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, provider, clientId, redirectUri, scopes);
    }

    @Override
    public String toString() {
        return "OAuthClient[" + id + ", " + provider + ", " + name + ", client ID " + clientId + ", secret ****, redirect "
                + redirectUri + ", scopes " + scopes + (directory != null ? ", directory " + directory : "") + "]";
    }

    private static String require(OAuthClientId id, String value, String field, String example) {
        if (value == null || value.isBlank() || value.chars().anyMatch(Character::isISOControl)) {
            throw invalid(id, field + " is required: " + example);
        }
        return value.strip();
    }

    /** Bad input from an administration form: typed, naming the registration and the field, before anything is stored. */
    private static MailException invalid(OAuthClientId id, String problem) {
        return new MailException(MailErrorCode.INVALID_ACCOUNT, "OAuth client " + id + ": " + problem);
    }

    /** Builds an {@link OAuthClient}; not thread-safe. */
    public static final class Builder {
        private final OAuthClientId id;
        private final String provider;
        private String name;
        private String clientId;
        private Secret clientSecret;
        private URI redirectUri;
        private final Set<String> scopes = new LinkedHashSet<>();
        private String directory;
        private URI authorizationEndpoint;
        private URI tokenEndpoint;

        private Builder(OAuthClientId id, String provider) {
            this.id = Objects.requireNonNull(id, "id");
            Objects.requireNonNull(provider, "provider");
            if (!provider.matches("[a-z0-9-]{1,40}")) {
                throw invalid(id, "provider must be a provider id such as google or microsoft, not '" + provider + "'");
            }
            this.provider = provider;
        }

        /**
         * @param value a display name, e.g. "ACME Workspace"
         * @return this
         */
        public Builder name(String value) {
            this.name = require(id, value, "name", "a display name such as ACME Workspace");
            return this;
        }

        /**
         * @param value the client ID the provider issued
         * @return this
         */
        public Builder clientId(String value) {
            this.clientId = value;
            return this;
        }

        /**
         * @param value the client secret the provider issued, or {@link Secret#stored()} to keep the stored one
         * @return this
         */
        public Builder clientSecret(Secret value) {
            this.clientSecret = Objects.requireNonNull(value, "clientSecret");
            return this;
        }

        /**
         * @param value the host's callback URL, exactly as registered at the provider
         * @return this
         */
        public Builder redirectUri(URI value) {
            this.redirectUri = Objects.requireNonNull(value, "redirectUri");
            return this;
        }

        /**
         * @param values the scopes to ask for, replacing any set before
         * @return this
         */
        public Builder scopes(List<String> values) {
            List<String> copy = new ArrayList<>();
            for (String s : Objects.requireNonNull(values, "scopes")) {
                copy.add(require(id, s, "scopes", "a scope such as https://www.googleapis.com/auth/gmail.send"));
                if (s.contains(" ")) {
                    throw invalid(id, "a scope must not contain spaces: give each scope on its own, not '" + s + "'");
                }
            }
            scopes.clear();
            scopes.addAll(copy);
            return this;
        }

        /**
         * @param value the directory (Microsoft tenant ID or domain) the client belongs to
         * @return this
         */
        public Builder directory(String value) {
            this.directory = require(id, value, "directory", "a tenant ID or domain such as contoso.onmicrosoft.com");
            return this;
        }

        /**
         * Uses other endpoints than the provider's, e.g. a test server or a sovereign cloud. They must be https URLs:
         * the client secret, codes and refresh tokens travel to them (plain http is accepted on localhost only, for tests).
         *
         * @param authorization the authorization (consent) endpoint
         * @param token the token endpoint
         * @return this
         */
        public Builder endpoints(URI authorization, URI token) {
            this.authorizationEndpoint = secure(id, Objects.requireNonNull(authorization, "authorization"), "authorization endpoint");
            this.tokenEndpoint = secure(id, Objects.requireNonNull(token, "token"), "token endpoint");
            return this;
        }

        /** The client secret, codes and refresh tokens go to these endpoints: https, or plain http on this machine only (tests). */
        private static URI secure(OAuthClientId id, URI endpoint, String what) {
            String host = endpoint.getHost();
            boolean loopback = host != null && (host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]") || host.equals("::1"));
            if (!endpoint.isAbsolute() || !("https".equals(endpoint.getScheme()) || "http".equals(endpoint.getScheme()) && loopback)) {
                throw invalid(id, "the " + what + " must be an https URL (plain http only on localhost, for tests): " + endpoint);
            }
            return endpoint;
        }

        /**
         * @return the client
         * @throws MailException {@link MailErrorCode#INVALID_ACCOUNT} when a required value is missing or malformed, naming it
         */
        public OAuthClient build() {
            return new OAuthClient(this);
        }
    }
}
