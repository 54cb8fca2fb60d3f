package dev.mailroom.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/** Databases for benchmarks: a fresh PostgreSQL schema behind a HikariCP pool, dropped when the pool closes. */
final class BenchDatabases {
    private BenchDatabases() {
    }

    static HikariDataSource postgres(String url, int poolSize) throws SQLException {
        String schema = "mailroom_bench_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setSchema(schema);
        config.setMaximumPoolSize(poolSize);
        if (Boolean.getBoolean("bench.asyncCommit")) {
            // Diagnosis only: shows how much of a run is waiting for WAL flushes (never a production setting).
            config.setConnectionInitSql("SET synchronous_commit = off");
        }
        return new HikariDataSource(config) {
            @Override
            public void close() {
                super.close();
                try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                    s.execute("DROP SCHEMA " + schema + " CASCADE");
                } catch (SQLException e) {
                    throw new IllegalStateException("cannot drop bench schema " + schema, e);
                }
            }
        };
    }
}
