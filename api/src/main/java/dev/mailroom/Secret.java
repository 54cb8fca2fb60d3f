package dev.mailroom;

import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * An opaque secret: a password, client secret or token. It never prints ({@link #toString()} shows
 * {@code ****}) and is never returned by a read path of the API: accounts read back through the
 * facade carry {@link #stored()} placeholders instead (A7, write-only secrets).
 *
 * <p>Passing the {@link #stored()} placeholder back in an update keeps the secret already stored, so
 * an administration UI can round-trip an account without ever seeing its password.
 */
public final class Secret {
    private static final Secret STORED = new Secret(null);

    private final char[] value;

    private Secret(char[] value) {
        this.value = value;
    }

    /**
     * Wraps a secret value.
     *
     * @param value the secret, not empty
     * @return the secret
     * @throws IllegalArgumentException if the value is empty
     */
    public static Secret of(String value) {
        Objects.requireNonNull(value, "value");
        if (value.isEmpty()) {
            throw new IllegalArgumentException("a secret must not be empty; leave the field unset instead");
        }
        return new Secret(value.toCharArray());
    }

    /**
     * The placeholder for "a secret is stored, but it is not readable here". In an update it means
     * "keep the stored secret".
     *
     * @return the shared placeholder
     */
    public static Secret stored() {
        return STORED;
    }

    /**
     * Whether this is the {@link #stored()} placeholder rather than a value.
     *
     * @return true for the placeholder
     */
    public boolean isPlaceholder() {
        return value == null;
    }

    /**
     * The plain value, for the transport that must present it to a server. Callers must not log,
     * persist in plain text, or return it.
     *
     * @return the secret in plain text
     * @throws IllegalStateException for the {@link #stored()} placeholder
     */
    public String reveal() {
        if (value == null) {
            throw new IllegalStateException("this secret is write-only: it was read back from storage and has no value here");
        }
        return new String(value);
    }

    /**
     * Compares in constant time; two placeholders are equal.
     */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Secret other) || value == null || other.value == null) {
            return false;
        }
        return MessageDigest.isEqual(new String(value).getBytes(StandardCharsets.UTF_8),
                new String(other.value).getBytes(StandardCharsets.UTF_8));
    }

    /** A constant: secrets must not leak through hash codes. */
    @Override
    public int hashCode() {
        return 31;
    }

    /** Always {@code ****}. */
    @Override
    public String toString() {
        return "****";
    }
}
