package dev.mailroom.jdbc;

import dev.mailroom.spi.DeliveryLog;
import dev.mailroom.testkit.DeliveryLogContract;
import org.junit.jupiter.api.AfterEach;

final class H2DeliveryLogContractTest extends DeliveryLogContract {
    private JdbcStore store;

    @Override
    protected DeliveryLog newLog() {
        store = JdbcStore.builder(Databases.h2()).cipher(TestKeys.cipher()).build();
        return store.deliveryLog();
    }

    @AfterEach
    void close() {
        store.close();
    }
}
