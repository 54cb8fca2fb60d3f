package dev.mailroom.spi;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * An OAuth 2.0 access token for one account, as an {@link AccessTokens} source hands it to a transport.
 * Its value never appears in {@link #toString()}, logs or exception messages. Immutable.
 */
public final class AccessToken {
    private final String value;
    private final Instant expiresAt;

    private AccessToken(String value, Instant expiresAt) {
        this.value = Objects.requireNonNull(value, "value");
        if (value.isBlank()) {
            throw new IllegalArgumentException("an access token must not be blank");
        }
        this.expiresAt = expiresAt;
    }

    /**
     * A token with a known expiry.
     *
     * @param value the token as the server expects it (without "Bearer ")
     * @param expiresAt when it stops being valid
     * @return the token
     */
    public static AccessToken of(String value, Instant expiresAt) {
        return new AccessToken(value, Objects.requireNonNull(expiresAt, "expiresAt"));
    }

    /**
     * A token whose expiry is not known.
     *
     * @param value the token as the server expects it (without "Bearer ")
     * @return the token
     */
    public static AccessToken of(String value) {
        return new AccessToken(value, null);
    }

    /** @return the token's value, for the protocol command or header that carries it; never log it */
    public String reveal() {
        return value;
    }

    /** @return when the token stops being valid, if known */
    public Optional<Instant> expiresAt() {
        return Optional.ofNullable(expiresAt);
    }

    /**
     * @param now the current time
     * @return whether the token is known to have expired at {@code now}
     */
    public boolean expiredAt(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    @Override
    public boolean equals(Object o) {
        // In constant time, so comparing tokens tells nothing about how much of one matched.
        return o instanceof AccessToken t && MessageDigest.isEqual(value.getBytes(StandardCharsets.UTF_8), t.value.getBytes(StandardCharsets.UTF_8))
                && Objects.equals(expiresAt, t.expiresAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(value, expiresAt);
    }

    @Override
    public String toString() {
        return "AccessToken[***" + (expiresAt != null ? ", expires " + expiresAt : "") + "]";
    }
}
