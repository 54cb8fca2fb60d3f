package dev.mailroom.jdbc;

import org.junit.jupiter.api.AfterEach;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;

final class PostgresTransactionalOutboxIT extends TransactionalOutboxContract {
    private PGSimpleDataSource created;
    private TestPool pool;

    @Override
    DataSource database() {
        if (created == null) {
            created = Databases.postgres();
            pool = new TestPool(created);
        }
        return pool;
    }

    @AfterEach
    void dropSchema() {
        if (pool != null) {
            pool.closeAll();
            Databases.dropSchema(created);
        }
    }
}
