package dev.mailroom.core;

import dev.mailroom.NotificationPreference;
import dev.mailroom.NotificationType;
import dev.mailroom.spi.NotificationPreferences;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * {@link NotificationPreferences} in memory: for tests and hosts that keep preferences elsewhere and load
 * them at start. The JDBC store has a durable one. Thread-safe.
 */
public final class InMemoryNotificationPreferences implements NotificationPreferences {
    private record Key(String tenant, String user, String type) {
    }

    private final ConcurrentMap<Key, NotificationPreference> users = new ConcurrentHashMap<>();
    private final ConcurrentMap<Key, NotificationPreference> defaults = new ConcurrentHashMap<>();

    /** Creates an empty store: no user preferences and no defaults. */
    public InMemoryNotificationPreferences() {
    }

    @Override
    public Optional<NotificationPreference> find(String tenant, String user, NotificationType type) {
        return Optional.ofNullable(users.get(new Key(tenant, Objects.requireNonNull(user, "user"), type.name())));
    }

    @Override
    public void save(String tenant, String user, NotificationType type, NotificationPreference preference) {
        if (Objects.requireNonNull(user, "user").isEmpty()) {
            throw new IllegalArgumentException("user must not be empty");
        }
        users.put(new Key(tenant, Objects.requireNonNull(user, "user"), type.name()), Objects.requireNonNull(preference, "preference"));
    }

    @Override
    public void delete(String tenant, String user, NotificationType type) {
        users.remove(new Key(tenant, Objects.requireNonNull(user, "user"), type.name()));
    }

    @Override
    public Optional<NotificationPreference> tenantDefault(String tenant, NotificationType type) {
        return Optional.ofNullable(defaults.get(new Key(tenant, null, type.name())));
    }

    @Override
    public void saveTenantDefault(String tenant, NotificationType type, NotificationPreference preference) {
        Key key = new Key(tenant, null, type.name());
        if (preference == null) {
            defaults.remove(key);
        } else {
            defaults.put(key, preference);
        }
    }
}
