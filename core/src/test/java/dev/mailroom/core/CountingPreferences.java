package dev.mailroom.core;

import dev.mailroom.NotificationPreference;
import dev.mailroom.NotificationType;
import dev.mailroom.spi.NotificationPreferences;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** Preferences that count user lookups (one per user, or one per batch). */
final class CountingPreferences implements NotificationPreferences {
    private final NotificationPreferences delegate;
    private final AtomicInteger lookups;

    CountingPreferences(NotificationPreferences delegate, AtomicInteger lookups) {
        this.delegate = delegate;
        this.lookups = lookups;
    }

    @Override
    public Optional<NotificationPreference> find(String tenant, String user, NotificationType type) {
        lookups.incrementAndGet();
        return delegate.find(tenant, user, type);
    }

    @Override
    public Map<String, NotificationPreference> findAll(String tenant, Collection<String> users, NotificationType type) {
        lookups.incrementAndGet();
        return delegate.findAll(tenant, users, type);
    }

    @Override
    public void save(String tenant, String user, NotificationType type, NotificationPreference preference) {
        delegate.save(tenant, user, type, preference);
    }

    @Override
    public void delete(String tenant, String user, NotificationType type) {
        delegate.delete(tenant, user, type);
    }

    @Override
    public Optional<NotificationPreference> tenantDefault(String tenant, NotificationType type) {
        return delegate.tenantDefault(tenant, type);
    }

    @Override
    public void saveTenantDefault(String tenant, NotificationType type, NotificationPreference preference) {
        delegate.saveTenantDefault(tenant, type, preference);
    }
}
