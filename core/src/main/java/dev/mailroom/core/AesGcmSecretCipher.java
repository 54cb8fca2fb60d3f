package dev.mailroom.core;

import dev.mailroom.spi.SecretCipher;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@link SecretCipher} with the JDK's AES-GCM (256- or 128-bit keys the host supplies, a random 96-bit IV
 * per value, a 128-bit tag, the key id as additional authenticated data). Thread-safe.
 *
 * <pre>{@code
 * SecretCipher cipher = AesGcmSecretCipher.builder()
 *     .key("2026-11", keyBytesFromVault)      // 32 bytes
 *     .key("2025-01", oldKeyBytes)            // still readable until re-encrypted
 *     .activeKey("2026-11")
 *     .build();
 * }</pre>
 */
public final class AesGcmSecretCipher implements SecretCipher {
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final Map<String, SecretKeySpec> keys;
    private final String active;
    private final SecureRandom random = new SecureRandom();

    private AesGcmSecretCipher(Map<String, SecretKeySpec> keys, String active) {
        this.keys = Map.copyOf(keys);
        this.active = active;
    }

    /**
     * A new builder.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Sealed seal(byte[] plaintext) {
        Objects.requireNonNull(plaintext, "plaintext");
        try {
            byte[] iv = new byte[IV_BYTES];
            random.nextBytes(iv);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, keys.get(active), new GCMParameterSpec(TAG_BITS, iv));
            c.updateAAD(active.getBytes(StandardCharsets.UTF_8));
            byte[] ct = c.doFinal(plaintext);
            byte[] out = Arrays.copyOf(iv, IV_BYTES + ct.length);
            System.arraycopy(ct, 0, out, IV_BYTES, ct.length);
            return new Sealed(active, out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    @Override
    public byte[] open(Sealed sealed) {
        Objects.requireNonNull(sealed, "sealed");
        SecretKeySpec key = keys.get(sealed.keyId());
        if (key == null) {
            throw new IllegalStateException("a secret is sealed with key '" + sealed.keyId() + "', which this cipher does not have;"
                    + " add that key (keys: " + keys.keySet() + ")");
        }
        byte[] data = sealed.ciphertext();
        if (data.length < IV_BYTES + TAG_BITS / 8) {
            throw new IllegalStateException("a sealed secret is truncated");
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, data, 0, IV_BYTES));
            c.updateAAD(sealed.keyId().getBytes(StandardCharsets.UTF_8));
            return c.doFinal(data, IV_BYTES, data.length - IV_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a sealed secret does not authenticate with key '" + sealed.keyId()
                    + "': wrong key or tampered value", e);
        }
    }

    @Override
    public String activeKeyId() {
        return active;
    }

    /** Configures an {@link AesGcmSecretCipher}. Not thread-safe. */
    public static final class Builder {
        private final Map<String, SecretKeySpec> keys = new LinkedHashMap<>();
        private String active;

        private Builder() {
        }

        /**
         * Adds a key.
         *
         * @param id the key id stored with each value: 1 to 100 letters, digits, '.', '_' or '-'
         * @param key 16 or 32 bytes (AES-128 or AES-256); copied
         * @return this
         */
        public Builder key(String id, byte[] key) {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(key, "key");
            if (!id.matches("[A-Za-z0-9._-]{1,100}")) {
                throw new IllegalArgumentException("key id must be 1 to 100 letters, digits, '.', '_' or '-', was '" + id + "'");
            }
            if (key.length != 16 && key.length != 32) {
                throw new IllegalArgumentException("key " + id + " must be 16 or 32 bytes, was " + key.length);
            }
            if (keys.putIfAbsent(id, new SecretKeySpec(key.clone(), "AES")) != null) {
                throw new IllegalStateException("key " + id + " was already added");
            }
            return this;
        }

        /**
         * Which key seals new values. Default: the only key, when there is one.
         *
         * @param id a key added with {@link #key}
         * @return this
         */
        public Builder activeKey(String id) {
            this.active = Objects.requireNonNull(id, "id");
            return this;
        }

        /**
         * @return the cipher
         * @throws IllegalStateException without keys, or when the active key is not among them
         */
        public AesGcmSecretCipher build() {
            if (keys.isEmpty()) {
                throw new IllegalStateException("add at least one key");
            }
            String a = active != null ? active : keys.size() == 1 ? keys.keySet().iterator().next() : null;
            if (a == null || !keys.containsKey(a)) {
                throw new IllegalStateException("choose the active key among " + keys.keySet());
            }
            return new AesGcmSecretCipher(keys, a);
        }
    }
}
