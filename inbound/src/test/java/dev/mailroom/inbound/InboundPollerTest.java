package dev.mailroom.inbound;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** F1: the poll schedule. */
final class InboundPollerTest {
    private static final Duration MINUTE = Duration.ofSeconds(60);

    @Test
    @DisplayName("F1: after a success the next fetch is due after the interval, with ±10 % jitter")
    void jitter() {
        assertThat(InboundPoller.delay(MINUTE, 0, 0.0)).isEqualTo(Duration.ofSeconds(54));
        assertThat(InboundPoller.delay(MINUTE, 0, 0.5)).isEqualTo(MINUTE);
        assertThat(InboundPoller.delay(MINUTE, 0, 0.999999)).isLessThanOrEqualTo(Duration.ofSeconds(66));
    }

    @Test
    @DisplayName("F1: failures in a row double the wait, up to 32 times the interval")
    void backoff() {
        assertThat(InboundPoller.delay(MINUTE, 1, 0.5)).isEqualTo(Duration.ofMinutes(2));
        assertThat(InboundPoller.delay(MINUTE, 3, 0.5)).isEqualTo(Duration.ofMinutes(8));
        assertThat(InboundPoller.delay(MINUTE, 5, 0.5)).isEqualTo(Duration.ofMinutes(32));
        assertThat(InboundPoller.delay(MINUTE, 50, 0.5)).isEqualTo(Duration.ofMinutes(32));
    }
}
