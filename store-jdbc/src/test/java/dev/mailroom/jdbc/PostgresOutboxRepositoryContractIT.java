package dev.mailroom.jdbc;

import dev.mailroom.spi.OutboxRepository;
import dev.mailroom.testkit.OutboxRepositoryContract;
import org.junit.jupiter.api.AfterEach;
import org.postgresql.ds.PGSimpleDataSource;

/** The outbox contract (issue #4: fair claim order, retention) on PostgreSQL (FOR UPDATE SKIP LOCKED claims). */
final class PostgresOutboxRepositoryContractIT extends OutboxRepositoryContract {
    private JdbcStore store;
    private PGSimpleDataSource ds;

    @Override
    protected OutboxRepository newOutbox() {
        ds = Databases.postgres();
        store = JdbcStore.builder(ds).cipher(TestKeys.cipher()).build();
        return store.outbox();
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
            Databases.dropSchema(ds);
        }
    }
}
