package dev.mailroom.spring.boot.autoconfigure;

import org.junit.jupiter.api.Assumptions;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * The sample application on PostgreSQL (a new schema in {@code MAILROOM_TEST_PG_URL}); skipped without it, except
 * in CI, where it must run.
 */
final class PostgresMailroomApplicationIT extends MailroomApplicationTest {
    private static final String VARIABLE = "MAILROOM_TEST_PG_URL";
    private String schema;

    @Override
    String databaseUrl() {
        String url = System.getenv(VARIABLE);
        if (url == null || url.isBlank()) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException(VARIABLE + " is not set in CI: the PostgreSQL tests must run there");
            }
            Assumptions.abort("PostgreSQL tests skipped: set " + VARIABLE);
        }
        schema = "mailroom_s_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create a test schema: " + e.getMessage(), e);
        }
        return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    @Override
    void dropDatabase() throws SQLException {
        if (schema != null) {
            try (Connection c = DriverManager.getConnection(System.getenv(VARIABLE)); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }
}
