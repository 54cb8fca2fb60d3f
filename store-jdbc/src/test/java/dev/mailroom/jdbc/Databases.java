package dev.mailroom.jdbc;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Assumptions;
import org.postgresql.ds.PGSimpleDataSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Fresh databases for tests: an H2 in-memory database, or a new schema in the PostgreSQL named by the
 * environment variable {@code MAILROOM_TEST_PG_URL} (e.g. {@code jdbc:postgresql://127.0.0.1:5432/mailroom_test?user=postgres}).
 * Without that variable PostgreSQL tests are skipped with a visible message, except in CI ({@code CI=true}),
 * where they fail: CI must run them.
 */
final class Databases {
    static final String PG_URL_VARIABLE = "MAILROOM_TEST_PG_URL";

    private Databases() {
    }

    static DataSource h2() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:mailroom-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        return ds;
    }

    /** A data source on a new, empty schema; {@link #dropSchema(String)} removes it. */
    static PGSimpleDataSource postgres() {
        String url = System.getenv(PG_URL_VARIABLE);
        if (url == null || url.isBlank()) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException(PG_URL_VARIABLE + " is not set in CI: the PostgreSQL store tests must run there");
            }
            Assumptions.abort("PostgreSQL tests skipped: set " + PG_URL_VARIABLE + " (e.g. jdbc:postgresql://127.0.0.1:5432/test?user=postgres)");
        }
        String schema = "mailroom_t_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create a test schema in " + url + ": " + e.getMessage(), e);
        }
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(url);
        ds.setCurrentSchema(schema);
        return ds;
    }

    static void dropSchema(PGSimpleDataSource ds) {
        try (Connection c = DriverManager.getConnection(System.getenv(PG_URL_VARIABLE)); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA " + ds.getCurrentSchema() + " CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
