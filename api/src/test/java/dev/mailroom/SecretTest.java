package dev.mailroom;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class SecretTest {
    @Test
    @DisplayName("#10.1: a sealed secret is opened on first use only, once, and never prints")
    void sealed_openedOnFirstRevealOnly() {
        AtomicInteger opened = new AtomicInteger();
        Secret s = Secret.sealed(() -> {
            opened.incrementAndGet();
            return "pw";
        });
        assertThat(s.isPlaceholder()).isFalse();
        assertThat(s.toString()).isEqualTo("****");
        assertThat(opened).hasValue(0);
        assertThat(s.reveal()).isEqualTo("pw");
        assertThat(s.reveal()).isEqualTo("pw");
        assertThat(opened).hasValue(1);
        assertThat(s).isEqualTo(Secret.of("pw")).isNotEqualTo(Secret.of("other"));
    }

    @Test
    @DisplayName("#10.1: a sealed secret that cannot be opened is SECRET_UNAVAILABLE, never an empty password")
    void sealed_failureIsTyped() {
        Secret missingKey = Secret.sealed(() -> {
            throw new MailException(MailErrorCode.SECRET_UNAVAILABLE, "sealed with key 'k9'");
        });
        assertThatThrownBy(missingKey::reveal).isInstanceOfSatisfying(MailException.class,
                e -> assertThat(e.code()).isEqualTo(MailErrorCode.SECRET_UNAVAILABLE));
        assertThat(missingKey).as("unopenable: equal to nothing else").isNotEqualTo(Secret.of("x")).isEqualTo(missingKey);
        Secret empty = Secret.sealed(() -> "");
        assertThatThrownBy(empty::reveal).isInstanceOfSatisfying(MailException.class,
                e -> assertThat(e.code()).isEqualTo(MailErrorCode.SECRET_UNAVAILABLE));
        Secret broken = Secret.sealed(() -> {
            throw new IllegalStateException("a secret is sealed with key 'k9', which this cipher does not have");
        });
        assertThatThrownBy(broken::reveal).isInstanceOfSatisfying(MailException.class, e -> {
            assertThat(e.code()).isEqualTo(MailErrorCode.SECRET_UNAVAILABLE);
            assertThat(e.getMessage()).contains("k9");
        });
    }
}
