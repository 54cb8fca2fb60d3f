package dev.mailroom.jdbc.internal;

import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.spi.SecretCipher;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Secrets at rest (ADR 012): sealed with the store's cipher and bound to their owner (the binding is the associated
 * data), stored as a key id and {@code v2:} + base64; values sealed before binding carry no marker and open without.
 */
public final class Sealing {
    /** Marks a sealed value bound to its owner (associated data); unmarked values were sealed before binding. */
    public static final String BOUND = "v2:";

    private Sealing() {
    }

    /**
     * Seals a value bound to its owner.
     *
     * @param cipher the store's cipher
     * @param binding the owner, e.g. {@code account:support:refresh-token}
     * @param value the secret
     * @return the key id and the stored text
     */
    public static String[] seal(SecretCipher cipher, String binding, String value) {
        byte[] plain = value.getBytes(StandardCharsets.UTF_8);
        try {
            SecretCipher.Sealed sealed = cipher.seal(plain, binding.getBytes(StandardCharsets.UTF_8));
            return new String[] {sealed.keyId(), BOUND + Base64.getEncoder().encodeToString(sealed.ciphertext())};
        } finally {
            java.util.Arrays.fill(plain, (byte) 0);
        }
    }

    /**
     * Opens a stored secret: bound values with their owner binding as associated data, older ones without.
     *
     * @param cipher the store's cipher
     * @param keyId the key id stored with it
     * @param stored the stored text
     * @param binding the owner it was sealed for, or {@code null} for a value sealed before binding
     * @param what what it is, for the message (never the value)
     * @return the secret
     * @throws MailException {@link MailErrorCode#SECRET_UNAVAILABLE} naming what and the key id
     */
    public static String open(SecretCipher cipher, String keyId, String stored, String binding, String what) {
        byte[] plain = null;
        try {
            boolean bound = stored.startsWith(BOUND) && binding != null;
            SecretCipher.Sealed sealed = new SecretCipher.Sealed(keyId,
                    Base64.getDecoder().decode(bound ? stored.substring(BOUND.length()) : stored));
            plain = bound ? cipher.open(sealed, binding.getBytes(StandardCharsets.UTF_8)) : cipher.open(sealed);
            return new String(plain, StandardCharsets.UTF_8);
        } catch (RuntimeException e) {
            throw new MailException(MailErrorCode.SECRET_UNAVAILABLE, "the " + what
                    + " cannot be opened on this node (sealed with key '" + keyId + "'): " + e.getMessage(), null,
                    "Add key '" + keyId + "' to this node's SecretCipher, or set the " + what + " again.", List.of(), e);
        } finally {
            if (plain != null) {
                java.util.Arrays.fill(plain, (byte) 0);
            }
        }
    }
}
