package dev.mailroom.jdbc.internal;

import java.sql.Connection;
import java.sql.SQLException;

/** One transaction on a connection: commit when the work returns, roll back when it throws. */
public final class Transactions {
    /** Work on the connection inside the transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run() throws SQLException;
    }

    private Transactions() {
    }

    /**
     * Runs {@code work} in one transaction on {@code c} and restores the connection's auto-commit mode.
     *
     * @param c the connection
     * @param work the statements
     * @param <T> the result type
     * @return what the work returned, after the commit
     * @throws SQLException when the work or the commit fails (after a rollback)
     */
    public static <T> T inTransaction(Connection c, Work<T> work) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            T result = work.run();
            c.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }
}
