package dev.mailroom.gmail.internal;

import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-mailbox pacer on simulated time: waits are recorded, not slept. */
final class PacerTest {
    private final AtomicLong now = new AtomicLong();
    private final List<Long> waits = new ArrayList<>();

    private Pacer pacer(int perMinute, int burst, Duration maxWait) {
        return new Pacer(perMinute, burst, maxWait, now::get, nanos -> {
            waits.add(nanos);
            now.addAndGet(nanos);
        });
    }

    @Test
    @DisplayName("#12 pacing: a burst larger than the bucket goes at once up to the bucket, then one per interval")
    void burst_isPaced() {
        Pacer p = pacer(60, 3, Duration.ofSeconds(10));
        for (int i = 0; i < 10; i++) {
            p.acquire("mailbox");
        }
        assertEquals(List.of(1_000_000_000L, 1_000_000_000L, 1_000_000_000L, 1_000_000_000L, 1_000_000_000L, 1_000_000_000L, 1_000_000_000L), waits);
        assertEquals(7_000_000_000L, now.get(), "10 sends with a bucket of 3 at one per second take 7 seconds");
    }

    @Test
    @DisplayName("#12 pacing: mailboxes have their own buckets")
    void mailboxes_independent() {
        Pacer p = pacer(60, 1, Duration.ofSeconds(10));
        p.acquire("a");
        p.acquire("b");
        assertTrue(waits.isEmpty());
        p.acquire("a");
        assertEquals(List.of(1_000_000_000L), waits);
    }

    @Test
    @DisplayName("#12 pacing: a caller waits at most maxWait; a longer wait is RATE_LIMITED with the time to wait and uses no capacity")
    void boundedWait() {
        // Callers that arrive at the same instant: time does not move while they wait.
        Pacer p = new Pacer(60, 1, Duration.ofMillis(1_500), now::get, waits::add);
        p.acquire("m");
        p.acquire("m");
        assertEquals(List.of(1_000_000_000L), waits);
        MailException e = assertThrows(MailException.class, () -> p.acquire("m"));
        assertEquals(MailErrorCode.RATE_LIMITED, e.code());
        assertEquals(Duration.ofSeconds(2), e.retryAfter().orElseThrow());
        MailException again = assertThrows(MailException.class, () -> p.acquire("m"));
        assertEquals(Duration.ofSeconds(2), again.retryAfter().orElseThrow(), "the refused caller took no capacity");
    }

    @Test
    @DisplayName("#12 pacing: a pause the provider asked for refuses sends at once with its code and the time left")
    void pause_refusesAtOnce() {
        Pacer p = pacer(150, 25, Duration.ofSeconds(10));
        p.pause("m", Duration.ofHours(3), MailErrorCode.DAILY_LIMIT_REACHED);
        now.addAndGet(Duration.ofHours(1).toNanos());
        MailException e = assertThrows(MailException.class, () -> p.acquire("m"));
        assertEquals(MailErrorCode.DAILY_LIMIT_REACHED, e.code());
        assertEquals(Duration.ofHours(2), e.retryAfter().orElseThrow());
        now.addAndGet(Duration.ofHours(2).toNanos());
        p.acquire("m");
        assertTrue(waits.isEmpty());
    }
}
