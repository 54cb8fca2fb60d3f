package dev.mailroom.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The host transaction the outbox joins on the calling thread: a connection bound with
 * {@link JdbcStore#joinTransaction}, else the store's {@link HostTransactions}. Thread-safe.
 */
final class TransactionJoin {
    private final HostTransactions host;
    private final ThreadLocal<Connection> bound = new ThreadLocal<>();

    TransactionJoin(HostTransactions host) {
        this.host = host;
    }

    /**
     * @return the connection to write through, or {@code null} for the store's own transaction
     * @throws SQLException when the host's transaction manager fails
     */
    Connection acquire() throws SQLException {
        Connection c = bound.get();
        if (c != null) {
            return c;
        }
        c = host.current().orElse(null);
        if (c != null && c.getAutoCommit()) { // not really a transaction: the rows would be committed at once
            host.release(c);
            return null;
        }
        return c;
    }

    void release(Connection c) {
        if (c != bound.get()) {
            host.release(c);
        }
    }

    <T> T join(Connection connection, Supplier<T> work) {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(work, "work");
        try {
            if (connection.getAutoCommit()) {
                throw new IllegalArgumentException("the connection is in auto-commit mode: call setAutoCommit(false) to start the transaction"
                        + " the outbox should join");
            }
        } catch (SQLException e) {
            throw dev.mailroom.jdbc.internal.StoreFailure.of("Mailroom outbox", e);
        }
        Connection previous = bound.get();
        if (previous != null && previous != connection) {
            throw new IllegalStateException("this thread already joined another connection's transaction");
        }
        bound.set(connection);
        try {
            return work.get();
        } finally {
            if (previous == null) {
                bound.remove();
            }
        }
    }
}
