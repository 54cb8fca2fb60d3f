package dev.mailroom.jdbc;

import dev.mailroom.spi.DeliveryLog;
import dev.mailroom.testkit.DeliveryLogContract;
import org.junit.jupiter.api.AfterEach;
import org.postgresql.ds.PGSimpleDataSource;

final class PostgresDeliveryLogContractIT extends DeliveryLogContract {
    private JdbcStore store;
    private PGSimpleDataSource ds;

    @Override
    protected DeliveryLog newLog() {
        ds = Databases.postgres();
        store = JdbcStore.builder(ds).cipher(TestKeys.cipher()).build();
        return store.deliveryLog();
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
            Databases.dropSchema(ds);
        }
    }
}
