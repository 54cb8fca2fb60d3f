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
 * Read access to the delivery log (C3): "errors of the last 24 hours" at a glance, and queries.
 * Thread-safe; obtained from {@link Mailroom#deliveryLog()}.
 *
 * <pre>{@code
 * for (DeliveryLogEntry e : mailroom.deliveryLog().errorsSince(Duration.ofHours(24))) {
 *     show(e.time(), e.accountAddress(), e.operation(), e.reply().orElse(e.detail()));
 * }
 * }</pre>
 */
public final class DeliveryLogView {
    private final DeliveryLog log;
    private final Clock clock;

    DeliveryLogView(DeliveryLog log, Clock clock) {
        this.log = log;
        this.clock = clock;
    }

    /**
     * Failures within a period up to now, newest first (at most 1,000).
     *
     * @param period e.g. {@code Duration.ofHours(24)}
     * @return the failures
     */
    public List<DeliveryLogEntry> errorsSince(Duration period) {
        return log.query(DeliveryLogQuery.since(clock.instant().minus(positive(period))).failures());
    }

    /**
     * Failures of one account within a period, newest first.
     *
     * @param period the period up to now
     * @param account the account
     * @return the failures
     */
    public List<DeliveryLogEntry> errorsSince(Duration period, AccountId account) {
        return log.query(DeliveryLogQuery.since(clock.instant().minus(positive(period))).failures().account(account));
    }

    /**
     * Failures of one tenant within a period, newest first.
     *
     * @param period the period up to now
     * @param tenant the tenant
     * @return the failures
     */
    public List<DeliveryLogEntry> errorsSince(Duration period, String tenant) {
        return log.query(DeliveryLogQuery.since(clock.instant().minus(positive(period))).failures().tenant(tenant));
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
