package dev.mailroom.spi;

import dev.mailroom.DeliveryLogEntry;
import dev.mailroom.DeliveryLogQuery;

import java.util.List;

/**
 * Where every send attempt, test mail and connection test is recorded (C3). Mailroom's in-memory
 * implementation keeps a bounded window; the JDBC store keeps everything up to its retention.
 *
 * <p>Implementations must be thread-safe. {@link #record(DeliveryLogEntry)} is called on the sending
 * thread after each attempt and should be fast; if it throws, Mailroom logs the failure and the send
 * result stands (a log failure never turns a sent mail into an error, so nothing is sent twice).
 *
 * <pre>{@code
 * List<DeliveryLogEntry> errors = log.query(DeliveryLogQuery.since(Instant.now().minus(Duration.ofHours(24))).failures());
 * }</pre>
 */
public interface DeliveryLog {

    /**
     * Records an entry.
     *
     * @param entry the entry
     */
    void record(DeliveryLogEntry entry);

    /**
     * Records several entries at once (the outbox writes the successes of a claimed batch together). The
     * default calls {@link #record} per entry; stores override it with one batched write.
     *
     * @param entries the entries, in order
     */
    default void recordAll(java.util.List<DeliveryLogEntry> entries) {
        entries.forEach(this::record);
    }

    /**
     * Entries matching a query, newest first.
     *
     * @param query the query
     * @return the entries, at most {@code query.limit()}
     */
    List<DeliveryLogEntry> query(DeliveryLogQuery query);

    /**
     * Deletes entries logged more than {@code retention} ago. The outbox workers call it about once an hour
     * when a retention is set on the {@code Mailroom} builder; the default deletes nothing.
     *
     * @param retention how long entries are kept, positive
     * @return how many entries were deleted
     */
    default int purgeOlderThan(java.time.Duration retention) {
        java.util.Objects.requireNonNull(retention, "retention");
        return 0;
    }
}
