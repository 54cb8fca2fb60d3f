package dev.mailroom.gmail.internal;

import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Paces sends per mailbox with a token bucket, so that a burst waits its turn instead of collecting 429s, and
 * remembers a pause the provider asked for (Retry-After, the daily limit) so that later sends fail at once
 * instead of asking again. A caller waits at most {@code maxWait}; a longer wait is refused with
 * {@link MailErrorCode#RATE_LIMITED} (or the code of the pause) and the time to wait, and uses no capacity.
 * Thread-safe.
 */
public final class Pacer {
    /** Waits; replaced in tests so that time is simulated. */
    @FunctionalInterface
    public interface Sleeper {
        /**
         * @param nanos how long to wait
         * @throws InterruptedException when interrupted
         */
        void sleep(long nanos) throws InterruptedException;
    }

    private final double perNano;
    private final double burst;
    private final long maxWaitNanos;
    private final LongSupplier nanoTime;
    private final Sleeper sleeper;
    private final Map<Object, Bucket> buckets = new ConcurrentHashMap<>();

    /**
     * @param perMinute sends per minute and mailbox, on average
     * @param burst sends that may go at once after a quiet time
     * @param maxWait the longest a caller waits for its turn
     * @param nanoTime the monotonic time source
     * @param sleeper how to wait
     */
    public Pacer(int perMinute, int burst, Duration maxWait, LongSupplier nanoTime, Sleeper sleeper) {
        if (perMinute < 1 || burst < 1) {
            throw new IllegalArgumentException("perMinute and burst must be at least 1, were " + perMinute + " and " + burst);
        }
        this.perNano = perMinute / 60e9;
        this.burst = burst;
        this.maxWaitNanos = Objects.requireNonNull(maxWait, "maxWait").toNanos();
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    /**
     * A pacer on the system's monotonic clock.
     *
     * @param perMinute sends per minute and mailbox
     * @param burst sends that may go at once
     * @param maxWait the longest a caller waits
     * @return the pacer
     */
    public static Pacer system(int perMinute, int burst, Duration maxWait) {
        return new Pacer(perMinute, burst, maxWait, System::nanoTime, nanos -> Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000)));
    }

    /**
     * Takes one send's capacity for a mailbox, waiting for it when the bucket is empty.
     *
     * @param mailbox the key of the mailbox (the account id)
     * @throws MailException {@link MailErrorCode#RATE_LIMITED} (or the code of a pause the provider asked for)
     *         with the time to wait, when the wait would be longer than allowed
     */
    public void acquire(Object mailbox) {
        long wait = buckets.computeIfAbsent(mailbox, k -> new Bucket(nanoTime.getAsLong())).reserve(nanoTime.getAsLong());
        if (wait <= 0) {
            return;
        }
        try {
            sleeper.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MailException(MailErrorCode.RATE_LIMITED, "interrupted while waiting for the mailbox's turn; nothing was sent", null,
                    Duration.ofNanos(wait), e);
        }
    }

    /**
     * Remembers that the provider asked this mailbox to wait: sends before then are refused at once.
     *
     * @param mailbox the key of the mailbox
     * @param wait how long
     * @param code {@link MailErrorCode#RATE_LIMITED} or {@link MailErrorCode#DAILY_LIMIT_REACHED}
     */
    public void pause(Object mailbox, Duration wait, MailErrorCode code) {
        buckets.computeIfAbsent(mailbox, k -> new Bucket(nanoTime.getAsLong())).pause(nanoTime.getAsLong() + wait.toNanos(), code);
    }

    /**
     * Forgets a mailbox (its settings changed or it was deleted).
     *
     * @param mailbox the key of the mailbox
     */
    public void forget(Object mailbox) {
        buckets.remove(mailbox);
    }

    private final class Bucket {
        private double tokens = burst;
        private long last;
        private long pausedUntil;
        private MailErrorCode pauseCode = MailErrorCode.RATE_LIMITED;

        Bucket(long now) {
            this.last = now;
            this.pausedUntil = now;
        }

        synchronized long reserve(long now) {
            tokens = Math.min(burst, tokens + (now - last) * perNano);
            last = now;
            long paused = pausedUntil - now;
            if (paused > 0) {
                // The provider asked us to wait: no capacity is used, the caller learns how long at once.
                throw new MailException(pauseCode, "the provider asked this mailbox to wait; nothing was sent", null,
                        Duration.ofNanos(paused), null);
            }
            double after = tokens - 1;
            long wait = after >= 0 ? 0 : (long) Math.ceil(-after / perNano);
            if (wait > maxWaitNanos) {
                throw new MailException(MailErrorCode.RATE_LIMITED, "this mailbox sends faster than the provider allows ("
                        + Math.round(perNano * 60e9) + " per minute); nothing was sent", null, Duration.ofNanos(wait), null);
            }
            tokens = after;
            return wait;
        }

        synchronized void pause(long until, MailErrorCode code) {
            if (until > pausedUntil) {
                pausedUntil = until;
                pauseCode = code;
            }
        }
    }
}
