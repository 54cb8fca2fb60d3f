package dev.mailroom.core.contract;

import dev.mailroom.testkit.SecretCipherContract;
import dev.mailroom.core.AesGcmSecretCipher;
import dev.mailroom.spi.SecretCipher;

import java.util.Arrays;

final class AesGcmSecretCipherContractTest extends SecretCipherContract {
    static byte[] key(int b) {
        byte[] k = new byte[32];
        Arrays.fill(k, (byte) b);
        return k;
    }

    @Override
    protected SecretCipher cipher() {
        return AesGcmSecretCipher.builder().key("k1", key(1)).key("k2", key(2)).activeKey("k2").build();
    }

    @Override
    protected SecretCipher cipherWithOtherKeys() {
        return AesGcmSecretCipher.builder().key("k1", key(1)).build();
    }
}
