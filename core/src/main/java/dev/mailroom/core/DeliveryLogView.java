package dev.mailroom.core;

import dev.mailroom.AccountId;
import dev.mailroom.DeliveryLogEntry;
import dev.mailroom.DeliveryLogQuery;
import dev.mailroom.spi.DeliveryLog;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Read access to the delivery log: "errors of the last 24 hours" at a glance, and queries.
 * Thread-safe; obtained from {@link Mailroom#deliveryLog()}.
 *
 * <p>The error views ({@code errorsSince}) show real traffic: sending, notifications, support requests
 * and Sent copies. Connection tests ({@link Mailroom#diagnose}) and test mails ({@link Mailroom#sendTestMail})
 * try settings that may never have been saved, so they do not change an account's error view (nor its
 * {@linkplain Mailroom#health health}); they stay in the log under their own operation
 * ({@link DeliveryLogEntry.Operation#DIAGNOSE}, {@link DeliveryLogEntry.Operation#TEST_MAIL}) and
 * {@link #query} returns them.
 *
 * <pre>{@code
 * for (DeliveryLogEntry e : mailroom.deliveryLog().errorsSince(Duration.ofHours(24))) {
 *     show(e.time(), e.accountAddress(), e.operation(), e.reply().orElse(e.detail()));
 * }
 * }</pre>
 */
public final class DeliveryLogView {
    private static final int MAX_LIMIT = 100_000;

    private final DeliveryLog log;
    private final Clock clock;

    DeliveryLogView(DeliveryLog log, Clock clock) {
        this.log = log;
        this.clock = clock;
    }

    /**
     * Failures of real traffic within a period up to now, newest first (at most 1,000); tests are left out.
     *
     * @param period e.g. {@code Duration.ofHours(24)}
     * @return the failures
     */
    public List<DeliveryLogEntry> errorsSince(Duration period) {
        return traffic(DeliveryLogQuery.since(clock.instant().minus(positive(period))).failures(), 1000);
    }

    /**
     * Failures of one account's real traffic within a period, newest first (at most 1,000); tests are left out.
     *
     * @param period the period up to now
     * @param account the account
     * @return the failures
     */
    public List<DeliveryLogEntry> errorsSince(Duration period, AccountId account) {
        return traffic(DeliveryLogQuery.since(clock.instant().minus(positive(period))).failures().account(account), 1000);
    }

    /**
     * Failures of one tenant's real traffic within a period, newest first (at most 1,000); tests are left out.
     *
     * @param period the period up to now
     * @param tenant the tenant
     * @return the failures
     */
    public List<DeliveryLogEntry> errorsSince(Duration period, String tenant) {
        return traffic(DeliveryLogQuery.since(clock.instant().minus(positive(period))).failures().tenant(tenant), 1000);
    }

    /**
     * Any query.
     *
     * @param query the query
     * @return matching entries, newest first
     */
    public List<DeliveryLogEntry> query(DeliveryLogQuery query) {
        return log.query(Objects.requireNonNull(query, "query"));
    }

    /**
     * Up to {@code wanted} entries of real traffic matching a query, newest first: tests are skipped, and the
     * log is asked for more (at most 100,000 entries) when they crowd out the rest.
     */
    List<DeliveryLogEntry> traffic(DeliveryLogQuery query, int wanted) {
        return traffic(query, wanted, DeliveryLogView::isTraffic);
    }

    /** Up to {@code wanted} entries matching a query and a filter, newest first, asking for more as {@link #traffic} does. */
    List<DeliveryLogEntry> traffic(DeliveryLogQuery query, int wanted, java.util.function.Predicate<DeliveryLogEntry> filter) {
        int limit = wanted;
        while (true) {
            List<DeliveryLogEntry> raw = log.query(query.limit(limit));
            List<DeliveryLogEntry> real = raw.stream().filter(filter).limit(wanted).toList();
            if (real.size() >= wanted || raw.size() < limit || limit >= MAX_LIMIT) {
                return real;
            }
            limit = (int) Math.min(MAX_LIMIT, limit * 4L);
        }
    }

    /** Whether an entry is real traffic rather than a test of settings (which may be an unsaved draft). */
    static boolean isTraffic(DeliveryLogEntry e) {
        return e.operation() != DeliveryLogEntry.Operation.DIAGNOSE && e.operation() != DeliveryLogEntry.Operation.TEST_MAIL;
    }

    /**
     * Writes every entry matching a query, oldest first, as CSV with a header line: the administrator's
     * "download the full log". The query's limit is ignored.
     *
     * @param query which entries
     * @param out where to write; flushed, not closed
     * @throws java.io.UncheckedIOException if writing fails
     */
    public void exportCsv(DeliveryLogQuery query, java.io.Writer out) {
        log.exportCsv(Objects.requireNonNull(query, "query"), out);
    }

    /**
     * Writes every entry matching a query, oldest first, as JSON lines. The query's limit is ignored.
     *
     * @param query which entries
     * @param out where to write; flushed, not closed
     * @throws java.io.UncheckedIOException if writing fails
     */
    public void exportJsonLines(DeliveryLogQuery query, java.io.Writer out) {
        log.exportJsonLines(Objects.requireNonNull(query, "query"), out);
    }

    private static Duration positive(Duration d) {
        Objects.requireNonNull(d, "period");
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("period must be positive, was " + d);
        }
        return d;
    }
}
