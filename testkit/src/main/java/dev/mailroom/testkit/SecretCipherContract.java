package dev.mailroom.testkit;

import dev.mailroom.spi.SecretCipher;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract every {@link SecretCipher} must keep, Mailroom's and a host's: values open again, only with
 * the associated data (owner) they were sealed for, never when tampered with or under an unknown key, and no
 * failure message carries the secret. Extend it and return the cipher under test.
 */
public abstract class SecretCipherContract {
    private static final String SECRET = "Correct-Horse-Battery-Staple-42";

    /** For subclasses. */
    protected SecretCipherContract() {
    }

    /**
     * The cipher under test.
     *
     * @return a cipher with an active key
     */
    protected abstract SecretCipher cipher();

    /**
     * A cipher that lacks the active key of {@link #cipher()} (another node, a retired key).
     *
     * @return the other cipher
     */
    protected abstract SecretCipher cipherWithOtherKeys();

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void assertNoSecret(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertFalse(String.valueOf(t.getMessage()).contains(SECRET), "a failure message carries the secret: " + t);
        }
    }

    @Test
    @DisplayName("A sealed value carries the active key id and opens again, with and without associated data")
    void roundTrip() {
        SecretCipher c = cipher();
        SecretCipher.Sealed plain = c.seal(bytes(SECRET));
        assertEquals(c.activeKeyId(), plain.keyId());
        assertArrayEquals(bytes(SECRET), c.open(plain));
        SecretCipher.Sealed bound = c.seal(bytes(SECRET), bytes("account:a:password"));
        assertEquals(c.activeKeyId(), bound.keyId());
        assertArrayEquals(bytes(SECRET), c.open(bound, bytes("account:a:password")));
        assertFalse(new String(bound.ciphertext(), StandardCharsets.ISO_8859_1).contains(SECRET), "sealed bytes hold the secret in clear");
    }

    @Test
    @DisplayName("A value bound to one owner does not open for another")
    void associatedData_bindsTheOwner() {
        SecretCipher c = cipher();
        SecretCipher.Sealed bound = c.seal(bytes(SECRET), bytes("account:a:password"));
        assertNoSecret(assertThrows(IllegalStateException.class, () -> c.open(bound, bytes("account:b:password"))));
        assertNoSecret(assertThrows(IllegalStateException.class, () -> c.open(bound, bytes("account:a:clientSecret"))));
    }

    @Test
    @DisplayName("A tampered value does not open")
    void tampered_doesNotOpen() {
        SecretCipher c = cipher();
        SecretCipher.Sealed bound = c.seal(bytes(SECRET), bytes("account:a:password"));
        byte[] flipped = bound.ciphertext().clone();
        flipped[flipped.length - 1] ^= 1;
        SecretCipher.Sealed tampered = new SecretCipher.Sealed(bound.keyId(), flipped);
        assertNoSecret(assertThrows(IllegalStateException.class, () -> c.open(tampered, bytes("account:a:password"))));
        byte[] shortened = Arrays.copyOf(bound.ciphertext(), 3);
        assertNoSecret(assertThrows(IllegalStateException.class,
                () -> c.open(new SecretCipher.Sealed(bound.keyId(), shortened), bytes("account:a:password"))));
    }

    @Test
    @DisplayName("A value sealed under a key the cipher lacks does not open, and the failure names the key")
    void unknownKey_doesNotOpen() {
        SecretCipher.Sealed bound = cipher().seal(bytes(SECRET), bytes("account:a:password"));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> cipherWithOtherKeys().open(bound, bytes("account:a:password")));
        assertNoSecret(e);
        assertTrue(e.getMessage().contains(bound.keyId()), "the message names the key: " + e.getMessage());
        SecretCipher.Sealed plain = cipher().seal(bytes(SECRET));
        assertNoSecret(assertThrows(IllegalStateException.class, () -> cipherWithOtherKeys().open(plain)));
    }
}
