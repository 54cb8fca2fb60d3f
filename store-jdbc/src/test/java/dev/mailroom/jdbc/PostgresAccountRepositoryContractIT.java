package dev.mailroom.jdbc;

import dev.mailroom.spi.AccountRepository;
import dev.mailroom.testkit.AccountRepositoryContract;
import org.junit.jupiter.api.AfterEach;
import org.postgresql.ds.PGSimpleDataSource;

final class PostgresAccountRepositoryContractIT extends AccountRepositoryContract {
    private JdbcStore store;
    private PGSimpleDataSource ds;

    @Override
    protected AccountRepository newRepository() {
        ds = Databases.postgres();
        store = JdbcStore.builder(ds).cipher(TestKeys.cipher()).build();
        return store.accounts();
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
            Databases.dropSchema(ds);
        }
    }
}
