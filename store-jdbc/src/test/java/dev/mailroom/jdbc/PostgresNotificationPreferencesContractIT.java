package dev.mailroom.jdbc;

import dev.mailroom.spi.NotificationPreferences;
import dev.mailroom.testkit.NotificationPreferencesContract;
import org.junit.jupiter.api.AfterEach;
import org.postgresql.ds.PGSimpleDataSource;

final class PostgresNotificationPreferencesContractIT extends NotificationPreferencesContract {
    private JdbcStore store;
    private PGSimpleDataSource ds;

    @Override
    protected NotificationPreferences newPreferences() {
        ds = Databases.postgres();
        store = JdbcStore.builder(ds).cipher(TestKeys.cipher()).build();
        return store.preferences();
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
            Databases.dropSchema(ds);
        }
    }
}
