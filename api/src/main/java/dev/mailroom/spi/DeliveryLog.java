package dev.mailroom.spi;

import dev.mailroom.AccountId;
import dev.mailroom.DeliveryLogEntry;
import dev.mailroom.DeliveryLogQuery;
import dev.mailroom.MailErrorCode;

import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    /**
     * The newest entries that speak for each of several accounts' health, in one read: entries logged at or after
     * {@code since} for which {@link #countsForHealth} is true, at most {@code perAccount} per account, newest first.
     * An account's health is computed from these entries; a health view over many accounts asks once instead of
     * once per account. The default asks {@link #query} per account (growing the limit while entries that do not
     * count crowd out the rest); stores override it with one statement.
     *
     * @param accounts the accounts; duplicates are ignored
     * @param since the oldest time to include
     * @param perAccount at most this many entries per account, 1 to 1,000
     * @return account → its entries, newest first; every given account is a key (with an empty list when it has none)
     */
    default Map<AccountId, List<DeliveryLogEntry>> healthEntries(Collection<AccountId> accounts, Instant since, int perAccount) {
        Objects.requireNonNull(since, "since");
        checkPerAccount(perAccount);
        Map<AccountId, List<DeliveryLogEntry>> out = new LinkedHashMap<>();
        for (AccountId id : accounts) {
            Objects.requireNonNull(id, "accounts contains null");
            if (out.containsKey(id)) {
                continue;
            }
            int limit = perAccount;
            while (true) {
                List<DeliveryLogEntry> raw = query(DeliveryLogQuery.since(since).account(id).limit(limit));
                List<DeliveryLogEntry> counted = raw.stream().filter(DeliveryLog::countsForHealth).limit(perAccount).toList();
                if (counted.size() >= perAccount || raw.size() < limit || limit >= 100_000) {
                    out.put(id, counted);
                    break;
                }
                limit = (int) Math.min(100_000, limit * 4L);
            }
        }
        return out;
    }

    /**
     * Whether an entry speaks for its account's health: real traffic (not a connection test or a test mail, which may
     * try an unsaved draft; not a Sent-folder copy; not a bounce, which reports on a recipient), not skipped, and not
     * failed for a reason of the recipient or the message (an unknown recipient, a message too large), which say
     * nothing about the account. Fetches count: a failed login to the mailbox is the account's problem.
     *
     * @param e an entry
     * @return whether it counts
     */
    static boolean countsForHealth(DeliveryLogEntry e) {
        DeliveryLogEntry.Operation op = e.operation();
        if (op == DeliveryLogEntry.Operation.DIAGNOSE || op == DeliveryLogEntry.Operation.TEST_MAIL || op == DeliveryLogEntry.Operation.SENT_COPY
                || op == DeliveryLogEntry.Operation.BOUNCE || e.outcome() == DeliveryLogEntry.Outcome.SKIPPED) {
            return false;
        }
        return e.errorCode() == null || !ignoredForHealth(e.errorCode());
    }

    /**
     * Whether failures with this code are left out of an account's health (recipient and message problems).
     *
     * @param code an error code
     * @return true for the categories {@code RECIPIENT} and {@code MESSAGE}
     */
    static boolean ignoredForHealth(MailErrorCode code) {
        return code.category() == MailErrorCode.Category.RECIPIENT || code.category() == MailErrorCode.Category.MESSAGE;
    }

    /**
     * Checks the {@code perAccount} argument of {@link #healthEntries}.
     *
     * @param perAccount the argument
     * @throws IllegalArgumentException outside 1 to 1,000
     */
    static void checkPerAccount(int perAccount) {
        if (perAccount < 1 || perAccount > 1000) {
            throw new IllegalArgumentException("perAccount must be 1 to 1000, was " + perAccount);
        }
    }
}
