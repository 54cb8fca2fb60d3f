package dev.mailroom.jdbc;

import dev.mailroom.spi.OutboxRepository;
import dev.mailroom.testkit.OutboxOrderContract;
import org.junit.jupiter.api.AfterEach;

/** The fair claim order (issue #4) on H2 (optimistic claims). */
final class H2OutboxOrderContractTest extends OutboxOrderContract {
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
