package dev.mailroom.jdbc;

import dev.mailroom.spi.OutboxRepository;
import dev.mailroom.testkit.OutboxOrderContract;
import org.junit.jupiter.api.AfterEach;
import org.postgresql.ds.PGSimpleDataSource;

/** The fair claim order (issue #4) on PostgreSQL (FOR UPDATE SKIP LOCKED claims). */
final class PostgresOutboxOrderContractIT extends OutboxOrderContract {
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
