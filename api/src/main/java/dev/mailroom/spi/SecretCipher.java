package dev.mailroom.spi;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;

/**
 * Encrypts secrets (passwords, client secrets, tokens) before a store writes them, and decrypts them
 * when it reads them. Every sealed value carries the id of the key that sealed it, so keys can be
 * rotated: add the new key, make it active, re-encrypt, then retire the old one.
 *
 * <p>Stores bind each value to its owner with associated data ({@link #seal(byte[], byte[])}, e.g.
 * {@code "account:<id>:password"}): a value copied into another owner's place does not open there. The
 * methods without associated data remain for values sealed before binding.
 *
 * <p>Mailroom's implementation is {@code dev.mailroom.core.AesGcmSecretCipher} (JDK AES-GCM, a
 * host-supplied key). Implementations must be thread-safe, must never log what they see, and must never
 * put a secret into an exception message.
 */
public interface SecretCipher {

    /**
     * A sealed value.
     *
     * @param keyId the id of the key that sealed it
     * @param ciphertext the sealed bytes (implementation-defined layout, e.g. IV and ciphertext)
     */
    record Sealed(String keyId, byte[] ciphertext) {
        /**
         * Validates.
         *
         * @param keyId see the record description
         * @param ciphertext see the record description
         */
        public Sealed {
            Objects.requireNonNull(keyId, "keyId");
            Objects.requireNonNull(ciphertext, "ciphertext");
        }
    }

    /**
     * Seals with the active key.
     *
     * @param plaintext the secret
     * @return the sealed value
     */
    Sealed seal(byte[] plaintext);

    /**
     * Opens a sealed value.
     *
     * @param sealed the sealed value
     * @return the secret
     * @throws IllegalStateException if the key is unknown or the value was tampered with
     */
    byte[] open(Sealed sealed);

    /**
     * The key new values are sealed with.
     *
     * @return the active key's id
     */
    String activeKeyId();

    /**
     * Seals with the active key, bound to associated data: {@link #open(Sealed, byte[])} opens the value only
     * with the same associated data. The default puts the associated data in front of the plaintext and
     * seals both with {@link #seal(byte[])}, so the binding is as strong as that method's integrity
     * protection (an authenticated cipher such as AES-GCM makes it unforgeable); ciphers with native
     * support (AEAD) override it.
     *
     * @param plaintext the secret
     * @param associatedData who owns it, e.g. {@code "account:sales:password"} in UTF-8; not secret
     * @return the sealed value
     */
    default Sealed seal(byte[] plaintext, byte[] associatedData) {
        Objects.requireNonNull(plaintext, "plaintext");
        Objects.requireNonNull(associatedData, "associatedData");
        byte[] framed = ByteBuffer.allocate(4 + associatedData.length + plaintext.length)
                .putInt(associatedData.length).put(associatedData).put(plaintext).array();
        try {
            return seal(framed);
        } finally {
            Arrays.fill(framed, (byte) 0);
        }
    }

    /**
     * Opens a value sealed with {@link #seal(byte[], byte[])}.
     *
     * @param sealed the sealed value
     * @param associatedData the associated data it was sealed with
     * @return the secret
     * @throws IllegalStateException if the key is unknown, the value was tampered with, or it belongs to other
     *         associated data (another owner)
     */
    default byte[] open(Sealed sealed, byte[] associatedData) {
        Objects.requireNonNull(sealed, "sealed");
        Objects.requireNonNull(associatedData, "associatedData");
        byte[] framed = open(sealed);
        try {
            if (framed.length < 4) {
                throw new IllegalStateException("a sealed secret sealed with key '" + sealed.keyId() + "' is not bound to an owner");
            }
            int n = ByteBuffer.wrap(framed).getInt();
            if (n < 0 || n > framed.length - 4
                    || !MessageDigest.isEqual(Arrays.copyOfRange(framed, 4, 4 + n), associatedData)) {
                throw new IllegalStateException("a sealed secret sealed with key '" + sealed.keyId() + "' belongs to another owner");
            }
            return Arrays.copyOfRange(framed, 4 + n, framed.length);
        } finally {
            Arrays.fill(framed, (byte) 0);
        }
    }
}
