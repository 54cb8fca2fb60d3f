package dev.mailroom.jdbc;

import org.junit.jupiter.api.AfterEach;
import org.postgresql.ds.PGSimpleDataSource;

import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

final class PostgresOutboxIT extends OutboxContract {
    private final List<PGSimpleDataSource> created = new ArrayList<>();
    private TestPool pool;

    @Override
    DataSource database() {
        if (created.isEmpty()) {
            created.add(Databases.postgres());
            pool = new TestPool(created.get(0));
        }
        return pool;
    }

    @AfterEach
    void dropSchemas() {
        if (pool != null) {
            pool.closeAll();
        }
        created.forEach(Databases::dropSchema);
    }
}
