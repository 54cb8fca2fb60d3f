package dev.mailroom.jdbc;

import dev.mailroom.spi.OAuthStore;
import dev.mailroom.testkit.OAuthStoreContract;
import org.junit.jupiter.api.AfterEach;

final class H2OAuthStoreContractTest extends OAuthStoreContract {
    private JdbcStore store;

    @Override
    protected OAuthStore newStore() {
        store = JdbcStore.builder(Databases.h2()).cipher(TestKeys.cipher()).build();
        return store.oauth().orElseThrow();
    }

    @AfterEach
    void close() {
        store.close();
    }
}
