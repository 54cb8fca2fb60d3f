package dev.mailroom.jdbc;

import dev.mailroom.spi.OutboxRepository;
import dev.mailroom.testkit.OutboxRepositoryContract;
import org.junit.jupiter.api.AfterEach;

/** The outbox contract (issue #4: fair claim order, retention) on H2 (optimistic claims). */
final class H2OutboxRepositoryContractTest extends OutboxRepositoryContract {
    private JdbcStore store;

    @Override
    protected OutboxRepository newOutbox() {
        store = JdbcStore.builder(Databases.h2()).cipher(TestKeys.cipher()).build();
        return store.outbox();
    }

    @AfterEach
    void close() {
        store.close();
    }
}
