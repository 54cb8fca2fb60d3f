package dev.mailroom.jdbc;

import dev.mailroom.jdbc.internal.StoreFailure;
import dev.mailroom.AccountId;
import dev.mailroom.DeliveryLogEntry;
import dev.mailroom.DeliveryLogQuery;
import dev.mailroom.MailErrorCode;
import dev.mailroom.jdbc.internal.Transactions;
import dev.mailroom.spi.DeliveryLog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * {@link DeliveryLog} over JDBC: every attempt with time, account, operation, outcome and the
 * server's reply; queries newest first; retention; the full log streamed as CSV or JSON lines. Never
 * holds a secret (entries carry none). Thread-safe. Obtained from {@link JdbcStore#deliveryLog()}.
 */
public final class JdbcDeliveryLog implements DeliveryLog {
    private static final String COLUMNS = "logged_at, account_id, account_address, tenant, operation, outcome, error_code,"
            + " server_reply, message_id, transport, detail";

    /** The error codes {@link DeliveryLog#ignoredForHealth} leaves out, as an SQL list of literals. */
    private static final String IGNORED_FOR_HEALTH = java.util.Arrays.stream(MailErrorCode.values()).filter(DeliveryLog::ignoredForHealth)
            .map(c -> "'" + c.name() + "'").collect(java.util.stream.Collectors.joining(", "));

    /** Accounts per statement of {@link #healthEntries}. */
    static final int HEALTH_CHUNK = 100;

    private final DataSource dataSource;

    JdbcDeliveryLog(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public void record(DeliveryLogEntry e) {
        Objects.requireNonNull(e, "entry");
        recordAll(List.of(e));
    }

    /** One batched insert (and one commit) for all entries. */
    @Override
    public void recordAll(List<DeliveryLogEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection()) {
            if (entries.size() == 1) {
                insert(c, entries);
                return;
            }
            Transactions.inTransaction(c, () -> { // one commit for the batch
                insert(c, entries);
                return null;
            });
        } catch (SQLException ex) {
            throw StoreFailure.of("Mailroom delivery log", ex);
        }
    }

    /** The insert for {@code rows} entries, for {@link #bind}. */
    static String insertSql(int rows) {
        return "INSERT INTO mailroom_delivery_log (" + COLUMNS + ") VALUES "
                + String.join(", ", java.util.Collections.nCopies(rows, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    }

    /** Binds one entry's 11 values from parameter {@code first} on; returns the next free parameter. */
    static int bind(PreparedStatement p, int first, DeliveryLogEntry e) throws SQLException {
        Objects.requireNonNull(e, "entry");
        int i = first;
        p.setObject(i++, OffsetDateTime.ofInstant(e.time(), ZoneOffset.UTC));
        p.setString(i++, e.accountId() == null ? null : e.accountId().value());
        p.setString(i++, cut(e.accountAddress(), 254));
        p.setString(i++, e.tenant());
        p.setString(i++, e.operation().name());
        p.setString(i++, e.outcome().name());
        p.setString(i++, e.errorCode() == null ? null : e.errorCode().name());
        p.setString(i++, cut(e.serverReply(), 4000));
        p.setString(i++, cut(e.messageId(), 1000));
        p.setString(i++, e.transport());
        p.setString(i++, cut(e.detail(), 4000));
        return i;
    }

    /** Inserts the entries on the caller's connection and in its transaction (the outbox's {@code markSent}). */
    static void insert(Connection c, List<DeliveryLogEntry> entries) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(insertSql(1))) {
            for (DeliveryLogEntry e : entries) {
                bind(p, 1, e);
                if (entries.size() == 1) {
                    p.executeUpdate();
                } else {
                    p.addBatch();
                }
            }
            if (entries.size() > 1) {
                p.executeBatch();
            }
        }
    }

    /** Whether this log writes to the given data source (the outbox of the same store). */
    boolean uses(DataSource other) {
        return dataSource == other;
    }

    @Override
    public List<DeliveryLogEntry> query(DeliveryLogQuery q) {
        Objects.requireNonNull(q, "query");
        List<DeliveryLogEntry> out = new ArrayList<>();
        stream(q, q.limit(), out::add);
        return out;
    }

    /**
     * One statement per 100 accounts (H2's parser recurses per {@code UNION ALL} branch): per account a subquery
     * that reads only that account's newest counted entries (the filter of {@link DeliveryLog#countsForHealth} in
     * SQL) through the {@code (account_id, logged_at)} index, stopping after {@code perAccount} rows, the subqueries
     * joined with {@code UNION ALL}. No window over the whole period is read or sorted.
     */
    @Override
    public java.util.Map<AccountId, List<DeliveryLogEntry>> healthEntries(java.util.Collection<AccountId> accounts, Instant since,
                                                                          int perAccount) {
        Objects.requireNonNull(since, "since");
        DeliveryLog.checkPerAccount(perAccount);
        java.util.Map<AccountId, List<DeliveryLogEntry>> out = new java.util.LinkedHashMap<>();
        for (AccountId id : accounts) {
            out.putIfAbsent(Objects.requireNonNull(id, "accounts contains null"), new ArrayList<>());
        }
        List<AccountId> ids = List.copyOf(out.keySet());
        String one = "(SELECT " + COLUMNS + ", id FROM mailroom_delivery_log WHERE account_id = ? AND logged_at >= ?"
                + " AND operation NOT IN ('DIAGNOSE', 'TEST_MAIL', 'SENT_COPY', 'BOUNCE') AND outcome <> 'SKIPPED'"
                + " AND (error_code IS NULL OR error_code NOT IN (" + IGNORED_FOR_HEALTH + "))"
                + " ORDER BY logged_at DESC, id DESC FETCH FIRST ? ROWS ONLY)";
        for (int from = 0; from < ids.size(); from += HEALTH_CHUNK) {
            List<AccountId> chunk = ids.subList(from, Math.min(ids.size(), from + HEALTH_CHUNK));
            String sql = "SELECT " + COLUMNS + " FROM (" + String.join(" UNION ALL ", java.util.Collections.nCopies(chunk.size(), one))
                    + ") t ORDER BY account_id, logged_at DESC, id DESC";
            try (Connection c = dataSource.getConnection(); PreparedStatement p = c.prepareStatement(sql)) {
                int i = 1;
                OffsetDateTime oldest = OffsetDateTime.ofInstant(since, ZoneOffset.UTC);
                for (AccountId id : chunk) {
                    p.setString(i++, id.value());
                    p.setObject(i++, oldest);
                    p.setInt(i++, perAccount);
                }
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        DeliveryLogEntry e = map(rs);
                        out.get(e.accountId()).add(e);
                    }
                }
            } catch (SQLException ex) {
                throw StoreFailure.of("Mailroom delivery log", ex);
            }
        }
        out.replaceAll((id, list) -> List.copyOf(list));
        return out;
    }

    /**
     * Deletes entries older than the retention period.
     *
     * @param retention how long entries are kept
     * @return how many entries were deleted
     */
    @Override
    public int purgeOlderThan(Duration retention) {
        Objects.requireNonNull(retention, "retention");
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("retention must be positive, was " + retention);
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement p = c.prepareStatement("DELETE FROM mailroom_delivery_log WHERE logged_at < ?")) {
            p.setObject(1, OffsetDateTime.ofInstant(Instant.now().minus(retention), ZoneOffset.UTC));
            return p.executeUpdate();
        } catch (SQLException ex) {
            throw StoreFailure.of("Mailroom delivery log", ex);
        }
    }

    /**
     * Streams matching entries, oldest first, with bounded memory (the basis of the CSV and JSON-lines
     * exports); the query's limit is ignored.
     *
     * @param q which entries
     * @param sink receives each entry
     */
    @Override
    public void forEach(DeliveryLogQuery q, java.util.function.Consumer<DeliveryLogEntry> sink) {
        Objects.requireNonNull(q, "query");
        Objects.requireNonNull(sink, "sink");
        streamOrdered(q, "ASC", Integer.MAX_VALUE, sink);
    }

    private void stream(DeliveryLogQuery q, int limit, java.util.function.Consumer<DeliveryLogEntry> sink) {
        streamOrdered(q, "DESC", limit, sink);
    }

    private void streamOrdered(DeliveryLogQuery q, String order, int limit, java.util.function.Consumer<DeliveryLogEntry> sink) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM mailroom_delivery_log WHERE logged_at >= ?");
        if (q.account().isPresent()) {
            sql.append(" AND account_id = ?");
        }
        if (q.tenant() != null) {
            sql.append(" AND tenant = ?");
        }
        if (q.failuresOnly()) {
            sql.append(" AND outcome = 'FAILURE'");
        }
        if (q.messageId() != null) { // stored with or without angle brackets
            sql.append(" AND message_id IN (?, ?)");
        }
        sql.append(" ORDER BY logged_at ").append(order).append(", id ").append(order);
        if (limit < Integer.MAX_VALUE) {
            sql.append(" LIMIT ").append(limit);
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement p = c.prepareStatement(sql.toString())) {
            int i = 1;
            p.setObject(i++, OffsetDateTime.ofInstant(q.since(), ZoneOffset.UTC));
            if (q.account().isPresent()) {
                p.setString(i++, q.account().get().value());
            }
            if (q.tenant() != null) {
                p.setString(i++, q.tenant());
            }
            if (q.messageId() != null) {
                p.setString(i++, q.messageId());
                p.setString(i, "<" + q.messageId() + ">");
            }
            p.setFetchSize(500);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    sink.accept(map(rs));
                }
            }
        } catch (SQLException ex) {
            throw StoreFailure.of("Mailroom delivery log", ex);
        }
    }

    private static DeliveryLogEntry map(ResultSet rs) throws SQLException {
        String id = rs.getString("account_id");
        String code = rs.getString("error_code");
        return new DeliveryLogEntry(rs.getObject("logged_at", OffsetDateTime.class).toInstant(), id == null ? null : AccountId.of(id),
                rs.getString("account_address"), rs.getString("tenant"), DeliveryLogEntry.Operation.valueOf(rs.getString("operation")),
                DeliveryLogEntry.Outcome.valueOf(rs.getString("outcome")), code == null ? null : MailErrorCode.valueOf(code),
                rs.getString("server_reply"), rs.getString("message_id"), rs.getString("transport"), rs.getString("detail"));
    }

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
