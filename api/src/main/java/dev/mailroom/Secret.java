package dev.mailroom;

import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An opaque secret: a password, client secret or token. It never prints ({@link #toString()} shows
 * {@code ****}) and is never returned by a read path of the API: accounts read back through the
 * facade carry {@link #stored()} placeholders instead (write-only secrets).
 *
 * <p>Passing the {@link #stored()} placeholder back in an update keeps the secret already stored, so
 * an administration UI can round-trip an account without ever seeing its password.
 *
 * <p>A store that keeps secrets sealed hands out {@linkplain #sealed(Opener) sealed} secrets: they are
 * opened on the first {@link #reveal()}, so reading accounts opens no secret, and a secret that cannot be
 * opened (its key is missing on this node, its bytes are damaged) fails only where it is used, with
 * {@link MailErrorCode#SECRET_UNAVAILABLE}.
 */
public final class Secret {
    private static final Secret STORED = new Secret(null, null);

    /**
     * Opens a sealed secret when it is first needed; implemented by stores.
     */
    @FunctionalInterface
    public interface Opener {
        /**
         * Opens the secret.
         *
         * @return the plain value, not empty
         * @throws MailException {@link MailErrorCode#SECRET_UNAVAILABLE} naming the account and the key (never
         *         the value) when it cannot be opened
         */
        String open();
    }

    private volatile char[] value;
    private final Opener opener;

    private Secret(char[] value, Opener opener) {
        this.value = value;
        this.opener = opener;
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
        return new Secret(value.toCharArray(), null);
    }

    /**
     * A stored secret that is opened on the first {@link #reveal()} and kept open after that.
     *
     * @param opener opens it; called at most until it succeeds once
     * @return the secret
     */
    public static Secret sealed(Opener opener) {
        return new Secret(null, Objects.requireNonNull(opener, "opener"));
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
        return value == null && opener == null;
    }

    /**
     * The opener of a {@linkplain #sealed(Opener) sealed} secret, so that a store can recognise its own sealed
     * value and keep it as it is, without opening it.
     *
     * @return the opener; empty for a plain value and the placeholder
     */
    public Optional<Opener> opener() {
        return Optional.ofNullable(opener);
    }

    /**
     * The plain value, for the transport that must present it to a server. Callers must not log,
     * persist in plain text, or return it.
     *
     * @return the secret in plain text
     * @throws IllegalStateException for the {@link #stored()} placeholder
     * @throws MailException {@link MailErrorCode#SECRET_UNAVAILABLE} when a sealed secret cannot be opened;
     *         the message names the account and key, never the value
     */
    public String reveal() {
        char[] v = value;
        if (v != null) {
            return new String(v);
        }
        if (opener == null) {
            throw new IllegalStateException("this secret is write-only: it was read back from storage and has no value here");
        }
        String opened;
        try {
            opened = opener.open();
        } catch (MailException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new MailException(MailErrorCode.SECRET_UNAVAILABLE, "a stored secret cannot be opened: " + e.getMessage(),
                    null, null, List.of(), e);
        }
        if (opened == null || opened.isEmpty()) { // a missing key is never an empty password
            throw new MailException(MailErrorCode.SECRET_UNAVAILABLE, "a stored secret opened to an empty value; set it again");
        }
        value = opened.toCharArray();
        return opened;
    }

    /**
     * Compares in constant time; a sealed secret is opened to compare it and differs from every other when
     * it cannot be opened. Two placeholders are the same instance.
     */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Secret other) || isPlaceholder() || other.isPlaceholder()) {
            return false;
        }
        if (opener != null && opener == other.opener) {
            return true;
        }
        try {
            return MessageDigest.isEqual(reveal().getBytes(StandardCharsets.UTF_8), other.reveal().getBytes(StandardCharsets.UTF_8));
        } catch (MailException e) {
            return false;
        }
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
