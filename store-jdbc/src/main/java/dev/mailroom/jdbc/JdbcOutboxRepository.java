package dev.mailroom.jdbc;

import dev.mailroom.AccountId;
import dev.mailroom.DeliveryLogEntry;
import dev.mailroom.EmailAddress;
import dev.mailroom.jdbc.internal.Transactions;
import dev.mailroom.jdbc.internal.StoreFailure;
import dev.mailroom.spi.OutboxRepository;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * {@link OutboxRepository} over JDBC. Claims use the database clock and a lease. On PostgreSQL a claim is
 * one {@code UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)}, so several nodes drain one outbox
 * without waiting for each other. On H2, whose {@code FOR UPDATE} cost grows with the backlog, a claim
 * reads candidates without locks and takes each with a conditional {@code UPDATE} (optimistic). No
 * transaction stays open across a send. Thread-safe. Obtained from {@link JdbcStore#outbox()}.
 *
 * <p><b>Fair order.</b> Accounts take turns (fair queueing): each entry has a place ({@code lane_at}); a new
 * entry of account A is placed at {@code max(head, tail(A)) + 1}, where {@code head} is the smallest place
 * among ready entries and {@code tail(A)} the place of A's last entry (table {@code mailroom_outbox_lane},
 * one row per account, locked for the insert's transaction). So when A has 10,000 mails queued, B's new mail
 * goes right behind the head, and two accounts with backlogs alternate. Ready entries ({@code QUEUED}) are
 * claimed in place order from one index range; entries waiting for a retry or a hold ({@code WAITING}) and
 * entries whose lease expired are moved to the head by the claim that finds them due, keeping their order
 * among themselves. Every step is an index range, so claims cost the same with a large backlog.
 *
 * <p><b>Leases and age (ADR 008).</b> {@link #renew} extends the leases a worker still holds before a send
 * (one statement). Every entry read carries its {@linkplain Entry#age() age} computed by the database:
 * {@code now - created_at}, less the time it was held for an account problem ({@code held_ms}, and
 * {@code now - held_since} while such a hold lasts).
 */
public final class JdbcOutboxRepository implements OutboxRepository {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(JdbcOutboxRepository.class);
    private static final String NOW = "CAST(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) * 1000 AS BIGINT)";
    private static final String COLUMNS = "id, idempotency_key, message_id, account_id, tenant, transport, envelope_from, recipients,"
            + " smtp_utf8, status, attempts, created_at, due_at, last_error, possible_duplicate, operation, lane_at, partly_sent,"
            + " " + NOW + " - created_at - held_ms - COALESCE(" + NOW + " - held_since, 0) AS age_ms";
    /** Ends an account hold's pause of the age (V7): the time held so far is added up. */
    private static final String UNHOLD = "held_ms = held_ms + COALESCE(" + NOW + " - held_since, 0), held_since = NULL";
    /**
     * The place of the next ready entry, or, with nothing ready, the last place given: where a newcomer goes.
     * ({@code ORDER BY status, lane_at}, not just {@code lane_at}: H2 reads the index in order only then.)
     */
    private static final String HEAD = "COALESCE((SELECT h.lane_at FROM mailroom_outbox h WHERE h.status = 'QUEUED' ORDER BY h.status, h.lane_at"
            + " FETCH FIRST 1 ROWS ONLY), (SELECT MAX(l.tail) FROM mailroom_outbox_lane l), 0)";
    /** A sent entry: due_at becomes its finish time, for {@link #purgeFinished}. */
    private static final String SENT = "status = 'SENT', attempts = attempts + 1, due_at = " + NOW;
    /** Entries deleted per transaction by {@link #purgeFinished}. */
    private static final int PURGE_CHUNK = 1000;
    /** Entries moved to the head per claim, at most. */
    private static final int PROMOTE_MAX = 500;
    private static final int CHUNK = 512 * 1024;
    /** Staging keys per millisecond ({@link #stage}). */
    private static final long STAGING_SPREAD = 1_000_000L;
    /** Staged chunks that no entry refers to are deleted after this long (a node crashed while enqueuing). */
    private static final Duration ORPHAN_AGE = Duration.ofDays(1);
    /** Parameters per IN list. */
    private static final int IN_CHUNK = 500;

    private final DataSource dataSource;
    private final boolean postgres;
    /** Accounts whose lane row exists (rows are never deleted). */
    private final java.util.Set<String> lanes = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** The host's transaction to insert in, if the enqueuing thread is in one (ADR 026). */
    private final TransactionJoin join;

    JdbcOutboxRepository(DataSource dataSource) {
        this(dataSource, new TransactionJoin(HostTransactions.NONE));
    }

    JdbcOutboxRepository(DataSource dataSource, TransactionJoin join) {
        this.dataSource = dataSource;
        this.join = join;
        try (Connection c = dataSource.getConnection()) {
            this.postgres = c.getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT).contains("postgres");
        } catch (SQLException e) {
            throw StoreFailure.of("Mailroom outbox", e);
        }
    }

    @Override
    public Entry insert(NewEntry e) {
        Objects.requireNonNull(e, "entry");
        return insertAll(List.of(e)).get(0);
    }

    /**
     * Stores the entries in one transaction with two batched statements (rows, then payload chunks). Entries
     * whose idempotency key is already stored are returned as stored and not inserted again. When the calling
     * thread is in a host transaction ({@link HostTransactions}, {@link JdbcStore#joinTransaction}), the rows are
     * written through the host's connection inside a savepoint, and commit or roll back with the host's work.
     */
    @Override
    public List<Entry> insertAll(List<NewEntry> entries) {
        Objects.requireNonNull(entries, "entries");
        if (entries.isEmpty()) {
            return List.of();
        }
        Connection host;
        try {
            host = join.acquire();
        } catch (SQLException ex) {
            throw StoreFailure.of("Mailroom outbox (the host's transaction)", ex);
        }
        if (host != null) {
            try {
                return insertJoined(host, entries);
            } catch (SQLException ex) {
                throw StoreFailure.of("Mailroom outbox (in the host's transaction)", ex);
            } finally {
                join.release(host);
            }
        }
        Map<String, Entry> existing = byKeys(entries.stream().map(NewEntry::idempotencyKey).filter(Objects::nonNull).toList());
        List<NewEntry> fresh = new ArrayList<>();
        for (NewEntry e : entries) {
            if (e.idempotencyKey() == null || !existing.containsKey(e.idempotencyKey())) {
                fresh.add(e);
            }
        }
        List<Entry> inserted;
        try {
            inserted = insertRows(fresh);
        } catch (SQLException ex) {
            if (fresh.stream().anyMatch(e -> e.idempotencyKey() != null)) {
                // Another node stored one of the keys meanwhile: one at a time, so each key resolves on its own.
                if (fresh.size() > 1) {
                    return entries.stream().map(this::insert).toList();
                }
                Optional<Entry> raced = byKey(fresh.get(0).idempotencyKey());
                if (raced.isPresent()) {
                    return List.of(raced.get());
                }
            }
            throw StoreFailure.of("Mailroom outbox", ex);
        }
        return inOrder(entries, existing, inserted);
    }

    /** Per new entry in order: the entry already stored with its key, else the next one inserted. */
    private static List<Entry> inOrder(List<NewEntry> entries, Map<String, Entry> existing, List<Entry> inserted) {
        List<Entry> out = new ArrayList<>(entries.size());
        int next = 0;
        for (NewEntry e : entries) {
            Entry known = e.idempotencyKey() == null ? null : existing.get(e.idempotencyKey());
            out.add(known != null ? known : inserted.get(next++));
        }
        return out;
    }

    /** Inserts rows and payloads; the stored entries are built from the input and the generated id and times (no re-read). */
    private List<Entry> insertRows(List<NewEntry> entries) throws SQLException {
        List<Long> ids = new ArrayList<>(entries.size());
        List<Entry> out = new ArrayList<>(entries.size());
        if (entries.isEmpty()) {
            return out;
        }
        try (Connection c = dataSource.getConnection()) {
            ensureLanes(c, entries);
            long[] staged = stage(c, entries, true);
            boolean stored = false;
            try {
                List<Entry> result = insertRows(c, entries, staged, ids, out);
                stored = true;
                return result;
            } finally {
                if (!stored) {
                    unstage(c, staged);
                }
            }
        }
    }

    /** The entry rows, their places and their payloads (or the link to staged ones) in one transaction. */
    private List<Entry> insertRows(Connection c, List<NewEntry> entries, long[] staged, List<Long> ids, List<Entry> out) throws SQLException {
        return Transactions.inTransaction(c, () -> writeRows(c, entries, staged, ids, out));
    }

    /**
     * Inserts into the host's transaction (ADR 026): lane rows on a connection of the store's own (kept even if the
     * host rolls back: lanes are never deleted), then rows and payloads, large ones chunk by chunk without staging,
     * inside a savepoint, so that a failure leaves the host's transaction usable. Keys already stored, also by this
     * transaction, are returned as stored; a key another transaction committed meanwhile is read back.
     */
    private List<Entry> insertJoined(Connection c, List<NewEntry> entries) throws SQLException {
        if (entries.stream().anyMatch(e -> !lanes.contains(e.accountId().value()))) {
            try (Connection own = dataSource.getConnection()) {
                ensureLanes(own, entries);
            }
        }
        Map<String, Entry> existing = byKeys(c, entries.stream().map(NewEntry::idempotencyKey).filter(Objects::nonNull).toList());
        List<NewEntry> fresh = entries.stream().filter(e -> e.idempotencyKey() == null || !existing.containsKey(e.idempotencyKey())).toList();
        List<Entry> inserted = new ArrayList<>();
        if (!fresh.isEmpty()) {
            java.sql.Savepoint savepoint = c.setSavepoint();
            try {
                long[] staged = stage(c, fresh, false);
                writeRows(c, fresh, staged, new ArrayList<>(), inserted);
                c.releaseSavepoint(savepoint);
            } catch (SQLException | RuntimeException ex) {
                c.rollback(savepoint);
                if (fresh.stream().anyMatch(e -> e.idempotencyKey() != null)) {
                    if (fresh.size() > 1) {
                        List<Entry> out = new ArrayList<>();
                        for (NewEntry e : entries) {
                            out.add(insertJoined(c, List.of(e)).get(0));
                        }
                        return out;
                    }
                    Map<String, Entry> raced = byKeys(c, List.of(fresh.get(0).idempotencyKey()));
                    if (!raced.isEmpty()) {
                        return List.of(raced.values().iterator().next());
                    }
                }
                throw ex;
            }
        }
        return inOrder(entries, existing, inserted);
    }

    /** The entry rows, their places and their payloads (or the link to staged ones), in the caller's transaction. */
    private List<Entry> writeRows(Connection c, List<NewEntry> entries, long[] staged, List<Long> ids, List<Entry> out) throws SQLException {
        long[] places = places(c, entries);
        try (PreparedStatement p = c.prepareStatement("INSERT INTO mailroom_outbox (idempotency_key, message_id, account_id, tenant,"
                + " transport, envelope_from, recipients, smtp_utf8, status, attempts, created_at, due_at, possible_duplicate, operation,"
                + " lane_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'QUEUED', 0, " + NOW + ", " + NOW + ", FALSE, ?, ?)",
                new String[] {"id", "created_at", "due_at"})) {
            for (int i = 0; i < entries.size(); i++) {
                NewEntry e = entries.get(i);
                p.setString(1, e.idempotencyKey());
                p.setString(2, e.messageId());
                p.setString(3, e.accountId().value());
                p.setString(4, e.tenant());
                p.setString(5, e.transport());
                p.setString(6, e.envelopeFrom().address());
                p.setString(7, String.join("\n", e.recipients().stream().map(EmailAddress::address).toList()));
                p.setBoolean(8, e.smtpUtf8());
                p.setString(9, e.operation().name());
                p.setLong(10, places[i]);
                p.addBatch();
            }
            p.executeBatch();
            try (ResultSet keys = p.getGeneratedKeys()) {
                while (keys.next()) {
                    NewEntry e = entries.get(ids.size());
                    ids.add(keys.getLong(1));
                    out.add(Entry.builder().id(keys.getLong(1)).idempotencyKey(e.idempotencyKey()).messageId(e.messageId())
                            .accountId(e.accountId()).tenant(e.tenant()).transport(e.transport()).envelopeFrom(e.envelopeFrom())
                            .recipients(e.recipients()).smtpUtf8(e.smtpUtf8()).status(Status.QUEUED)
                            .createdAt(Instant.ofEpochMilli(keys.getLong(2))).dueAt(Instant.ofEpochMilli(keys.getLong(3)))
                            .operation(e.operation()).age(Duration.ZERO).build());
                    if (ids.size() == entries.size()) {
                        break;
                    }
                }
            }
        }
        if (ids.size() != entries.size()) {
            throw new SQLException("the driver returned " + ids.size() + " generated ids for " + entries.size() + " rows");
        }
        insertPayloads(c, entries, ids, staged);
        return out;
    }

    /**
     * Payloads of more than one chunk are written before the entry's transaction, under a staging key of their
     * own, each chunk committed on its own (ADR 009): a database keeps an open transaction's rows in memory
     * (H2 all of them), so a 50 MB message in the entry's transaction would be in the heap. The entry's
     * transaction then only links them ({@code payload_ref}); on failure they are deleted again, and after a
     * crash in between, {@link #purgeFinished} deletes them a day later.
     *
     * In a host's transaction ({@code commitEach} false) the chunks are written the same way, one statement each, but
     * committed with the host's work: nothing is left behind on a rollback.
     *
     * @return per entry its staging key (negative), or 0 for a payload that goes into the entry's transaction
     */
    private static long[] stage(Connection c, List<NewEntry> entries, boolean commitEach) throws SQLException {
        long[] staged = new long[entries.size()];
        if (entries.stream().noneMatch(e -> e.content().size() > CHUNK)) {
            return staged;
        }
        boolean auto = c.getAutoCommit();
        if (commitEach) {
            c.setAutoCommit(true);
        }
        try (PreparedStatement p = c.prepareStatement("INSERT INTO mailroom_outbox_payload (outbox_id, seq, chunk) VALUES (?, ?, ?)")) {
            byte[] buffer = new byte[CHUNK];
            for (int i = 0; i < entries.size(); i++) {
                NewEntry e = entries.get(i);
                if (e.content().size() <= CHUNK) {
                    continue;
                }
                // Negative, unique, and ordered by time: the orphan sweep finds old ones in one key range.
                staged[i] = -(System.currentTimeMillis() * STAGING_SPREAD + java.util.concurrent.ThreadLocalRandom.current().nextLong(STAGING_SPREAD));
                copy(p, e, staged[i], buffer, true);
            }
        } catch (SQLException | RuntimeException ex) {
            if (commitEach) {
                unstage(c, staged);
            }
            throw ex;
        } finally {
            if (commitEach) {
                c.setAutoCommit(auto);
            }
        }
        return staged;
    }

    /** Deletes staged chunks of entries that were not stored (best effort: the orphan sweep catches the rest). */
    private static void unstage(Connection c, long[] staged) {
        try (PreparedStatement p = c.prepareStatement("DELETE FROM mailroom_outbox_payload WHERE outbox_id = ?")) {
            for (long key : staged) {
                if (key != 0) {
                    p.setLong(1, key);
                    p.executeUpdate();
                }
            }
        } catch (SQLException ignored) {
            // the database is failing already; purgeFinished deletes orphans later
        }
    }

    /**
     * Copies each payload of one chunk into the entry's transaction (in one batch with the others, sent
     * whenever it holds a chunk's worth of bytes) and links the staged ones to their entries.
     */
    private static void insertPayloads(Connection c, List<NewEntry> entries, List<Long> ids, long[] staged) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("INSERT INTO mailroom_outbox_payload (outbox_id, seq, chunk) VALUES (?, ?, ?)")) {
            // as large as the largest payload here (one chunk at most): a 2 KB mail does not allocate 512 KiB
            long largest = 0;
            for (int i = 0; i < entries.size(); i++) {
                largest = staged[i] == 0 ? Math.max(largest, entries.get(i).content().size()) : largest;
            }
            byte[] buffer = new byte[(int) Math.min(CHUNK, largest)];
            long pending = 0;
            for (int i = 0; i < entries.size(); i++) {
                if (staged[i] == 0) {
                    pending += copy(p, entries.get(i), ids.get(i), buffer, false);
                    if (pending >= CHUNK) {
                        p.executeBatch();
                        pending = 0;
                    }
                }
            }
            p.executeBatch();
        }
        if (Arrays.stream(staged).allMatch(key -> key == 0)) {
            return;
        }
        try (PreparedStatement p = c.prepareStatement("UPDATE mailroom_outbox SET payload_ref = ? WHERE id = ?")) {
            for (int i = 0; i < entries.size(); i++) {
                if (staged[i] != 0) {
                    p.setLong(1, staged[i]);
                    p.setLong(2, ids.get(i));
                    p.addBatch();
                }
            }
            p.executeBatch();
        }
    }

    /**
     * Writes one payload from its stream in chunks of the buffer's size, at most {@link #CHUNK} bytes (at
     * least one chunk, empty for an empty message): each chunk executed at once ({@code now}) or added to the batch.
     *
     * @return the bytes written
     */
    private static long copy(PreparedStatement p, NewEntry e, long key, byte[] buffer, boolean now) throws SQLException {
        long copied = 0;
        try (java.io.InputStream in = e.content().open()) {
            for (int seq = 0; ; seq++) {
                int n = in.readNBytes(buffer, 0, buffer.length);
                if (n == 0 && seq > 0) {
                    break;
                }
                p.setLong(1, key);
                p.setInt(2, seq);
                p.setBytes(3, Arrays.copyOf(buffer, n));
                if (now) {
                    p.executeUpdate();
                } else {
                    p.addBatch();
                }
                copied += n;
                if (n < buffer.length) {
                    break;
                }
            }
        } catch (java.io.IOException ex) {
            throw new SQLException("cannot read the rendered message " + e.messageId() + ": " + ex.getMessage(), ex);
        }
        if (copied != e.content().size()) {
            throw new SQLException("the rendered message " + e.messageId() + " gave " + copied + " bytes, not " + e.content().size());
        }
        return copied;
    }

    /** Creates the lane row of each account not seen before (its own statements, before the insert's transaction). */
    private void ensureLanes(Connection c, List<NewEntry> entries) throws SQLException {
        for (NewEntry e : entries) {
            String account = e.accountId().value();
            if (lanes.contains(account)) {
                continue;
            }
            try (PreparedStatement p = c.prepareStatement("INSERT INTO mailroom_outbox_lane (account_id, tail) SELECT ?, 0"
                    + " WHERE NOT EXISTS (SELECT 1 FROM mailroom_outbox_lane WHERE account_id = ?)")) {
                p.setString(1, account);
                p.setString(2, account);
                p.executeUpdate();
            } catch (SQLException raced) {
                // Another node created it at the same moment: it exists, which is all that is needed.
                if (!laneExists(c, account)) {
                    throw raced;
                }
            }
            lanes.add(account);
        }
    }

    private static boolean laneExists(Connection c, String account) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT 1 FROM mailroom_outbox_lane WHERE account_id = ?")) {
            p.setString(1, account);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * Places for new entries (inside the insert's transaction): per account {@code max(head, tail) + 1, + 2, …}
     * in the given order. Lane rows are locked in account order, so concurrent inserts cannot deadlock.
     */
    private static long[] places(Connection c, List<NewEntry> entries) throws SQLException {
        long head = head(c);
        java.util.TreeMap<String, List<Integer>> byAccount = new java.util.TreeMap<>();
        for (int i = 0; i < entries.size(); i++) {
            byAccount.computeIfAbsent(entries.get(i).accountId().value(), k -> new ArrayList<>()).add(i);
        }
        long[] places = new long[entries.size()];
        try (PreparedStatement lock = c.prepareStatement("SELECT tail FROM mailroom_outbox_lane WHERE account_id = ? FOR UPDATE");
             PreparedStatement set = c.prepareStatement("UPDATE mailroom_outbox_lane SET tail = ? WHERE account_id = ?")) {
            for (Map.Entry<String, List<Integer>> lane : byAccount.entrySet()) {
                lock.setString(1, lane.getKey());
                long tail;
                try (ResultSet rs = lock.executeQuery()) {
                    if (!rs.next()) {
                        throw new SQLException("outbox lane of account " + lane.getKey() + " is missing");
                    }
                    tail = rs.getLong(1);
                }
                long place = Math.max(head, tail);
                for (int i : lane.getValue()) {
                    places[i] = ++place;
                }
                set.setLong(1, place);
                set.setString(2, lane.getKey());
                set.executeUpdate();
            }
        }
        return places;
    }

    private Map<String, Entry> byKeys(List<String> keys) {
        if (keys.isEmpty()) {
            return new HashMap<>();
        }
        try (Connection c = dataSource.getConnection()) {
            return byKeys(c, keys);
        } catch (SQLException ex) {
            throw StoreFailure.of("Mailroom outbox", ex);
        }
    }

    private Map<String, Entry> byKeys(Connection c, List<String> keys) throws SQLException {
        Map<String, Entry> out = new HashMap<>();
        for (int from = 0; from < keys.size(); from += IN_CHUNK) {
            List<String> chunk = keys.subList(from, Math.min(keys.size(), from + IN_CHUNK));
            try (PreparedStatement p = c.prepareStatement("SELECT " + COLUMNS + " FROM mailroom_outbox WHERE idempotency_key IN ("
                    + String.join(", ", java.util.Collections.nCopies(chunk.size(), "?")) + ")")) {
                for (int i = 0; i < chunk.size(); i++) {
                    p.setString(i + 1, chunk.get(i));
                }
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        Entry e = map(rs);
                        out.put(e.idempotencyKey(), e);
                    }
                }
            }
        }
        return out;
    }

    @Override
    public List<Entry> claim(String worker, int max, Duration lease) {
        try (Connection c = dataSource.getConnection()) {
            promote(c);
            return postgres ? claimSkipLocked(c, worker, max, lease) : claimOptimistic(c, worker, max, lease);
        } catch (SQLException ex) {
            throw StoreFailure.of("Mailroom outbox", ex);
        }
    }

    /**
     * Moves entries that are due again (retry or hold over, or a lease expired: a crashed node) to the head of
     * the ready queue, keeping their order among themselves; an expired lease marks a possible duplicate.
     * Usually one index probe that finds nothing.
     */
    private void promote(Connection c) throws SQLException {
        record Due(long id, String status, long place) {
        }
        List<Due> due = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement("SELECT id, status, lane_at FROM mailroom_outbox WHERE status IN ('WAITING', 'IN_FLIGHT')"
                + " AND due_at <= " + NOW + " FETCH FIRST " + PROMOTE_MAX + " ROWS ONLY");
             ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                due.add(new Due(rs.getLong(1), rs.getString(2), rs.getLong(3)));
            }
        }
        if (due.isEmpty()) {
            return;
        }
        due.sort(java.util.Comparator.comparingLong(Due::id)); // rows locked in id order, as renew does: no deadlock between them
        long head = head(c);
        long first = due.stream().mapToLong(Due::place).min().orElse(head);
        // Each row on its own condition: a row another node moved (or claimed) meanwhile is left alone.
        try (PreparedStatement p = c.prepareStatement("UPDATE mailroom_outbox SET status = 'QUEUED', held = FALSE, lane_at = ?,"
                + " possible_duplicate = (possible_duplicate OR status = 'IN_FLIGHT') WHERE id = ? AND status = ? AND due_at <= " + NOW)) {
            for (Due d : due) {
                // Shifted so the first of them lands just before the head: before newer mail, and in their own order.
                p.setLong(1, Math.max(d.place(), head - 1 + (d.place() - first)));
                p.setLong(2, d.id());
                p.setString(3, d.status());
                p.addBatch();
            }
            p.executeBatch();
        }
    }

    private static long head(Connection c) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT " + HEAD);
             ResultSet rs = p.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private List<Entry> claimSkipLocked(Connection c, String worker, int max, Duration lease) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("UPDATE mailroom_outbox SET status = 'IN_FLIGHT', held = FALSE, " + UNHOLD + ", lease_owner = ?,"
                + " lease_until = " + NOW + " + ?, due_at = " + NOW + " + ?"
                + " WHERE id IN (SELECT id FROM mailroom_outbox WHERE status = 'QUEUED' ORDER BY status, lane_at LIMIT ? FOR UPDATE SKIP LOCKED)"
                + " RETURNING " + COLUMNS)) {
            p.setString(1, worker);
            p.setLong(2, lease.toMillis());
            p.setLong(3, lease.toMillis());
            p.setInt(4, max);
            List<Map.Entry<Long, Entry>> out = new ArrayList<>();
            Map<Long, String> unreadable = new java.util.LinkedHashMap<>();
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    long id = rs.getLong("id");
                    try {
                        out.add(Map.entry(rs.getLong("lane_at"), map(rs)));
                    } catch (RuntimeException ex) {
                        unreadable.put(id, ex.getMessage());
                    }
                }
            }
            failUnreadable(c, worker, unreadable);
            out.sort(Map.Entry.<Long, Entry>comparingByKey().thenComparing(e -> e.getValue().id()));
            return out.stream().map(Map.Entry::getValue).toList();
        }
    }

    private List<Entry> claimOptimistic(Connection c, String worker, int max, Duration lease) throws SQLException {
        List<Long> candidates = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement("SELECT id FROM mailroom_outbox WHERE status = 'QUEUED' ORDER BY status, lane_at LIMIT ?")) {
            p.setInt(1, max * 2);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    candidates.add(rs.getLong(1));
                }
            }
        }
        List<Entry> out = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement("UPDATE mailroom_outbox SET status = 'IN_FLIGHT', held = FALSE, " + UNHOLD + ", lease_owner = ?, lease_until = " + NOW
                + " + ?, due_at = " + NOW + " + ? WHERE id = ? AND status = 'QUEUED'")) {
            for (long id : candidates) {
                if (out.size() == max) {
                    break;
                }
                p.setString(1, worker);
                p.setLong(2, lease.toMillis());
                p.setLong(3, lease.toMillis());
                p.setLong(4, id);
                if (p.executeUpdate() == 1) {
                    try {
                        find(c, id).ifPresent(out::add);
                    } catch (RuntimeException ex) {
                        failUnreadable(c, worker, Map.of(id, String.valueOf(ex.getMessage())));
                    }
                }
            }
        }
        return out;
    }

    /**
     * Fails claimed entries that cannot be read back (an address an older version stored that today's
     * validation refuses, a damaged row), each alone: otherwise every claim would throw and stall the
     * whole outbox, and the other entries of the batch would sit in flight until their lease ran out.
     */
    private void failUnreadable(Connection c, String worker, Map<Long, String> unreadable) throws SQLException {
        if (unreadable.isEmpty()) {
            return;
        }
        try (PreparedStatement p = c.prepareStatement("UPDATE mailroom_outbox SET status = 'FAILED', due_at = " + NOW
                + ", last_error = ?, lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?")) {
            for (Map.Entry<Long, String> e : unreadable.entrySet()) {
                String error = "INTERNAL: the stored entry cannot be read back, not sent: " + e.getValue();
                LOG.warn("outbox entry {} failed: {}", e.getKey(), error);
                p.setString(1, error.length() > 2000 ? error.substring(0, 2000) : error);
                p.setLong(2, e.getKey());
                p.setString(3, worker);
                p.executeUpdate();
            }
        }
    }

    /**
     * One statement: on PostgreSQL {@code UPDATE … WHERE id = ANY(?) … RETURNING id}, on H2 a batch of primary-key
     * updates (one round trip). Only leases not yet expired are extended: an expired one may be promoted by
     * another node's claim at any moment.
     */
    @Override
    public List<Long> renew(String worker, List<Long> ids, Duration lease) {
        Objects.requireNonNull(worker, "worker");
        Objects.requireNonNull(lease, "lease");
        if (ids.isEmpty()) {
            return List.of();
        }
        String set = "UPDATE mailroom_outbox SET lease_until = " + NOW + " + ?, due_at = " + NOW + " + ? WHERE ";
        String held = " AND status = 'IN_FLIGHT' AND lease_owner = ? AND lease_until > " + NOW;
        List<Long> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            if (postgres) {
                try (PreparedStatement p = c.prepareStatement(set + "id = ANY(?)" + held + " RETURNING id")) {
                    p.setLong(1, lease.toMillis());
                    p.setLong(2, lease.toMillis());
                    p.setArray(3, c.createArrayOf("bigint", ids.toArray()));
                    p.setString(4, worker);
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            out.add(rs.getLong(1));
                        }
                    }
                }
                out.sort(java.util.Comparator.comparingInt(ids::indexOf));
                return out;
            }
            try (PreparedStatement p = c.prepareStatement(set + "id = ?" + held)) {
                for (long id : ids.stream().sorted().toList()) { // rows locked in id order, as promote does: no deadlock between them
                    p.setLong(1, lease.toMillis());
                    p.setLong(2, lease.toMillis());
                    p.setLong(3, id);
                    p.setString(4, worker);
                    p.addBatch();
                }
                int[] counts = p.executeBatch();
                List<Long> sorted = ids.stream().sorted().toList();
                for (int i = 0; i < counts.length; i++) {
                    if (counts[i] > 0) {
                        out.add(sorted.get(i));
                    }
                }
            }
            out.sort(java.util.Comparator.comparingInt(ids::indexOf));
            return out;
        } catch (SQLException ex) {
            throw StoreFailure.of("Mailroom outbox", ex);
        }
    }

    @Override
    public byte[] payload(long id) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement p = c.prepareStatement("SELECT chunk FROM mailroom_outbox_payload WHERE outbox_id = ? ORDER BY seq")) {
            p.setLong(1, chunkKey(c, id));
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.writeBytes(rs.getBytes(1));
                }
            }
            return out.toByteArray();
        } catch (SQLException ex) {
            throw StoreFailure.of("Mailroom outbox", ex);
        }
    }

    /**
     * Reads the stored chunks one at a time (one indexed query each, on one connection held until the stream
     * is closed), so a large message is never in memory whole; the driver reads each chunk whole.
     *
     * @throws IllegalArgumentException if there is no such entry (or it was purged)
     */
    @Override
    public java.io.InputStream openPayload(long id) {
        ChunkStream in = null;
        try {
            Connection c = dataSource.getConnection();
            long key;
            try {
                key = chunkKey(c, id);
            } catch (SQLException ex) {
                c.close();
                throw ex;
            }
            in = new ChunkStream(c, key);
            if (!in.next()) {
                throw new IllegalArgumentException("no outbox entry " + id);
            }
            return in;
        } catch (SQLException ex) {
            throw StoreFailure.of("Mailroom outbox", ex);
        } finally {
            if (in != null && in.chunk == null) {
                in.close();
            }
        }
    }

    /** Where an entry's chunks are: under its id, or under the staging key its row refers to ({@link #stage}). */
    private static long chunkKey(Connection c, long id) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT payload_ref FROM mailroom_outbox WHERE id = ?")) {
            p.setLong(1, id);
            try (ResultSet rs = p.executeQuery()) {
                if (rs.next()) {
                    long ref = rs.getLong(1);
                    return rs.wasNull() ? id : ref;
                }
                return id;
            }
        }
    }

    /** The chunks of one payload in order, read one query at a time. */
    private static final class ChunkStream extends java.io.InputStream {
        private final Connection connection;
        private final PreparedStatement query;
        private final long id;
        private int seq;
        private byte[] chunk;
        private int pos;

        ChunkStream(Connection connection, long id) throws SQLException {
            this.connection = connection;
            this.id = id;
            try {
                this.query = connection.prepareStatement("SELECT chunk FROM mailroom_outbox_payload WHERE outbox_id = ? AND seq = ?");
            } catch (SQLException ex) {
                connection.close();
                throw ex;
            }
        }

        /** Reads the next chunk; false (and no chunk) when there is none. */
        boolean next() throws SQLException {
            query.setLong(1, id);
            query.setInt(2, seq);
            try (ResultSet rs = query.executeQuery()) {
                chunk = rs.next() ? rs.getBytes(1) : null;
            }
            pos = 0;
            seq++;
            return chunk != null;
        }

        private boolean fill() throws java.io.IOException {
            while (chunk != null && pos == chunk.length) {
                try {
                    next();
                } catch (SQLException ex) {
                    throw new java.io.IOException("Mailroom outbox: reading the message of entry " + id + " failed: " + ex.getMessage(), ex);
                }
            }
            return chunk != null;
        }

        @Override
        public int read() throws java.io.IOException {
            return fill() ? chunk[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) throws java.io.IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int n = Math.min(len, chunk.length - pos);
            System.arraycopy(chunk, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public void close() {
            chunk = null;
            try {
                query.close();
            } catch (SQLException ignored) {
                // the connection's close below closes it too
            }
            try {
                connection.close();
            } catch (SQLException ignored) {
                // nothing more to read: a failing close changes nothing for the caller
            }
        }
    }

    /** One query for the batch: payloads stored in a single chunk no larger than {@code maxBytes}. */
    @Override
    public Map<Long, byte[]> smallPayloads(List<Long> ids, int maxBytes) {
        Map<Long, byte[]> out = new HashMap<>();
        if (ids.isEmpty()) {
            return out;
        }
        List<Long> chunk = ids.size() > IN_CHUNK ? ids.subList(0, IN_CHUNK) : ids;
        try (Connection c = dataSource.getConnection();
             PreparedStatement p = c.prepareStatement("SELECT p.outbox_id, p.chunk FROM mailroom_outbox_payload p WHERE p.seq = 0"
                     + " AND p.outbox_id IN (" + String.join(", ", java.util.Collections.nCopies(chunk.size(), "?")) + ")"
                     + " AND NOT EXISTS (SELECT 1 FROM mailroom_outbox_payload q WHERE q.outbox_id = p.outbox_id AND q.seq = 1)")) {
            for (int i = 0; i < chunk.size(); i++) {
                p.setLong(i + 1, chunk.get(i));
            }
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    byte[] bytes = rs.getBytes(2);
                    if (bytes.length <= maxBytes) {
                        out.put(rs.getLong(1), bytes);
                    }
                }
            }
        } catch (SQLException ex) {
            throw StoreFailure.of("Mailroom outbox", ex);
        }
        return out;
    }

    @Override
    public Optional<Entry> find(long id) {
        try (Connection c = dataSource.getConnection()) {
            return find(c, id);
        } catch (SQLException ex) {
            throw StoreFailure.of("Mailroom outbox", ex);
        }
    }

    private Optional<Entry> find(Connection c, long id) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT " + COLUMNS + " FROM mailroom_outbox WHERE id = ?")) {
            p.setLong(1, id);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? Optional.of(map(rs)) : Optional.empty();
            }
        }
    }

    private Optional<Entry> byKey(String key) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement p = c.prepareStatement("SELECT " + COLUMNS + " FROM mailroom_outbox WHERE idempotency_key = ?")) {
            p.setString(1, key);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? Optional.of(map(rs)) : Optional.empty();
            }
        } catch (SQLException ex) {
            throw StoreFailure.of("Mailroom outbox", ex);
        }
    }

    @Override
    public boolean markSent(long id, String worker) {
        return mark(SENT, id, worker, null);
    }

    /** True for the delivery log of the same {@link JdbcStore}: status and log line then commit together. */
    @Override
    public boolean sharesTransactionsWith(dev.mailroom.spi.DeliveryLog log) {
        return log instanceof JdbcDeliveryLog jdbc && jdbc.uses(dataSource);
    }

    @Override
    public boolean markSent(long id, String worker, List<DeliveryLogEntry> logEntries) {
        Objects.requireNonNull(logEntries, "logEntries");
        if (postgres && !logEntries.isEmpty()) {
            return markSentLoggedInOneStatement(id, worker, logEntries);
        }
        try (Connection c = dataSource.getConnection()) {
            return Transactions.inTransaction(c, () -> {
                boolean held = mark(c, SENT, id, worker, null);
                JdbcDeliveryLog.insert(c, logEntries);
                return held;
            });
        } catch (SQLException ex) {
            throw StoreFailure.of("Mailroom outbox", ex);
        }
    }

    @Override
    public boolean markRetry(long id, String worker, Duration delay, String error, boolean countAttempt, boolean possibleDuplicate) {
        return mark(waiting(delay) + ", due_at = " + NOW + " + " + delay.toMillis() + ", last_error = ?"
                + (countAttempt ? ", attempts = attempts + 1" : "") + (possibleDuplicate ? ", possible_duplicate = TRUE" : ""), id, worker, error);
    }

    @Override
    public boolean markPartial(long id, String worker, List<EmailAddress> remaining, Duration delay, String error) {
        if (remaining.isEmpty()) {
            throw new IllegalArgumentException("remaining recipients must not be empty");
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement p = c.prepareStatement("UPDATE mailroom_outbox SET " + waiting(delay) + ", recipients = ?, attempts = attempts + 1, partly_sent = TRUE,"
                     + " due_at = " + NOW + " + ?, last_error = ?, lease_owner = NULL, lease_until = NULL"
                     + " WHERE id = ? AND status = 'IN_FLIGHT' AND lease_owner = ?")) {
            p.setString(1, String.join("\n", remaining.stream().map(EmailAddress::address).toList()));
            p.setLong(2, delay.toMillis());
            p.setString(3, error == null || error.length() <= 4000 ? error : error.substring(0, 3999) + "…");
            p.setLong(4, id);
            p.setString(5, worker);
            return p.executeUpdate() == 1;
        } catch (SQLException ex) {
            throw StoreFailure.of("Mailroom outbox", ex);
        }
    }

    /** A hold for an account problem: the held entries' age stops. */
    @Override
    public int postpone(AccountId account, Duration delay, String reason) {
        return postpone(account, delay, reason, dev.mailroom.MailErrorCode.Category.ACCOUNT);
    }

    @Override
    public int postpone(AccountId account, Duration delay, String reason, dev.mailroom.MailErrorCode.Category cause) {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(cause, "cause");
        try (Connection c = dataSource.getConnection();
             PreparedStatement p = c.prepareStatement("UPDATE mailroom_outbox SET status = 'WAITING', due_at = " + NOW + " + ?, last_error = ?,"
                     + " held = TRUE, " + (cause.isAccountProblem() ? "held_since = COALESCE(held_since, " + NOW + ")" : UNHOLD)
                     + " WHERE account_id = ? AND status IN ('QUEUED', 'WAITING') AND due_at < " + NOW + " + ?")) {
            p.setLong(1, delay.toMillis());
            p.setString(2, reason == null || reason.length() <= 4000 ? reason : reason.substring(0, 3999) + "…");
            p.setString(3, account.value());
            p.setLong(4, delay.toMillis());
            return p.executeUpdate();
        } catch (SQLException ex) {
            throw StoreFailure.of("Mailroom outbox", ex);
        }
    }

    /** Due now; the next claim moves them to the head of the queue, in their order. */
    @Override
    public int resumeHeld() {
        try (Connection c = dataSource.getConnection();
             PreparedStatement p = c.prepareStatement("UPDATE mailroom_outbox SET due_at = " + NOW + ", " + UNHOLD
                     + " WHERE status = 'WAITING' AND held AND due_at > " + NOW)) {
            return p.executeUpdate();
        } catch (SQLException ex) {
            throw StoreFailure.of("Mailroom outbox", ex);
        }
    }

    /** A hold for an account problem: the entry's age stops. */
    @Override
    public boolean markHeld(long id, String worker, Duration delay, String reason) {
        return markHeld(id, worker, delay, reason, dev.mailroom.MailErrorCode.Category.ACCOUNT);
    }

    @Override
    public boolean markHeld(long id, String worker, Duration delay, String reason, dev.mailroom.MailErrorCode.Category cause) {
        Objects.requireNonNull(cause, "cause");
        return mark(waiting(delay) + ", held = TRUE" + (cause.isAccountProblem() ? ", held_since = COALESCE(held_since, " + NOW + ")" : "")
                + ", due_at = " + NOW + " + " + delay.toMillis() + ", last_error = ?", id, worker, reason);
    }

    @Override
    public boolean markFailed(long id, String worker, String error) {
        return mark("status = 'FAILED', attempts = attempts + 1, due_at = " + NOW + ", last_error = ?", id, worker, error);
    }

    /**
     * Deletes finished entries in chunks of 1,000 (payload chunks first, one transaction per chunk), found
     * through the {@code (status, due_at)} index: a finished entry's {@code due_at} is its finish time.
     */
    @Override
    public int purgeFinished(Duration retention) {
        Objects.requireNonNull(retention, "retention");
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("retention must be positive, was " + retention);
        }
        int deleted = 0;
        try (Connection c = dataSource.getConnection()) {
            for (String status : List.of("SENT", "FAILED")) {
                while (true) {
                    List<Long> ids = new ArrayList<>();
                    try (PreparedStatement p = c.prepareStatement("SELECT id FROM mailroom_outbox WHERE status = ? AND due_at < " + NOW
                            + " - ? ORDER BY status, due_at FETCH FIRST " + PURGE_CHUNK + " ROWS ONLY")) {
                        p.setString(1, status);
                        p.setLong(2, retention.toMillis());
                        try (ResultSet rs = p.executeQuery()) {
                            while (rs.next()) {
                                ids.add(rs.getLong(1));
                            }
                        }
                    }
                    if (ids.isEmpty()) {
                        break;
                    }
                    deleted += delete(c, ids);
                    if (ids.size() < PURGE_CHUNK) {
                        break;
                    }
                }
            }
            deleteOrphans(c);
        } catch (SQLException ex) {
            throw StoreFailure.of("Mailroom outbox", ex);
        }
        return deleted;
    }

    /**
     * Deletes staged chunks ({@link #stage}) older than a day that no entry refers to: left by a node that
     * crashed between staging a large payload and storing its entry. One range of the payload key.
     */
    private static void deleteOrphans(Connection c) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("DELETE FROM mailroom_outbox_payload WHERE outbox_id < 0 AND outbox_id > ?"
                + " AND NOT EXISTS (SELECT 1 FROM mailroom_outbox o WHERE o.payload_ref = mailroom_outbox_payload.outbox_id)")) {
            p.setLong(1, -(System.currentTimeMillis() - ORPHAN_AGE.toMillis()) * STAGING_SPREAD);
            p.executeUpdate();
        }
    }

    private static int delete(Connection c, List<Long> ids) throws SQLException {
        return Transactions.inTransaction(c, () -> {
            int rows = 0;
            for (int from = 0; from < ids.size(); from += IN_CHUNK) {
                List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + IN_CHUNK));
                String in = String.join(", ", java.util.Collections.nCopies(chunk.size(), "?"));
                // Two statements, each a primary-key lookup: an OR of both made PostgreSQL scan the whole payload table.
                try (PreparedStatement inline = c.prepareStatement("DELETE FROM mailroom_outbox_payload WHERE outbox_id IN (" + in + ")");
                     PreparedStatement staged = c.prepareStatement("DELETE FROM mailroom_outbox_payload WHERE outbox_id IN"
                             + " (SELECT payload_ref FROM mailroom_outbox WHERE id IN (" + in + ") AND payload_ref IS NOT NULL)");
                     PreparedStatement entries = c.prepareStatement("DELETE FROM mailroom_outbox WHERE id IN (" + in + ")"
                             + " AND status IN ('SENT', 'FAILED')")) {
                    for (int i = 0; i < chunk.size(); i++) {
                        inline.setLong(i + 1, chunk.get(i));
                        staged.setLong(i + 1, chunk.get(i));
                        entries.setLong(i + 1, chunk.get(i));
                    }
                    inline.executeUpdate();
                    staged.executeUpdate();
                    rows += entries.executeUpdate();
                }
            }
            return rows;
        });
    }

    /** Not ready until its due time; the first claim after it moves it to the head of the queue. */
    private static String waiting(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        return "status = 'WAITING'";
    }

    /** Only while the worker holds the lease (a fence against a node whose lease expired). */
    /**
     * PostgreSQL: status and log lines in one statement (data-modifying CTEs), so one round trip and one
     * commit per sent mail, as for a direct send's log line.
     */
    private boolean markSentLoggedInOneStatement(long id, String worker, List<DeliveryLogEntry> logEntries) {
        String sql = "WITH m AS (UPDATE mailroom_outbox SET " + SENT
                + ", lease_owner = NULL, lease_until = NULL WHERE id = ? AND status = 'IN_FLIGHT' AND lease_owner = ? RETURNING id),"
                + " l AS (" + JdbcDeliveryLog.insertSql(logEntries.size()) + " RETURNING id) SELECT (SELECT COUNT(*) FROM m), (SELECT COUNT(*) FROM l)";
        try (Connection c = dataSource.getConnection();
             PreparedStatement p = c.prepareStatement(sql)) {
            p.setLong(1, id);
            p.setString(2, worker);
            int i = 3;
            for (DeliveryLogEntry e : logEntries) {
                i = JdbcDeliveryLog.bind(p, i, e);
            }
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getLong(1) == 1;
            }
        } catch (SQLException ex) {
            throw StoreFailure.of("Mailroom outbox", ex);
        }
    }

    private boolean mark(String set, long id, String worker, String error) {
        try (Connection c = dataSource.getConnection()) {
            return mark(c, set, id, worker, error);
        } catch (SQLException ex) {
            throw StoreFailure.of("Mailroom outbox", ex);
        }
    }

    private static boolean mark(Connection c, String set, long id, String worker, String error) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("UPDATE mailroom_outbox SET " + set + ", lease_owner = NULL, lease_until = NULL"
                + " WHERE id = ? AND status = 'IN_FLIGHT' AND lease_owner = ?")) {
            int i = 1;
            if (error != null) {
                p.setString(i++, error.length() > 4000 ? error.substring(0, 3999) + "…" : error);
            }
            p.setLong(i++, id);
            p.setString(i, worker);
            return p.executeUpdate() == 1;
        }
    }

    /** WAITING (a retry or hold, not ready yet) is QUEUED to the API. */
    private static Status status(String stored) {
        return "WAITING".equals(stored) ? Status.QUEUED : Status.valueOf(stored);
    }

    private static Entry map(ResultSet rs) throws SQLException {
        List<EmailAddress> recipients = Arrays.stream(rs.getString("recipients").split("\n")).map(EmailAddress::of).toList();
        return Entry.builder().id(rs.getLong("id")).idempotencyKey(rs.getString("idempotency_key"))
                .messageId(rs.getString("message_id")).accountId(AccountId.of(rs.getString("account_id")))
                .tenant(rs.getString("tenant")).transport(rs.getString("transport"))
                .envelopeFrom(EmailAddress.of(rs.getString("envelope_from"))).recipients(recipients)
                .smtpUtf8(rs.getBoolean("smtp_utf8")).status(status(rs.getString("status"))).attempts(rs.getInt("attempts"))
                .createdAt(Instant.ofEpochMilli(rs.getLong("created_at"))).dueAt(Instant.ofEpochMilli(rs.getLong("due_at")))
                .lastError(rs.getString("last_error")).possibleDuplicate(rs.getBoolean("possible_duplicate"))
                .operation(DeliveryLogEntry.Operation.valueOf(rs.getString("operation"))).partlySent(rs.getBoolean("partly_sent"))
                .age(Duration.ofMillis(Math.max(0, rs.getLong("age_ms")))).build();
    }

    @Override
    public List<Entry> query(Query query) {
        Objects.requireNonNull(query, "query");
        List<String> stored = new ArrayList<>();
        for (Status st : query.statuses()) {
            stored.add(st.name());
            if (st == Status.QUEUED) {
                stored.add("WAITING");
            }
        }
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM mailroom_outbox WHERE status IN (")
                .append(String.join(", ", java.util.Collections.nCopies(stored.size(), "?"))).append(')');
        if (query.account() != null) {
            sql.append(" AND account_id = ?");
        }
        if (query.possibleDuplicatesOnly()) {
            sql.append(" AND possible_duplicate = TRUE");
        }
        sql.append(" ORDER BY id DESC FETCH FIRST ").append(query.limit()).append(" ROWS ONLY");
        try (Connection c = dataSource.getConnection(); PreparedStatement p = c.prepareStatement(sql.toString())) {
            int i = 1;
            for (String st : stored) {
                p.setString(i++, st);
            }
            if (query.account() != null) {
                p.setString(i, query.account().value());
            }
            List<Entry> out = new ArrayList<>();
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    try {
                        out.add(map(rs));
                    } catch (RuntimeException unreadable) { // an older version's row that today's validation refuses: the view goes on
                        LOG.warn("outbox entry {} cannot be read back and is left out of the view: {}", rs.getLong("id"), unreadable.getMessage());
                    }
                }
            }
            return out;
        } catch (SQLException ex) {
            throw StoreFailure.of("Mailroom outbox", ex);
        }
    }

    @Override
    public Map<Status, Long> countByStatus() {
        Map<Status, Long> counts = new java.util.EnumMap<>(Status.class);
        for (Status st : Status.values()) {
            counts.put(st, 0L);
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement p = c.prepareStatement("SELECT status, COUNT(*) FROM mailroom_outbox GROUP BY status");
             ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                counts.merge(status(rs.getString(1)), rs.getLong(2), Long::sum);
            }
            return counts;
        } catch (SQLException ex) {
            throw StoreFailure.of("Mailroom outbox", ex);
        }
    }

    /**
     * One statement of three index lookups on {@code (status, due_at)}: the earliest ready entry, the earliest due
     * entry waiting for a retry or hold, and the earliest expired lease.
     */
    @Override
    public Optional<Duration> oldestDueAge() {
        try (Connection c = dataSource.getConnection();
             PreparedStatement p = c.prepareStatement("SELECT " + NOW + ","
                     + " (SELECT MIN(due_at) FROM mailroom_outbox WHERE status = 'QUEUED' AND due_at <= " + NOW + "),"
                     + " (SELECT MIN(due_at) FROM mailroom_outbox WHERE status = 'WAITING' AND due_at <= " + NOW + "),"
                     + " (SELECT MIN(due_at) FROM mailroom_outbox WHERE status = 'IN_FLIGHT' AND due_at <= " + NOW + ")");
             ResultSet rs = p.executeQuery()) {
            rs.next();
            long now = rs.getLong(1);
            long oldest = Long.MAX_VALUE;
            for (int i = 2; i <= 4; i++) {
                long due = rs.getLong(i);
                if (!rs.wasNull()) {
                    oldest = Math.min(oldest, due);
                }
            }
            return oldest == Long.MAX_VALUE ? Optional.empty() : Optional.of(Duration.ofMillis(Math.max(0, now - oldest)));
        } catch (SQLException ex) {
            throw StoreFailure.of("Mailroom outbox", ex);
        }
    }
}
