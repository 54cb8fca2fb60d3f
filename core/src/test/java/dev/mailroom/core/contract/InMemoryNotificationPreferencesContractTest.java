package dev.mailroom.core.contract;

import dev.mailroom.testkit.NotificationPreferencesContract;
import dev.mailroom.core.InMemoryNotificationPreferences;
import dev.mailroom.spi.NotificationPreferences;

final class InMemoryNotificationPreferencesContractTest extends NotificationPreferencesContract {
    @Override
    protected NotificationPreferences newPreferences() {
        return new InMemoryNotificationPreferences();
    }
}
