package dev.mailroom.spi;

import dev.mailroom.DeliveryLogEntry;
import dev.mailroom.DeliveryLogQuery;

import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Where every send attempt, test mail and connection test is recorded. Mailroom's in-memory
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

    /**
     * Hands every entry matching a query to {@code sink}, oldest first, ignoring the query's limit: the
     * basis of the exports. The default reads {@link #query} with the largest limit it allows (100,000
     * entries) and reverses it; stores override it to stream everything with bounded memory.
     *
     * @param query which entries
     * @param sink receives each entry, on the calling thread
     */
    default void forEach(DeliveryLogQuery query, Consumer<DeliveryLogEntry> sink) {
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(sink, "sink");
        List<DeliveryLogEntry> newestFirst = new ArrayList<>(query(query.limit(100_000)));
        Collections.reverse(newestFirst);
        newestFirst.forEach(sink);
    }

    /**
     * Writes every entry matching a query, oldest first, as CSV (RFC 4180) with a header line: the
     * administrator's "download the full log". The query's limit is ignored.
     *
     * @param query which entries
     * @param out where to write; flushed, not closed
     * @throws UncheckedIOException if writing fails
     */
    default void exportCsv(DeliveryLogQuery query, Writer out) {
        Objects.requireNonNull(out, "out");
        LogFormat.write(out, LogFormat.CSV_HEADER);
        forEach(query, e -> LogFormat.write(out, LogFormat.csv(e)));
        LogFormat.flush(out);
    }

    /**
     * Writes every entry matching a query, oldest first, as JSON lines (one object per line, the fields of
     * {@link DeliveryLogEntry} by name). The query's limit is ignored.
     *
     * @param query which entries
     * @param out where to write; flushed, not closed
     * @throws UncheckedIOException if writing fails
     */
    default void exportJsonLines(DeliveryLogQuery query, Writer out) {
        Objects.requireNonNull(out, "out");
        forEach(query, e -> LogFormat.write(out, LogFormat.json(e)));
        LogFormat.flush(out);
    }
}
