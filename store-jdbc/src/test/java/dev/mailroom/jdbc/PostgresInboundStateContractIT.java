package dev.mailroom.jdbc;

import dev.mailroom.spi.InboundStateRepository;
import dev.mailroom.testkit.InboundStateRepositoryContract;
import org.junit.jupiter.api.AfterEach;
import org.postgresql.ds.PGSimpleDataSource;

final class PostgresInboundStateContractIT extends InboundStateRepositoryContract {
    private JdbcStore store;
    private PGSimpleDataSource ds;

    @Override
    protected InboundStateRepository newRepository() {
        ds = Databases.postgres();
        store = JdbcStore.builder(ds).cipher(TestKeys.cipher()).build();
        return store.inbound();
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
            Databases.dropSchema(ds);
        }
    }
}
