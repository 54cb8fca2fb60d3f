package dev.mailroom.spi;

import dev.mailroom.Secret;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a provider's token endpoint answered: an access token, perhaps a (new) refresh token, the scopes it
 * granted, and who consented. Immutable; no value is shown by {@link #toString()}.
 */
public final class TokenResponse {
    private final AccessToken accessToken;
    private final Secret refreshToken;
    private final Set<String> grantedScopes;
    private final GrantedIdentity identity;

    private TokenResponse(Builder b) {
        this.accessToken = b.accessToken;
        this.refreshToken = b.refreshToken;
        this.grantedScopes = Set.copyOf(b.grantedScopes);
        this.identity = b.identity;
    }

    /**
     * @param accessToken the access token, with its expiry when the provider said it
     * @return a builder
     */
    public static Builder builder(AccessToken accessToken) {
        return new Builder(accessToken);
    }

    /** @return the access token */
    public AccessToken accessToken() {
        return accessToken;
    }

    /** @return the refresh token, when the provider issued one (always on a first consent; on refresh when it rotates) */
    public Optional<Secret> refreshToken() {
        return Optional.ofNullable(refreshToken);
    }

    /** @return the scopes the provider says it granted; empty when it did not say */
    public Set<String> grantedScopes() {
        return grantedScopes;
    }

    /** @return who consented, when the provider said it (e.g. from an OpenID Connect id token) */
    public Optional<GrantedIdentity> identity() {
        return Optional.ofNullable(identity);
    }

    @Override
    public String toString() {
        return "TokenResponse[" + accessToken + (refreshToken != null ? ", refresh token ****" : "") + ", scopes " + grantedScopes
                + (identity != null ? ", " + identity : "") + "]";
    }

    /**
     * Who consented, as the provider vouches for it.
     *
     * @param email the mailbox address that consented
     * @param verified whether the provider says the address is verified
     * @param aliases further verified addresses of the same mailbox, where the provider tells them
     */
    public record GrantedIdentity(String email, boolean verified, List<String> aliases) {
        /**
         * Validates.
         *
         * @param email see the record description
         * @param verified see the record description
         * @param aliases see the record description
         */
        public GrantedIdentity {
            Objects.requireNonNull(email, "email");
            aliases = List.copyOf(aliases);
        }
    }

    /** Builds a {@link TokenResponse}; not thread-safe. */
    public static final class Builder {
        private final AccessToken accessToken;
        private Secret refreshToken;
        private final Set<String> grantedScopes = new LinkedHashSet<>();
        private GrantedIdentity identity;

        private Builder(AccessToken accessToken) {
            this.accessToken = Objects.requireNonNull(accessToken, "accessToken");
        }

        /**
         * @param value the refresh token the provider issued
         * @return this
         */
        public Builder refreshToken(Secret value) {
            this.refreshToken = Objects.requireNonNull(value, "refreshToken");
            return this;
        }

        /**
         * @param values the scopes the provider granted
         * @return this
         */
        public Builder grantedScopes(Set<String> values) {
            grantedScopes.addAll(Objects.requireNonNull(values, "grantedScopes"));
            return this;
        }

        /**
         * @param value who consented
         * @return this
         */
        public Builder identity(GrantedIdentity value) {
            this.identity = Objects.requireNonNull(value, "identity");
            return this;
        }

        /** @return the response */
        public TokenResponse build() {
            return new TokenResponse(this);
        }
    }
}
