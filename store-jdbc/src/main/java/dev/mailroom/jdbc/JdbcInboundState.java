package dev.mailroom.jdbc;

import dev.mailroom.AccountId;
import dev.mailroom.jdbc.internal.Transactions;
import dev.mailroom.spi.ArchivedMessage;
import dev.mailroom.spi.InboundEntry;
import dev.mailroom.spi.InboundKey;
import dev.mailroom.spi.InboundStateRepository;
import dev.mailroom.spi.QuarantinedMessage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import javax.sql.DataSource;

/**
 * The JDBC store's {@link InboundStateRepository}: fetched messages, the import cursor and quarantined messages in
 * the tables of migration V11, shared by every node on the database. Times are taken on the database's clock.
 * Thread-safe; each method is one transaction.
 */
public final class JdbcInboundState implements InboundStateRepository {
    private static final String NOW = "CAST(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) * 1000 AS BIGINT)";
    private static final String COLUMNS = "id, account_id, folder, uid_validity, server_id, content_key, state, attempts, last_error";
    private static final String BY_KEY = " WHERE account_id = ? AND folder = ? AND uid_validity = ? AND server_id = ?";
    private static final String WHAT = "Mailroom inbound state";

    private final DataSource dataSource;

    JdbcInboundState(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    private record Row(long id, InboundEntry entry) {
    }

    @Override
    public Optional<InboundEntry> find(InboundKey key) {
        Objects.requireNonNull(key, "key");
        return Transactions.read(dataSource, WHAT, c -> row(c, key, false).map(Row::entry));
    }

    @Override
    public boolean contentTaken(AccountId account, String contentKey) {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(contentKey, "contentKey");
        return Transactions.read(dataSource, WHAT, c -> exists(c, "mailroom_inbound_message WHERE account_id = ? AND content_key = ?"
                + " AND state IN ('STORED', 'ACKED', 'QUARANTINED')", account.value(), contentKey));
    }

    @Override
    public void stored(InboundKey key, String contentKey) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(contentKey, "contentKey");
        Transactions.write(dataSource, WHAT, c -> {
            Optional<Row> row = row(c, key, true);
            if (row.isEmpty()) {
                insert(c, key, contentKey, InboundEntry.State.STORED, 0, null);
            } else if (row.get().entry().state() == InboundEntry.State.FAILED || row.get().entry().state() == InboundEntry.State.SKIPPED) {
                update(c, row.get().id(), "state = 'STORED', content_key = ?", contentKey);
            }
            return null;
        });
    }

    @Override
    public void acked(InboundKey key) {
        Objects.requireNonNull(key, "key");
        Transactions.write(dataSource, WHAT, c -> {
            Optional<Row> row = row(c, key, true);
            InboundEntry.State s = row.map(r -> r.entry().state()).orElse(null);
            if (s != InboundEntry.State.STORED && s != InboundEntry.State.ACKED) {
                throw new IllegalStateException("message " + key + " was not stored, so it cannot be acknowledged");
            }
            if (s == InboundEntry.State.STORED) {
                update(c, row.get().id(), "state = 'ACKED'", null);
            }
            return null;
        });
    }

