package dev.mailroom.spi;

import java.util.Objects;

/**
 * Encrypts secrets (passwords, client secrets, tokens) before a store writes them, and decrypts them
 * when it reads them. Every sealed value carries the id of the key that sealed it, so keys can be
 * rotated: add the new key, make it active, re-encrypt, then retire the old one.
 *
 * <p>Mailroom's implementation is {@code dev.mailroom.core.AesGcmSecretCipher} (JDK AES-GCM, a
 * host-supplied key). Implementations must be thread-safe and must never log what they see.
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
}
