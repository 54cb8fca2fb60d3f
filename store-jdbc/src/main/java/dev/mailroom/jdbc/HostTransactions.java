package dev.mailroom.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Where the JDBC store finds the host's transaction on the calling thread, so that {@code enqueue} (and a
 * notification's fan-out) writes the outbox rows through the host's own connection and they commit or roll
 * back with the host's business data: an invoice rolled back never sends its mail. Outside a host transaction
 * the store writes in a transaction of its own, as before.
 *
 * <p>Only the outbox's inserts join; everything else (workers, the delivery log, accounts) keeps its own
 * connections. The store never commits, rolls back or closes a joined connection: it writes inside a savepoint,
 * so a refused enqueue leaves the host's transaction usable. Workers find the new entry once the host commits,
 * at their next poll ({@code outboxPollInterval}, default 1 s).
 *
 * <p>A plain-JDBC host needs no implementation: {@link JdbcStore#joinTransaction(Connection, java.util.function.Supplier)}
 * binds its connection for one call. Spring's starter sets one that reads Spring's transaction synchronisation.
 *
 * <p>Implementations must be thread-safe; {@link #current()} is called on the thread that enqueues.
 */
public interface HostTransactions {
    /** No host transactions: the store always writes in transactions of its own. */
    HostTransactions NONE = Optional::empty;

    /**
     * The connection of the host transaction the calling thread is in.
     *
     * @return the connection, with auto-commit off, on the store's database; empty when the thread is in no host transaction
     * @throws SQLException when the host's transaction manager cannot give its connection
     */
    Optional<Connection> current() throws SQLException;

    /**
     * Hands back a connection that {@link #current()} gave, after the store's statements (the host's transaction
     * goes on). Default: nothing to do.
     *
     * @param connection the connection
     */
    default void release(Connection connection) {
    }
}
