package dev.mailroom.jdbc;

import dev.mailroom.spi.AccountRepository;
import dev.mailroom.testkit.AccountRepositoryContract;
import org.junit.jupiter.api.AfterEach;

final class H2AccountRepositoryContractTest extends AccountRepositoryContract {
    private JdbcStore store;

    @Override
    protected AccountRepository newRepository() {
        store = JdbcStore.builder(Databases.h2()).cipher(TestKeys.cipher()).build();
        return store.accounts();
    }

    @AfterEach
    void close() {
        store.close();
    }
}
