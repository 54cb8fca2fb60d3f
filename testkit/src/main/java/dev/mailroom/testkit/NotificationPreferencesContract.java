package dev.mailroom.testkit;

import dev.mailroom.NotificationPreference;
import dev.mailroom.NotificationType;
import dev.mailroom.spi.NotificationPreferences;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract every {@link NotificationPreferences} must keep, Mailroom's and a host's. Extend it and
 * return a fresh, empty store from {@link #newPreferences()}.
 */
public abstract class NotificationPreferencesContract {
    private NotificationPreferences preferences;

    /** For subclasses. */
    protected NotificationPreferencesContract() {
    }

    /**
     * A fresh, empty store for each test.
     *
     * @return the store under test
     */
    protected abstract NotificationPreferences newPreferences();

    @BeforeEach
    void setUpPreferences() {
        preferences = newPreferences();
    }

    @Test
    @DisplayName("E2 contract: a user's choice is kept per tenant, user and type, replaced on save and gone after delete")
    void userChoice_roundTrip() {
        assertEquals(Optional.empty(), preferences.find("acme", "u-1", NotificationType.TASK));
        preferences.save("acme", "u-1", NotificationType.TASK, NotificationPreference.ALL);
        preferences.save("acme", "u-1", NotificationType.APPOINTMENT, NotificationPreference.NONE);
        preferences.save(null, "u-1", NotificationType.TASK, NotificationPreference.NONE);
        assertEquals(Optional.of(NotificationPreference.ALL), preferences.find("acme", "u-1", NotificationType.TASK));
        assertEquals(Optional.of(NotificationPreference.NONE), preferences.find("acme", "u-1", NotificationType.APPOINTMENT));
        assertEquals(Optional.of(NotificationPreference.NONE), preferences.find(null, "u-1", NotificationType.TASK), "no tenant is its own scope");
        assertEquals(Optional.empty(), preferences.find("globex", "u-1", NotificationType.TASK));
        preferences.save("acme", "u-1", NotificationType.TASK, new NotificationPreference(true, false));
        assertEquals(Optional.of(new NotificationPreference(true, false)), preferences.find("acme", "u-1", NotificationType.TASK));
        preferences.delete("acme", "u-1", NotificationType.TASK);
        assertEquals(Optional.empty(), preferences.find("acme", "u-1", NotificationType.TASK));
        NotificationType custom = NotificationType.of("invoice.overdue");
        preferences.save("acme", "u-1", custom, NotificationPreference.ALL);
        assertEquals(Optional.of(NotificationPreference.ALL), preferences.find("acme", "u-1", custom), "host-defined types");
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> preferences.save("acme", "", NotificationType.TASK, NotificationPreference.ALL), "an empty user id is refused");
    }

    @Test
    @DisplayName("E2 contract: tenant and system-wide defaults are separate from users' choices and can be removed")
    void defaults_roundTrip() {
        preferences.saveTenantDefault("acme", NotificationType.TASK, NotificationPreference.NONE);
        preferences.saveTenantDefault(null, NotificationType.TASK, NotificationPreference.ALL);
        assertEquals(Optional.of(NotificationPreference.NONE), preferences.tenantDefault("acme", NotificationType.TASK));
        assertEquals(Optional.of(NotificationPreference.ALL), preferences.tenantDefault(null, NotificationType.TASK));
        assertEquals(Optional.empty(), preferences.tenantDefault("globex", NotificationType.TASK));
        assertEquals(Optional.empty(), preferences.find("acme", "u-1", NotificationType.TASK));
        assertTrue(preferences.findAll("acme", List.of("u-1", "u-2"), NotificationType.TASK).isEmpty(), "defaults are not users");
        preferences.saveTenantDefault("acme", NotificationType.TASK, null);
        assertEquals(Optional.empty(), preferences.tenantDefault("acme", NotificationType.TASK));
    }

    @Test
    @DisplayName("E2 contract: findAll returns the choices of many users at once, only of those who made one")
    void findAll_manyUsers() {
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 1_200; i++) {
            users.add("user-" + i);
            if (i % 3 == 0) {
                preferences.save("acme", "user-" + i, NotificationType.APPROVAL, i % 2 == 0 ? NotificationPreference.NONE : NotificationPreference.ALL);
            }
        }
        Map<String, NotificationPreference> found = preferences.findAll("acme", users, NotificationType.APPROVAL);
        assertEquals(400, found.size());
        assertEquals(NotificationPreference.NONE, found.get("user-0"));
        assertEquals(NotificationPreference.ALL, found.get("user-3"));
        assertEquals(null, found.get("user-1"));
        assertTrue(preferences.findAll("acme", users, NotificationType.TASK).isEmpty());
    }
}
