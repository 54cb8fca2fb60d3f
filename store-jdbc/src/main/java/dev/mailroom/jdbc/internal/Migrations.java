package dev.mailroom.jdbc.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Applies the versioned scripts in {@code db/migration/mailroom/} (Flyway-style names, so a host can run
 * them with its own Flyway or Liquibase instead) and records each in {@code mailroom_schema_version}.
 * Idempotent; when two nodes migrate at once, the second sees the version recorded and moves on.
 */
public final class Migrations {
    /** The scripts, in order; the version is the number after V. */
    public static final List<String> SCRIPTS = List.of("V1__accounts_and_settings.sql", "V2__delivery_log.sql", "V3__outbox.sql",
            "V4__outbox_by_account.sql", "V5__notifications.sql", "V6__outbox_fair_queue.sql", "V7__outbox_age.sql",
            "V8__outbox_staged_payloads.sql", "V9__account_parts_and_oauth_clients.sql", "V10__oauth.sql", "V11__inbound.sql",
            "V12__inbound_routing.sql", "V13__inbound_archive.sql",
            "V16__inbound_routed.sql");

    private Migrations() {
    }

    public static void migrate(DataSource dataSource) {
        migrate(dataSource, Integer.MAX_VALUE);
    }

    /** Applies the scripts up to and including a version: for tests that start from an older schema. */
    public static void migrate(DataSource dataSource, int throughVersion) {
        try (Connection c = dataSource.getConnection()) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS mailroom_schema_version (version INT NOT NULL PRIMARY KEY,"
                        + " description VARCHAR(200) NOT NULL, applied_at TIMESTAMP WITH TIME ZONE NOT NULL)");
            }
            for (String script : SCRIPTS) {
                int version = Integer.parseInt(script.substring(1, script.indexOf("__")));
                if (version > throughVersion) {
                    break;
                }
                if (applied(c, version)) {
                    continue;
                }
                boolean auto = c.getAutoCommit();
                c.setAutoCommit(false);
                try (Statement s = c.createStatement()) {
                    for (String sql : statements(script)) {
                        s.execute(sql);
                    }
                    try (PreparedStatement p = c.prepareStatement(
                            "INSERT INTO mailroom_schema_version (version, description, applied_at) VALUES (?, ?, ?)")) {
                        p.setInt(1, version);
                        p.setString(2, script);
                        p.setObject(3, OffsetDateTime.now(ZoneOffset.UTC));
                        p.executeUpdate();
                    }
                    c.commit();
                } catch (SQLException e) {
                    c.rollback();
                    if (!applied(c, version)) {
                        throw StoreFailure.of("Mailroom schema migration " + script, e);
                    }
                } finally {
                    c.setAutoCommit(auto);
                }
            }
        } catch (SQLException e) {
            throw StoreFailure.of("Mailroom schema migration", e);
        }
    }

    private static boolean applied(Connection c, int version) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT 1 FROM mailroom_schema_version WHERE version = ?")) {
            p.setInt(1, version);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next();
            }
        }
    }

    static List<String> statements(String script) {
        String text;
        try (InputStream in = Migrations.class.getResourceAsStream("/db/migration/mailroom/" + script)) {
            if (in == null) {
                throw new IllegalStateException("missing migration " + script);
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read migration " + script, e);
        }
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : text.split("\n")) {
            String l = line.strip();
            if (l.startsWith("--") || l.isEmpty()) {
                continue;
            }
            current.append(line).append('\n');
            if (l.endsWith(";")) {
                String sql = current.toString().strip();
                out.add(sql.substring(0, sql.length() - 1));
                current.setLength(0);
            }
        }
        return out;
    }
}
