package dev.mailroom.jdbc;

import dev.mailroom.jdbc.internal.StoreFailure;
import dev.mailroom.NotificationPreference;
import dev.mailroom.NotificationType;
import dev.mailroom.jdbc.internal.Transactions;
import dev.mailroom.spi.NotificationPreferences;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * {@link NotificationPreferences} over JDBC (table {@code mailroom_notification_preference}). A fan-out reads
 * the choices of its recipients with one query per 500 users. Thread-safe. Obtained from
 * {@link JdbcStore#preferences()}.
 */
public final class JdbcNotificationPreferences implements NotificationPreferences {
    /** Stored for a {@code null} tenant (system-wide) and for a tenant default (no user). */
    private static final String NONE = "";
    private static final int IN_CHUNK = 500;

    private final DataSource dataSource;

    JdbcNotificationPreferences(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public Optional<NotificationPreference> find(String tenant, String user, NotificationType type) {
        Objects.requireNonNull(user, "user");
        return Optional.ofNullable(findAll(tenant, List.of(user), type).get(user));
    }

    @Override
    public Map<String, NotificationPreference> findAll(String tenant, Collection<String> users, NotificationType type) {
        Objects.requireNonNull(type, "type");
        List<String> ids = new ArrayList<>(users);
        Map<String, NotificationPreference> out = new HashMap<>();
        try (Connection c = dataSource.getConnection()) {
            for (int from = 0; from < ids.size(); from += IN_CHUNK) {
                List<String> chunk = ids.subList(from, Math.min(ids.size(), from + IN_CHUNK));
                try (PreparedStatement p = c.prepareStatement("SELECT user_id, mail, own_changes FROM mailroom_notification_preference"
                        + " WHERE tenant = ? AND type = ? AND user_id IN (" + String.join(", ", Collections.nCopies(chunk.size(), "?")) + ")")) {
                    p.setString(1, tenant(tenant));
                    p.setString(2, type.name());
                    for (int i = 0; i < chunk.size(); i++) {
                        p.setString(i + 3, Objects.requireNonNull(chunk.get(i), "user"));
                    }
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            out.put(rs.getString(1), new NotificationPreference(rs.getBoolean(2), rs.getBoolean(3)));
                        }
                    }
                }
            }
        } catch (SQLException e) {
            throw StoreFailure.of("Mailroom preferences", e);
        }
        return out;
    }

    @Override
    public void save(String tenant, String user, NotificationType type, NotificationPreference preference) {
        Objects.requireNonNull(user, "user");
        if (user.isEmpty()) {
            throw new IllegalArgumentException("user must not be empty");
        }
        put(tenant, user, type, Objects.requireNonNull(preference, "preference"));
    }

    @Override
    public void delete(String tenant, String user, NotificationType type) {
        Objects.requireNonNull(user, "user");
        put(tenant, user, type, null);
    }

    @Override
    public Optional<NotificationPreference> tenantDefault(String tenant, NotificationType type) {
        return Optional.ofNullable(findAll(tenant, List.of(NONE), type).get(NONE));
    }

    @Override
    public void saveTenantDefault(String tenant, NotificationType type, NotificationPreference preference) {
        put(tenant, NONE, type, preference);
    }

    /** Replaces (or with {@code null} removes) one row, in one transaction. */
    private void put(String tenant, String user, NotificationType type, NotificationPreference preference) {
        Objects.requireNonNull(type, "type");
        try (Connection c = dataSource.getConnection()) {
            Transactions.inTransaction(c, () -> {
                try (PreparedStatement d = c.prepareStatement(
                        "DELETE FROM mailroom_notification_preference WHERE tenant = ? AND type = ? AND user_id = ?")) {
                    d.setString(1, tenant(tenant));
                    d.setString(2, type.name());
                    d.setString(3, user);
                    d.executeUpdate();
                }
                if (preference != null) {
                    try (PreparedStatement i = c.prepareStatement("INSERT INTO mailroom_notification_preference"
                            + " (tenant, user_id, type, mail, own_changes) VALUES (?, ?, ?, ?, ?)")) {
                        i.setString(1, tenant(tenant));
                        i.setString(2, user);
                        i.setString(3, type.name());
                        i.setBoolean(4, preference.mail());
                        i.setBoolean(5, preference.ownChanges());
                        i.executeUpdate();
                    }
                }
                return null;
            });
        } catch (SQLException e) {
            throw StoreFailure.of("Mailroom preferences", e);
        }
    }

    private static String tenant(String tenant) {
        if (tenant != null && tenant.isEmpty()) {
            throw new IllegalArgumentException("tenant must be null (system-wide) or not empty");
        }
        return tenant == null ? NONE : tenant;
    }
}
