package dev.mailroom.jdbc;

import dev.mailroom.core.AesGcmSecretCipher;

import java.util.Arrays;

final class TestKeys {
    private TestKeys() {
    }

    static byte[] key(int b) {
        byte[] k = new byte[32];
        Arrays.fill(k, (byte) b);
        return k;
    }

    static AesGcmSecretCipher cipher() {
        return AesGcmSecretCipher.builder().key("k1", key(1)).build();
    }
}
