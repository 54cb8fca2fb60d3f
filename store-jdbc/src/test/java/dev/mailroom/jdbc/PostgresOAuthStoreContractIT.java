package dev.mailroom.jdbc;

import dev.mailroom.spi.OAuthStore;
import dev.mailroom.testkit.OAuthStoreContract;
import org.junit.jupiter.api.AfterEach;
import org.postgresql.ds.PGSimpleDataSource;

final class PostgresOAuthStoreContractIT extends OAuthStoreContract {
    private JdbcStore store;
    private PGSimpleDataSource ds;

    @Override
    protected OAuthStore newStore() {
        ds = Databases.postgres();
        store = JdbcStore.builder(ds).cipher(TestKeys.cipher()).build();
        return store.oauth().orElseThrow();
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
            Databases.dropSchema(ds);
        }
    }
}
