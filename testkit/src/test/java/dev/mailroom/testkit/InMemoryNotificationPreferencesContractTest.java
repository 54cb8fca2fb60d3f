package dev.mailroom.testkit;

import dev.mailroom.core.InMemoryNotificationPreferences;
import dev.mailroom.spi.NotificationPreferences;

final class InMemoryNotificationPreferencesContractTest extends NotificationPreferencesContract {
    @Override
    protected NotificationPreferences newPreferences() {
        return new InMemoryNotificationPreferences();
    }
}
