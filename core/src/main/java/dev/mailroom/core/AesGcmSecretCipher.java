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
 * per value, a 128-bit tag). The additional authenticated data is the key id, followed by the owner's
 * associated data when one is given ({@link #seal(byte[], byte[])}): a value then opens only for the same
 * owner. Thread-safe.
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
        return sealWith(plaintext, aad(active, null));
    }

    @Override
    public Sealed seal(byte[] plaintext, byte[] associatedData) {
        Objects.requireNonNull(plaintext, "plaintext");
        return sealWith(plaintext, aad(active, Objects.requireNonNull(associatedData, "associatedData")));
    }

    @Override
    public byte[] open(Sealed sealed) {
        Objects.requireNonNull(sealed, "sealed");
        return openWith(sealed, aad(sealed.keyId(), null));
    }

    @Override
    public byte[] open(Sealed sealed, byte[] associatedData) {
        Objects.requireNonNull(sealed, "sealed");
        return openWith(sealed, aad(sealed.keyId(), Objects.requireNonNull(associatedData, "associatedData")));
    }

    /** The key id, then (for bound values) a zero byte and the owner's associated data. */
    private static byte[] aad(String keyId, byte[] associatedData) {
        byte[] id = keyId.getBytes(StandardCharsets.UTF_8);
        if (associatedData == null) {
            return id;
        }
        byte[] out = Arrays.copyOf(id, id.length + 1 + associatedData.length);
        System.arraycopy(associatedData, 0, out, id.length + 1, associatedData.length);
        return out;
    }

    private Sealed sealWith(byte[] plaintext, byte[] aad) {
        try {
            byte[] iv = new byte[IV_BYTES];
            random.nextBytes(iv);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, keys.get(active), new GCMParameterSpec(TAG_BITS, iv));
            c.updateAAD(aad);
            byte[] ct = c.doFinal(plaintext);
            byte[] out = Arrays.copyOf(iv, IV_BYTES + ct.length);
            System.arraycopy(ct, 0, out, IV_BYTES, ct.length);
            return new Sealed(active, out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    private byte[] openWith(Sealed sealed, byte[] aad) {
        SecretKeySpec key = keys.get(sealed.keyId());
        if (key == null) {
            throw new IllegalStateException("a secret is sealed with key '" + sealed.keyId() + "', which this cipher does not have;"
                    + " add that key (keys: " + keys.keySet() + ")");
        }
        byte[] data = sealed.ciphertext();
        if (data.length < IV_BYTES + TAG_BITS / 8) {
            throw new IllegalStateException("a secret sealed with key '" + sealed.keyId() + "' is truncated");
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, data, 0, IV_BYTES));
            c.updateAAD(aad);
            return c.doFinal(data, IV_BYTES, data.length - IV_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a sealed secret does not authenticate with key '" + sealed.keyId()
                    + "': wrong key, tampered value, or sealed for another owner", e);
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
