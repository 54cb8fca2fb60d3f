package dev.mailroom.jdbc;

import dev.mailroom.spi.InboundStateRepository;
import dev.mailroom.testkit.InboundStateRepositoryContract;
import org.junit.jupiter.api.AfterEach;

final class H2InboundStateContractTest extends InboundStateRepositoryContract {
    private JdbcStore store;

    @Override
    protected InboundStateRepository newRepository() {
        store = JdbcStore.builder(Databases.h2()).cipher(TestKeys.cipher()).build();
        return store.inbound();
    }

    @AfterEach
    void close() {
        store.close();
    }
}
