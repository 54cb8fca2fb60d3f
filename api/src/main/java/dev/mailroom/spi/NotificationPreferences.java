package dev.mailroom.spi;

import dev.mailroom.NotificationPreference;
import dev.mailroom.NotificationType;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where users' notification choices are kept, per user and type, with defaults per tenant and a
 * system-wide default (tenant {@code null}). The effective choice for a user is the user's own, else the
 * tenant's default, else the system-wide default, else {@link NotificationPreference#DEFAULT}.
 * Implementations: in memory (core), JDBC (store-jdbc), or the host's own storage. Thread-safe.
 */
public interface NotificationPreferences {

    /**
     * A user's own choice.
     *
     * @param tenant the tenant, or {@code null}
     * @param user the user id
     * @param type the notification type
     * @return the choice, if the user made one
     */
    Optional<NotificationPreference> find(String tenant, String user, NotificationType type);

    /**
     * The choices of many users at once (fan-out to thousands of recipients). The default asks
     * {@link #find} per user; stores override it with one query per chunk.
     *
     * @param tenant the tenant, or {@code null}
     * @param users user ids
     * @param type the notification type
     * @return user id → choice, for the users who made one
     */
    default Map<String, NotificationPreference> findAll(String tenant, Collection<String> users, NotificationType type) {
        Map<String, NotificationPreference> out = new HashMap<>();
        for (String u : users) {
            find(tenant, u, type).ifPresent(p -> out.put(u, p));
        }
        return out;
    }

    /**
     * Stores a user's choice.
     *
     * @param tenant the tenant, or {@code null}
     * @param user the user id
     * @param type the notification type
     * @param preference the choice
     */
    void save(String tenant, String user, NotificationType type, NotificationPreference preference);

    /**
     * Forgets a user's choice: the defaults apply again.
     *
     * @param tenant the tenant, or {@code null}
     * @param user the user id
     * @param type the notification type
     */
    void delete(String tenant, String user, NotificationType type);

    /**
     * The default of a tenant, or with tenant {@code null} the system-wide default.
     *
     * @param tenant the tenant, or {@code null} for the system-wide default
     * @param type the notification type
     * @return the default, if one is set
     */
    Optional<NotificationPreference> tenantDefault(String tenant, NotificationType type);

    /**
     * Sets the default of a tenant, or with tenant {@code null} the system-wide default.
     *
     * @param tenant the tenant, or {@code null} for the system-wide default
     * @param type the notification type
     * @param preference the default, or {@code null} to remove it
     */
    void saveTenantDefault(String tenant, NotificationType type, NotificationPreference preference);
}
