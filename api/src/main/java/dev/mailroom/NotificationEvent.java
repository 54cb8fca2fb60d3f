package dev.mailroom;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Something that happened in the host and may concern users: what (type), who did it, whom it
 * concerns, in which tenant, and the data its template shows. Immutable; built with {@link #builder}.
 *
 * <pre>{@code
 * notifications.notify(NotificationEvent.builder(NotificationType.TASK)
 *     .tenant("acme").actor("u-7").concerns("u-42", "u-43")
 *     .data("title", "Angebot 4711 prüfen").data("due", "24.11.2026")
 *     .thread("task-4711").idempotencyKey("task-4711-v3")
 *     .build());
 * }</pre>
 */
public final class NotificationEvent {
    private final NotificationType type;
    private final String tenant;
    private final String actor;
    private final List<String> concerned;
    private final Locale locale;
    private final Map<String, String> data;
    private final String thread;
    private final String idempotencyKey;

    private NotificationEvent(Builder b) {
        this.type = b.type;
        this.tenant = b.tenant;
        this.actor = b.actor;
        this.concerned = List.copyOf(b.concerned);
        this.locale = b.locale;
        this.data = Collections.unmodifiableMap(new LinkedHashMap<>(b.data));
        this.thread = b.thread;
        this.idempotencyKey = b.idempotencyKey;
    }

    /**
     * Starts an event.
     *
     * @param type what happened
     * @return a builder
     */
    public static Builder builder(NotificationType type) {
        return new Builder(Objects.requireNonNull(type, "type"));
    }

    /** @return what happened */
    public NotificationType type() { return type; }

    /** @return the tenant, empty for a single-tenant host or a system-wide event */
    public Optional<String> tenant() { return Optional.ofNullable(tenant); }

    /** @return the user who caused the event, empty when the system did */
    public Optional<String> actor() { return Optional.ofNullable(actor); }

    /** @return the users the event concerns, without repetitions, in the order given */
    public List<String> concerned() { return concerned; }

    /** @return the language for recipients whose own is unknown, if set */
    public Optional<Locale> locale() { return Optional.ofNullable(locale); }

    /** @return the template data, in the order given */
    public Map<String, String> data() { return data; }

    /** @return the host object the event is about (e.g. "task-4711"), for threading, if set */
    public Optional<String> thread() { return Optional.ofNullable(thread); }

    /** @return the host's key for this event, so that reporting it again sends nothing twice, if set */
    public Optional<String> idempotencyKey() { return Optional.ofNullable(idempotencyKey); }

    @Override
    public String toString() {
        return "NotificationEvent[" + type + ", tenant=" + tenant + ", actor=" + actor + ", " + concerned.size() + " concerned]";
    }

    /** Builds a {@link NotificationEvent}. Not thread-safe. */
    public static final class Builder {
        private final NotificationType type;
        private String tenant;
        private String actor;
        private final LinkedHashSet<String> concerned = new LinkedHashSet<>();
        private Locale locale;
        private final Map<String, String> data = new LinkedHashMap<>();
        private String thread;
        private String idempotencyKey;

        private Builder(NotificationType type) {
            this.type = type;
        }

        /**
         * @param tenant the tenant, or {@code null}
         * @return this
         */
        public Builder tenant(String tenant) {
            this.tenant = tenant;
            return this;
        }

        /**
         * @param user the user who caused the event, or {@code null} when the system did
         * @return this
         */
        public Builder actor(String user) {
            this.actor = user;
            return this;
        }

        /**
         * Adds users the event concerns.
         *
         * @param users user ids
         * @return this
         */
        public Builder concerns(String... users) {
            return concerns(List.of(users));
        }

        /**
         * Adds users the event concerns.
         *
         * @param users user ids
         * @return this
         */
        public Builder concerns(Collection<String> users) {
            for (String u : users) {
                Objects.requireNonNull(u, "user id");
                if (u.isBlank()) {
                    throw new IllegalArgumentException("concerned user ids must not be blank");
                }
                concerned.add(u);
            }
            return this;
        }

        /**
         * @param locale the language for recipients whose own is unknown, or {@code null} for the default
         * @return this
         */
        public Builder locale(Locale locale) {
            this.locale = locale;
            return this;
        }

        /**
         * Adds a template variable.
         *
         * @param name the variable, letters, digits and '_'
         * @param value its value; {@code null} counts as missing
         * @return this
         */
        public Builder data(String name, String value) {
            Objects.requireNonNull(name, "name");
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new IllegalArgumentException("template variable '" + name + "': use letters, digits and '_'");
            }
            data.put(name, value);
            return this;
        }

        /**
         * Adds template variables.
         *
         * @param values name → value
         * @return this
         */
        public Builder data(Map<String, String> values) {
            values.forEach(this::data);
            return this;
        }

        /**
         * @param reference the host object the event is about, e.g. "task-4711": mails about one object thread together
         * @return this
         */
        public Builder thread(String reference) {
            this.thread = reference;
            return this;
        }

        /**
         * @param key the host's id of this event (1 to 150 characters): reporting the same event again enqueues nothing new
         * @return this
         */
        public Builder idempotencyKey(String key) {
            if (key != null && (key.isBlank() || key.length() > 150)) {
                throw new IllegalArgumentException("idempotencyKey must be 1 to 150 characters");
            }
            this.idempotencyKey = key;
            return this;
        }

        /**
         * @return the event
         * @throws IllegalStateException if it concerns nobody
         */
        public NotificationEvent build() {
            if (concerned.isEmpty()) {
                throw new IllegalStateException("a notification event must concern at least one user: call concerns(…)");
            }
            return new NotificationEvent(this);
        }
    }
}
