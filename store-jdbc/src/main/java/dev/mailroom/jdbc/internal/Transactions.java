package dev.mailroom.jdbc.internal;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/** One transaction on a connection: commit when the work returns, roll back when it throws. */
public final class Transactions {
    /** Work on the connection inside the transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run() throws SQLException;
    }

    /** Work with a connection of the store's data source. */
    @FunctionalInterface
    public interface OnConnection<T> {
        T run(Connection c) throws SQLException;
    }

    private Transactions() {
    }

    /**
     * Runs reads on a connection of the data source.
     *
     * @param dataSource the store's data source
     * @param what the store, for the failure's message
     * @param work the statements
     * @param <T> the result type
     * @return what the work returned
     * @throws dev.mailroom.MailException {@link dev.mailroom.MailErrorCode#STORE_FAILED} when the database fails
     */
    public static <T> T read(DataSource dataSource, String what, OnConnection<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw StoreFailure.of(what, e);
        }
    }

    /**
     * Runs writes in one transaction on a connection of the data source.
     *
     * @param dataSource the store's data source
     * @param what the store, for the failure's message
     * @param work the statements
     * @param <T> the result type
     * @return what the work returned, after the commit
     * @throws dev.mailroom.MailException {@link dev.mailroom.MailErrorCode#STORE_FAILED} when the database fails
     */
    public static <T> T write(DataSource dataSource, String what, OnConnection<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return inTransaction(c, () -> work.run(c));
        } catch (SQLException e) {
            throw StoreFailure.of(what, e);
        }
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
