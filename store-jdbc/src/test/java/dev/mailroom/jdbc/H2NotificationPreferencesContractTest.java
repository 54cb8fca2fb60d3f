package dev.mailroom.jdbc;

import dev.mailroom.spi.NotificationPreferences;
import dev.mailroom.testkit.NotificationPreferencesContract;
import org.junit.jupiter.api.AfterEach;

final class H2NotificationPreferencesContractTest extends NotificationPreferencesContract {
    private JdbcStore store;

    @Override
    protected NotificationPreferences newPreferences() {
        store = JdbcStore.builder(Databases.h2()).cipher(TestKeys.cipher()).build();
        return store.preferences();
    }

    @AfterEach
    void close() {
        store.close();
    }
}