    @Override
    public int failed(InboundKey key, String contentKey, String error) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(contentKey, "contentKey");
        Objects.requireNonNull(error, "error");
        return Transactions.write(dataSource, WHAT, c -> {
            Optional<Row> row = row(c, key, true);
            if (row.isEmpty()) {
                insert(c, key, contentKey, InboundEntry.State.FAILED, 1, error);
                return 1;
            }
            InboundEntry e = row.get().entry();
            if (e.state() != InboundEntry.State.FAILED) {
                throw new IllegalStateException("message " + key + " is already " + e.state());
            }
            int attempts = e.attempts() + 1;
            try (PreparedStatement p = c.prepareStatement("UPDATE mailroom_inbound_message SET attempts = ?, last_error = ?, updated_at = "
                    + NOW + " WHERE id = ?")) {
                p.setInt(1, attempts);
                p.setString(2, clip(error));
                p.setLong(3, row.get().id());
                p.executeUpdate();
            }
            return attempts;
        });
    }

    @Override
    public void quarantine(InboundKey key, String contentKey, String reason, byte[] raw) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(contentKey, "contentKey");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(raw, "raw");
        Transactions.write(dataSource, WHAT, c -> {
            Optional<Row> row = row(c, key, true);
            long id;
            if (row.isEmpty()) {
                id = insert(c, key, contentKey, InboundEntry.State.QUARANTINED, 0, reason);
            } else if (row.get().entry().state() == InboundEntry.State.QUARANTINED) {
                return null;
            } else {
                id = row.get().id();
                update(c, id, "state = 'QUARANTINED', last_error = ?", clip(reason));
            }
            try (PreparedStatement p = c.prepareStatement("INSERT INTO mailroom_inbound_quarantine (message_id, account_id, reason,"
                    + " quarantined_at, raw) VALUES (?, ?, ?, " + NOW + ", ?)")) {
                p.setLong(1, id);
                p.setString(2, key.account().value());
                p.setString(3, clip(reason));
                p.setBytes(4, raw);
                p.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public void skipped(InboundKey key, String contentKey, String reason) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(contentKey, "contentKey");
        Objects.requireNonNull(reason, "reason");
        Transactions.write(dataSource, WHAT, c -> {
            Optional<Row> row = row(c, key, true);
            if (row.isEmpty()) {
                insert(c, key, contentKey, InboundEntry.State.SKIPPED, 0, reason);
            } else if (row.get().entry().state() == InboundEntry.State.FAILED) {
                update(c, row.get().id(), "state = 'SKIPPED', last_error = ?", clip(reason));
            }
            return null;
        });
    }

    @Override
    public List<InboundEntry> pendingAcks(AccountId account, String folder) {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(folder, "folder");
        return Transactions.read(dataSource, WHAT, c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT " + COLUMNS + " FROM mailroom_inbound_message WHERE account_id = ?"
                    + " AND folder = ? AND state = 'STORED' ORDER BY id")) {
                p.setString(1, account.value());
                p.setString(2, folder);
                List<InboundEntry> out = new ArrayList<>();
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        out.add(read(rs).entry());
                    }
                }
                return out;
            }
        });
    }

    @Override
    public List<QuarantinedMessage> quarantined(AccountId account) {
        Objects.requireNonNull(account, "account");
        return Transactions.read(dataSource, WHAT, c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT m.id, m.account_id, m.folder, m.uid_validity, m.server_id,"
                    + " m.content_key, m.state, m.attempts, m.last_error, q.reason, q.quarantined_at, q.raw"
                    + " FROM mailroom_inbound_quarantine q JOIN mailroom_inbound_message m ON m.id = q.message_id"
                    + " WHERE q.account_id = ? ORDER BY q.message_id")) {
                p.setString(1, account.value());
                List<QuarantinedMessage> out = new ArrayList<>();
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        InboundEntry e = read(rs).entry();
                        out.add(new QuarantinedMessage(e.key(), e.contentKey(), rs.getString(10), Instant.ofEpochMilli(rs.getLong(11)),
                                rs.getBytes(12)));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public OptionalLong cursor(AccountId account, String folder, long uidValidity) {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(folder, "folder");
        return Transactions.read(dataSource, WHAT, c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT last_uid FROM mailroom_inbound_cursor WHERE account_id = ? AND folder = ?"
                    + " AND uid_validity = ?")) {
                p.setString(1, account.value());
                p.setString(2, folder);
                p.setLong(3, uidValidity);
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
                }
            }
        });
    }

    @Override
    public boolean hasAnyCursor(AccountId account, String folder) {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(folder, "folder");
        return Transactions.read(dataSource, WHAT, c -> exists(c, "mailroom_inbound_cursor WHERE account_id = ? AND folder = ?",
                account.value(), folder));
    }

    @Override
    public void advanceCursor(AccountId account, String folder, long uidValidity, long uid) {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(folder, "folder");
        Transactions.write(dataSource, WHAT, c -> {
            int n;
            try (PreparedStatement p = c.prepareStatement("UPDATE mailroom_inbound_cursor SET last_uid = ? WHERE account_id = ?"
                    + " AND folder = ? AND uid_validity = ? AND last_uid < ?")) {
                p.setLong(1, uid);
                p.setString(2, account.value());
                p.setString(3, folder);
                p.setLong(4, uidValidity);
                p.setLong(5, uid);
                n = p.executeUpdate();
            }
            if (n == 0 && !exists(c, "mailroom_inbound_cursor WHERE account_id = ? AND folder = ? AND uid_validity = ?", account.value(),
                    folder, uidValidity)) {
                try (PreparedStatement p = c.prepareStatement("INSERT INTO mailroom_inbound_cursor (account_id, folder, uid_validity,"
                        + " last_uid) VALUES (?, ?, ?, ?)")) {
                    p.setString(1, account.value());
                    p.setString(2, folder);
                    p.setLong(3, uidValidity);
                    p.setLong(4, uid);
                    p.executeUpdate();
                }
            }
            return null;
        });
    }

    @Override
    public boolean tryLease(AccountId account, String owner, Duration duration) {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(owner, "owner");
        if (Objects.requireNonNull(duration, "duration").isNegative()) {
            throw new IllegalArgumentException("duration must not be negative");
        }
        return Transactions.write(dataSource, WHAT, c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE mailroom_inbound_lease SET owner = ?, lease_until = " + NOW + " + ?"
                    + " WHERE account_id = ? AND (owner = ? OR lease_until <= " + NOW + ")")) {
                p.setString(1, owner);
                p.setLong(2, duration.toMillis());
                p.setString(3, account.value());
                p.setString(4, owner);
                if (p.executeUpdate() == 1) {
                    return true;
                }
            }
            if (exists(c, "mailroom_inbound_lease WHERE account_id = ?", account.value())) {
                return false;
            }
            Savepoint beforeInsert = c.setSavepoint(); // PostgreSQL aborts the transaction on a failed insert otherwise
            try (PreparedStatement p = c.prepareStatement("INSERT INTO mailroom_inbound_lease (account_id, owner, lease_until) VALUES (?, ?, "
                    + NOW + " + ?)")) {
                p.setString(1, account.value());
                p.setString(2, owner);
                p.setLong(3, duration.toMillis());
                p.executeUpdate();
                return true;
            } catch (SQLException raced) {
                c.rollback(beforeInsert);
                return false; // another node inserted the lease first (primary key)
            }
        });
    }

    @Override
    public void releaseLease(AccountId account, String owner) {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(owner, "owner");
        Transactions.write(dataSource, WHAT, c -> {
            try (PreparedStatement p = c.prepareStatement("DELETE FROM mailroom_inbound_lease WHERE account_id = ? AND owner = ?")) {
                p.setString(1, account.value());
                p.setString(2, owner);
                p.executeUpdate();
            }
            return null;
        });
    }

    /** Whether {@code SELECT 1 FROM <from>} finds a row; the parameters are strings or longs. */
    private static boolean exists(Connection c, String from, Object... params) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT 1 FROM " + from + " FETCH FIRST 1 ROWS ONLY")) {
            for (int k = 0; k < params.length; k++) {
                if (params[k] instanceof Long l) {
                    p.setLong(k + 1, l);
                } else {
                    p.setString(k + 1, (String) params[k]);
                }
            }
            try (ResultSet rs = p.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static Optional<Row> row(Connection c, InboundKey key, boolean forUpdate) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT " + COLUMNS + " FROM mailroom_inbound_message" + BY_KEY
                + (forUpdate ? " FOR UPDATE" : ""))) {
            p.setString(1, key.account().value());
            p.setString(2, key.folder());
            p.setLong(3, key.uidValidity());
            p.setString(4, key.id());
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    private static Row read(ResultSet rs) throws SQLException {
        InboundKey key = new InboundKey(AccountId.of(rs.getString(2)), rs.getString(3), rs.getLong(4), rs.getString(5));
        return new Row(rs.getLong(1), new InboundEntry(key, rs.getString(6), InboundEntry.State.valueOf(rs.getString(7)), rs.getInt(8),
                Optional.ofNullable(rs.getString(9))));
    }

    private static long insert(Connection c, InboundKey key, String contentKey, InboundEntry.State state, int attempts, String error)
            throws SQLException {
        try (PreparedStatement p = c.prepareStatement("INSERT INTO mailroom_inbound_message (account_id, folder, uid_validity, server_id,"
                + " content_key, state, attempts, last_error, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, " + NOW + ")", new String[] {"id"})) {
            p.setString(1, key.account().value());
            p.setString(2, key.folder());
            p.setLong(3, key.uidValidity());
            p.setString(4, key.id());
            p.setString(5, contentKey);
            p.setString(6, state.name());
            p.setInt(7, attempts);
            p.setString(8, error == null ? null : clip(error));
            p.executeUpdate();
            try (ResultSet rs = p.getGeneratedKeys()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static void update(Connection c, long id, String set, String value) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("UPDATE mailroom_inbound_message SET " + set + ", updated_at = " + NOW + " WHERE id = ?")) {
            int i = 1;
            if (value != null) {
                p.setString(i++, value);
            }
            p.setLong(i, id);
            p.executeUpdate();
        }
    }

    private static String clip(String s) {
        return s.length() <= 2000 ? s : s.substring(0, 2000);
    }

    // ---- Local archive of imported mail (migration V13) ----

    private static final String ARCHIVE_KEY = " WHERE account_id = ? AND folder = ? AND uid_validity = ? AND server_id = ?";

    @Override
    public void archive(InboundKey key, String contentKey, byte[] raw) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(contentKey, "contentKey");
        Objects.requireNonNull(raw, "raw");
        Transactions.write(dataSource, WHAT, c -> {
            if (exists(c, "mailroom_inbound_archive" + ARCHIVE_KEY, key.account().value(), key.folder(), key.uidValidity(), key.id())) {
                return null;
            }
            Savepoint beforeInsert = c.setSavepoint();
            try (PreparedStatement p = c.prepareStatement("INSERT INTO mailroom_inbound_archive (account_id, folder, uid_validity, server_id,"
                    + " content_key, archived_at, raw) VALUES (?, ?, ?, ?, ?, " + NOW + ", ?)")) {
                bindKey(p, key);
                p.setString(5, contentKey);
                p.setBytes(6, raw);
                p.executeUpdate();
            } catch (SQLException raced) {
                c.rollback(beforeInsert);
                if (!exists(c, "mailroom_inbound_archive" + ARCHIVE_KEY, key.account().value(), key.folder(), key.uidValidity(), key.id())) {
                    throw raced; // not another node archiving the same mail first: a real failure
                }
            }
            return null;
        });
    }

    @Override
    public Optional<ArchivedMessage> archived(InboundKey key) {
        Objects.requireNonNull(key, "key");
        return Transactions.read(dataSource, WHAT, c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT account_id, folder, uid_validity, server_id, content_key, archived_at, raw"
                    + " FROM mailroom_inbound_archive" + ARCHIVE_KEY)) {
                bindKey(p, key);
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next() ? Optional.of(archivedRow(rs)) : Optional.<ArchivedMessage>empty();
                }
            }
        });
    }

    @Override
    public List<ArchivedMessage> archived(AccountId account, int limit) {
        Objects.requireNonNull(account, "account");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
        return Transactions.read(dataSource, WHAT, c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT account_id, folder, uid_validity, server_id, content_key, archived_at, raw"
                    + " FROM mailroom_inbound_archive WHERE account_id = ? ORDER BY archived_at, uid_validity, server_id"
                    + " FETCH FIRST " + Math.min(limit, 1000) + " ROWS ONLY")) {
                p.setString(1, account.value());
                List<ArchivedMessage> out = new ArrayList<>();
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        out.add(archivedRow(rs));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public boolean deleteArchived(InboundKey key) {
        Objects.requireNonNull(key, "key");
        return Transactions.write(dataSource, WHAT, c -> {
            try (PreparedStatement p = c.prepareStatement("DELETE FROM mailroom_inbound_archive" + ARCHIVE_KEY)) {
                bindKey(p, key);
                return p.executeUpdate() > 0;
            }
        });
    }

    @Override
    public int purgeArchive(AccountId account, Duration retention) {
        Objects.requireNonNull(account, "account");
        if (Objects.requireNonNull(retention, "retention").isNegative()) {
            throw new IllegalArgumentException("retention must not be negative, was " + retention);
        }
        return Transactions.write(dataSource, WHAT, c -> {
            try (PreparedStatement p = c.prepareStatement("DELETE FROM mailroom_inbound_archive WHERE account_id = ? AND archived_at <= "
                    + NOW + " - ?")) {
                p.setString(1, account.value());
                p.setLong(2, retention.toMillis());
                return p.executeUpdate();
            }
        });
    }

    private static void bindKey(PreparedStatement p, InboundKey key) throws SQLException {
        p.setString(1, key.account().value());
        p.setString(2, key.folder());
        p.setLong(3, key.uidValidity());
        p.setString(4, key.id());
    }

    private static ArchivedMessage archivedRow(ResultSet rs) throws SQLException {
        return new ArchivedMessage(new InboundKey(AccountId.of(rs.getString(1)), rs.getString(2), rs.getLong(3), rs.getString(4)),
                rs.getString(5), Instant.ofEpochMilli(rs.getLong(6)), rs.getBytes(7));
    }

    // ---- Ticket routing: Message-ID memory, bundling, auto-reply counters (V12, docs/adr/030) ----

    @Override
    public void rememberTicketMail(AccountId account, String messageId, String ticket, String sender) {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(ticket, "ticket");
        Objects.requireNonNull(sender, "sender");
        Transactions.write(dataSource, WHAT, c -> {
            if (exists(c, "mailroom_inbound_ticket_mail WHERE account_id = ? AND message_id = ?", account.value(), messageId)) {
                return null;
            }
            Savepoint beforeInsert = c.setSavepoint();
            try (PreparedStatement p = c.prepareStatement("INSERT INTO mailroom_inbound_ticket_mail (account_id, message_id, ticket, sender,"
                    + " seen_at) VALUES (?, ?, ?, ?, " + NOW + ")")) {
                p.setString(1, account.value());
                p.setString(2, messageId);
                p.setString(3, ticket);
                p.setString(4, sender);
                p.executeUpdate();
            } catch (SQLException e) {
                raced(e);
                c.rollback(beforeInsert); // another node remembered it first (primary key): the first ticket stays
            }
            return null;
        });
    }

    @Override
    public Optional<String> ticketOfMail(AccountId account, String messageId) {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(messageId, "messageId");
        return Transactions.read(dataSource, WHAT, c -> string(c, "SELECT ticket FROM mailroom_inbound_ticket_mail WHERE account_id = ?"
                + " AND message_id = ?", account.value(), messageId));
    }

    @Override
    public boolean wroteToTicket(AccountId account, String ticket, String sender) {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(ticket, "ticket");
        Objects.requireNonNull(sender, "sender");
        return Transactions.read(dataSource, WHAT, c -> exists(c, "mailroom_inbound_ticket_mail WHERE account_id = ? AND ticket = ?"
                + " AND sender = ?", account.value(), ticket, sender));
    }

    @Override
    public void rememberBundle(AccountId account, String bundleKey, String ticket) {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(bundleKey, "bundleKey");
        Objects.requireNonNull(ticket, "ticket");
        Transactions.write(dataSource, WHAT, c -> {
            try (PreparedStatement p = c.prepareStatement("DELETE FROM mailroom_inbound_bundle WHERE used_at < " + NOW + " - ?")) {
                p.setLong(1, Duration.ofDays(2).toMillis()); // pruned on write: bundle windows are at most a day
                p.executeUpdate();
            }
            try (PreparedStatement p = c.prepareStatement("UPDATE mailroom_inbound_bundle SET ticket = ?, used_at = " + NOW
                    + " WHERE account_id = ? AND bundle_key = ?")) {
                p.setString(1, ticket);
                p.setString(2, account.value());
                p.setString(3, bundleKey);
                if (p.executeUpdate() == 1) {
                    return null;
                }
            }
            Savepoint beforeInsert = c.setSavepoint();
            try (PreparedStatement p = c.prepareStatement("INSERT INTO mailroom_inbound_bundle (account_id, bundle_key, ticket, used_at)"
                    + " VALUES (?, ?, ?, " + NOW + ")")) {
                p.setString(1, account.value());
                p.setString(2, bundleKey);
                p.setString(3, ticket);
                p.executeUpdate();
            } catch (SQLException e) {
                raced(e);
                c.rollback(beforeInsert); // another node inserted it first; its bundle is as recent
            }
            return null;
        });
    }

    @Override
    public Optional<String> bundleTicket(AccountId account, String bundleKey, Duration window) {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(bundleKey, "bundleKey");
        Objects.requireNonNull(window, "window");
        return Transactions.read(dataSource, WHAT, c -> string(c, "SELECT ticket FROM mailroom_inbound_bundle WHERE account_id = ?"
                + " AND bundle_key = ? AND used_at >= " + NOW + " - ?", account.value(), bundleKey, window.toMillis()));
    }

    @Override
    public boolean tryTakeAutoReply(AccountId account, String recipient, java.time.LocalDate day, int perAccount, int perRecipient) {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(day, "day");
        if (perAccount < 1 || perRecipient < 1) {
            throw new IllegalArgumentException("the limits must be at least 1, were " + perAccount + " and " + perRecipient);
        }
        return Transactions.write(dataSource, WHAT, c -> {
            String d = day.toString();
            try (PreparedStatement p = c.prepareStatement("DELETE FROM mailroom_inbound_auto_reply WHERE sent_day < ?")) {
                p.setString(1, day.minusDays(2).toString()); // pruned on write; ISO days compare as text
                p.executeUpdate();
            }
            // both rows exist and are locked before they are compared, so two nodes cannot both take the last reply
            int mine = lockCounter(c, account.value(), recipient, d);
            int all = lockCounter(c, "", recipient, d);
            if (mine >= perAccount || all >= perRecipient) {
                return false;
            }
            try (PreparedStatement p = c.prepareStatement("UPDATE mailroom_inbound_auto_reply SET sent = sent + 1 WHERE recipient = ?"
                    + " AND sent_day = ? AND account_id IN (?, '')")) {
                p.setString(1, recipient);
                p.setString(2, d);
                p.setString(3, account.value());
                p.executeUpdate();
            }
            return true;
        });
    }

    /** Creates the counter row if missing, then reads it under a row lock. */
    private static int lockCounter(Connection c, String account, String recipient, String day) throws SQLException {
        if (!exists(c, "mailroom_inbound_auto_reply WHERE account_id = ? AND recipient = ? AND sent_day = ?", account, recipient, day)) {
            Savepoint beforeInsert = c.setSavepoint();
            try (PreparedStatement p = c.prepareStatement("INSERT INTO mailroom_inbound_auto_reply (account_id, recipient, sent_day, sent)"
                    + " VALUES (?, ?, ?, 0)")) {
                p.setString(1, account);
                p.setString(2, recipient);
                p.setString(3, day);
                p.executeUpdate();
            } catch (SQLException e) {
                raced(e);
                c.rollback(beforeInsert); // another node created it first
            }
        }
        try (PreparedStatement p = c.prepareStatement("SELECT sent FROM mailroom_inbound_auto_reply WHERE account_id = ? AND recipient = ?"
                + " AND sent_day = ? FOR UPDATE")) {
            p.setString(1, account);
            p.setString(2, recipient);
            p.setString(3, day);
            try (ResultSet rs = p.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("the auto-reply counter row for " + day + " vanished", "40001");
                }
                return rs.getInt(1);
            }
        }
    }

    private static Optional<String> string(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            for (int k = 0; k < params.length; k++) {
                if (params[k] instanceof Long l) {
                    p.setLong(k + 1, l);
                } else {
                    p.setString(k + 1, (String) params[k]);
                }
            }
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    // ---- Routing memory by content key (V16, docs/adr/030) ----

    @Override
    public void rememberRouted(AccountId account, String contentKey, dev.mailroom.spi.RoutedMail routed) {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(contentKey, "contentKey");
        Objects.requireNonNull(routed, "routed");
        Transactions.write(dataSource, WHAT, c -> {
            try (PreparedStatement p = c.prepareStatement("DELETE FROM mailroom_inbound_routed WHERE routed_at < " + NOW + " - ?")) {
                p.setLong(1, Duration.ofDays(2).toMillis()); // cheap pruning: a re-offer comes within minutes
                p.executeUpdate();
            }
            if (exists(c, "mailroom_inbound_routed WHERE account_id = ? AND content_key = ?", account.value(), contentKey)) {
                if (routed.replyTaken()) {
                    try (PreparedStatement p = c.prepareStatement("UPDATE mailroom_inbound_routed SET reply_taken = 1 WHERE account_id = ?"
                            + " AND content_key = ?")) {
                        p.setString(1, account.value());
                        p.setString(2, contentKey);
                        p.executeUpdate();
                    }
                }
                return null;
            }
            Savepoint beforeInsert = c.setSavepoint();
            try (PreparedStatement p = c.prepareStatement("INSERT INTO mailroom_inbound_routed (account_id, content_key, ticket, decision,"
                    + " reply_taken, routed_at) VALUES (?, ?, ?, ?, ?, " + NOW + ")")) {
                p.setString(1, account.value());
                p.setString(2, contentKey);
                p.setString(3, routed.ticket());
                p.setString(4, routed.decision());
                p.setInt(5, routed.replyTaken() ? 1 : 0);
                p.executeUpdate();
            } catch (SQLException e) {
                raced(e);
                c.rollback(beforeInsert); // another node remembered it first: the first decision stays
            }
            return null;
        });
    }

    @Override
    public Optional<dev.mailroom.spi.RoutedMail> routedMail(AccountId account, String contentKey) {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(contentKey, "contentKey");
        return Transactions.read(dataSource, WHAT, c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT ticket, decision, reply_taken FROM mailroom_inbound_routed"
                    + " WHERE account_id = ? AND content_key = ?")) {
                p.setString(1, account.value());
                p.setString(2, contentKey);
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next() ? Optional.of(new dev.mailroom.spi.RoutedMail(rs.getString(1), rs.getString(2), rs.getInt(3) != 0))
                            : Optional.<dev.mailroom.spi.RoutedMail>empty();
                }
            }
        });
    }

    /** Lets an integrity violation (SQLState 23xxx: another node inserted the row first) pass, rethrows any other failure. */
    private static void raced(SQLException e) throws SQLException {
        String state = e.getSQLState();
        if (state == null || !state.startsWith("23")) {
            throw e;
        }
    }
}
