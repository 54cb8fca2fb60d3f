package dev.mailroom.jdbc;

import org.junit.jupiter.api.AfterEach;
import org.postgresql.ds.PGSimpleDataSource;

import java.nio.file.Path;
import java.util.List;

final class PostgresLargeMessageIT extends LargeMessageContract {
    private PGSimpleDataSource ds;

    @Override
    String heap() {
        return "-Xmx128m";
    }

    @Override
    long maxGrowth() {
        return MAX_GROWTH;
    }

    @Override
    List<String> databaseArguments(Path dir) {
        ds = Databases.postgres();
        return List.of("pg", System.getenv(Databases.PG_URL_VARIABLE), ds.getCurrentSchema());
    }

    @AfterEach
    void dropSchema() {
        if (ds != null) {
            Databases.dropSchema(ds);
        }
    }
}
