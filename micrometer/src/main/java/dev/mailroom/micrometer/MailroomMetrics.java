package dev.mailroom.micrometer;

import dev.mailroom.AccountId;
import dev.mailroom.core.DeliveryAttempt;
import dev.mailroom.core.Mailroom;
import dev.mailroom.core.MailroomListener;
import dev.mailroom.core.TokenRefresh;
import dev.mailroom.spi.OutboxRepository;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Micrometer meters for a {@link Mailroom}: counts and durations of delivery attempts (a {@link MailroomListener}),
 * and the outbox's depth. Tags have low cardinality: transport, outcome, error category, direct or queued; the
 * account only when the host opts in ({@link Builder#accountTag(boolean)}).
 *
 * <pre>{@code
 * MailroomMetrics metrics = MailroomMetrics.builder(meterRegistry).build();
 * Mailroom mailroom = Mailroom.builder().store(store).listener(metrics).build();
 * metrics.bindTo(mailroom);     // the outbox gauges
 * }</pre>
 *
 * <table>
 * <caption>Meters</caption>
 * <tr><th>name</th><th>type</th><th>tags</th></tr>
 * <tr><td>{@code mailroom.deliveries}</td><td>counter</td><td>transport, outcome (sent, failed, deferred, held), error (category or none), queued</td></tr>
 * <tr><td>{@code mailroom.delivery.duration}</td><td>timer</td><td>transport, outcome, queued</td></tr>
 * <tr><td>{@code mailroom.outbox.entries}</td><td>gauge</td><td>status (queued, in_flight, sent, failed)</td></tr>
 * <tr><td>{@code mailroom.accounts.held}</td><td>gauge</td><td>—</td></tr>
 * <tr><td>{@code mailroom.outbox.oldest.due.age}</td><td>time gauge (seconds)</td><td>—</td></tr>
 * <tr><td>{@code mailroom.oauth.refreshes}</td><td>counter</td><td>provider, outcome (succeeded, failed), error (category or none)</td></tr>
 * </table>
 *
 * <p>{@code mailroom.outbox.oldest.due.age} is how long the entry due the longest has waited (0 when nothing is
 * due; growing when the workers do not drain the queue), read like the counts. The delivery meters carry the
 * account only with {@link Builder#accountTag(boolean)}. Counters of incoming mail are in {@link InboundMetrics}
 * (a separate class, so that this one never needs mailroom-inbound).
 *
 * <p>The outbox gauges read {@code mailroom.outbox().counts()} (one query) at most once per
 * {@link Builder#outboxRefresh(Duration)}, however often the registry is scraped. {@code mailroom.accounts.held}
 * counts the accounts whose latest queued attempt on this node was held for an account problem and that have
 * not sent since. Thread-safe.
 */
public final class MailroomMetrics implements MailroomListener {
    private final MeterRegistry registry;
    private final boolean accountTag;
    private final Duration outboxRefresh;
    private final Set<AccountId> held = ConcurrentHashMap.newKeySet();
    private final Object refreshLock = new Object();
    private volatile Map<OutboxRepository.Status, Long> counts = Map.of();
    private volatile long countedAt = Long.MIN_VALUE;

    private MailroomMetrics(Builder b) {
        this.registry = b.registry;
        this.accountTag = b.accountTag;
        this.outboxRefresh = b.outboxRefresh;
        Gauge.builder("mailroom.accounts.held", held, Set::size)
                .description("accounts whose queued mail waits for an administrator (login, sender, TLS), as this node saw them")
                .register(registry);
    }

    /**
     * A builder of meters in a registry.
     *
     * @param registry where the meters go
     * @return the builder
     */
    public static Builder builder(MeterRegistry registry) {
        return new Builder(Objects.requireNonNull(registry, "registry"));
    }

    /**
     * Counts and times one attempt.
     *
     * @param attempt the attempt
     */
    @Override
    public void attempted(DeliveryAttempt attempt) {
        String outcome = attempt.outcome().name().toLowerCase(Locale.ROOT);
        String transport = attempt.transport() == null ? "none" : attempt.transport();
        Tags tags = Tags.of("transport", transport, "outcome", outcome, "queued", Boolean.toString(attempt.queued()));
        if (accountTag) {
            tags = tags.and("account", attempt.account() == null ? "none" : attempt.account().value());
        }
        Counter.builder("mailroom.deliveries").description("delivery attempts by outcome")
                .tags(tags.and("error", attempt.failure().map(c -> c.category().name().toLowerCase(Locale.ROOT)).orElse("none")))
                .register(registry).increment();
        Timer.builder("mailroom.delivery.duration").description("how long delivery attempts take (rendering and the transport)")
                .tags(tags).register(registry).record(attempt.duration());
        if (attempt.account() != null && attempt.queued()) {
            if (attempt.outcome() == DeliveryAttempt.Outcome.HELD) {
                held.add(attempt.account());
            } else if (attempt.outcome() == DeliveryAttempt.Outcome.SENT) {
                held.remove(attempt.account());
            }
        }
    }

    /**
     * Counts one call to an OAuth provider for a token ({@code mailroom.oauth.refreshes}).
     *
     * @param refresh the refresh
     */
    @Override
    public void tokenRefreshed(TokenRefresh refresh) {
        Counter.builder("mailroom.oauth.refreshes").description("calls to OAuth providers for access tokens by outcome")
                .tags("provider", refresh.provider(), "outcome", refresh.succeeded() ? "succeeded" : "failed",
                        "error", refresh.failure().map(c -> c.category().name().toLowerCase(Locale.ROOT)).orElse("none"))
                .register(registry).increment();
    }

    /**
     * Registers the outbox gauges of a Mailroom ({@code mailroom.outbox.entries} per status and
     * {@code mailroom.outbox.oldest.due.age}). Call once.
     *
     * @param mailroom the Mailroom whose outbox to measure; its outbox must answer {@code counts()}
     */
    public void bindTo(Mailroom mailroom) {
        Objects.requireNonNull(mailroom, "mailroom");
        for (OutboxRepository.Status status : OutboxRepository.Status.values()) {
            Gauge.builder("mailroom.outbox.entries", () -> count(mailroom, status)).description("outbox entries by status")
                    .tag("status", status.name().toLowerCase(Locale.ROOT)).register(registry);
        }
        TimeGauge.builder("mailroom.outbox.oldest.due.age", () -> oldestDue(mailroom), TimeUnit.SECONDS)
                .description("how long the outbox entry due the longest has waited since it became due (0: nothing due)").register(registry);
    }

    private final Object ageLock = new Object();
    private volatile double oldestDueSeconds = Double.NaN;
    private volatile long agedAt = Long.MIN_VALUE;

    /** Seconds since the oldest due entry became due, from a reading at most {@code outboxRefresh} old; NaN while unreadable. */
    private double oldestDue(Mailroom mailroom) {
        long now = System.nanoTime();
        if (agedAt == Long.MIN_VALUE || now - agedAt > outboxRefresh.toNanos()) {
            synchronized (ageLock) {
                if (agedAt == Long.MIN_VALUE || now - agedAt > outboxRefresh.toNanos()) {
                    try {
                        oldestDueSeconds = mailroom.outbox().oldestDueAge().map(d -> d.toMillis() / 1000.0).orElse(0.0);
                    } catch (RuntimeException e) {
                        oldestDueSeconds = Double.NaN; // the store is failing or cannot tell: no figure rather than a stale one
                    }
                    agedAt = System.nanoTime();
                }
            }
        }
        return oldestDueSeconds;
    }

    /** The status's count, from a snapshot at most {@code outboxRefresh} old; NaN while the outbox cannot be read. */
    private double count(Mailroom mailroom, OutboxRepository.Status status) {
        long now = System.nanoTime();
        if (countedAt == Long.MIN_VALUE || now - countedAt > outboxRefresh.toNanos()) {
            synchronized (refreshLock) {
                if (countedAt == Long.MIN_VALUE || now - countedAt > outboxRefresh.toNanos()) {
                    try {
                        counts = Map.copyOf(mailroom.outbox().counts());
                    } catch (RuntimeException e) {
                        counts = Map.of(); // the store is failing: no figure rather than a stale one
                    }
                    countedAt = System.nanoTime();
                }
            }
        }
        Long n = counts.get(status);
        return n == null ? Double.NaN : n;
    }

    /** Configures {@link MailroomMetrics}. */
    public static final class Builder {
        private final MeterRegistry registry;
        private boolean accountTag;
        private Duration outboxRefresh = Duration.ofSeconds(10);

        private Builder(MeterRegistry registry) {
            this.registry = registry;
        }

        /**
         * Whether delivery meters carry an {@code account} tag (the account id). One time series per account and
         * outcome: only for hosts with few accounts. Default false.
         *
         * @param tag true to tag by account
         * @return this
         */
        public Builder accountTag(boolean tag) {
            this.accountTag = tag;
            return this;
        }

        /**
         * How old the outbox counts may be before a scrape reads them again. Default 10 s.
         *
         * @param refresh positive
         * @return this
         */
        public Builder outboxRefresh(Duration refresh) {
            Objects.requireNonNull(refresh, "outboxRefresh");
            if (refresh.isNegative() || refresh.isZero()) {
                throw new IllegalArgumentException("outboxRefresh must be positive, was " + refresh);
            }
            this.outboxRefresh = refresh;
            return this;
        }

        /**
         * Registers the gauge of held accounts.
         *
         * @return the meters, a listener to register with {@code Mailroom.builder().listener(…)}
         */
        public MailroomMetrics build() {
            return new MailroomMetrics(this);
        }
    }
}
