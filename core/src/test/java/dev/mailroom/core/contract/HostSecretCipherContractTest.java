package dev.mailroom.core.contract;

import dev.mailroom.testkit.SecretCipherContract;
import dev.mailroom.core.AesGcmSecretCipher;
import dev.mailroom.spi.SecretCipher;

/** A host's cipher written before associated data existed: the SPI's default methods bind the owner. */
final class HostSecretCipherContractTest extends SecretCipherContract {
    /** Implements only the methods without associated data. */
    private record HostCipher(SecretCipher delegate) implements SecretCipher {
        @Override
        public Sealed seal(byte[] plaintext) {
            return delegate.seal(plaintext);
        }

        @Override
        public byte[] open(Sealed sealed) {
            return delegate.open(sealed);
        }

        @Override
        public String activeKeyId() {
            return delegate.activeKeyId();
        }
    }

    @Override
    protected SecretCipher cipher() {
        return new HostCipher(AesGcmSecretCipher.builder().key("host-1", AesGcmSecretCipherContractTest.key(7)).build());
    }

    @Override
    protected SecretCipher cipherWithOtherKeys() {
        return new HostCipher(AesGcmSecretCipher.builder().key("host-0", AesGcmSecretCipherContractTest.key(8)).build());
    }
}
