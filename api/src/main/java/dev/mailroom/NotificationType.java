package dev.mailroom;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a notification is about: one of the kinds the seed products notify about, or a type the host
 * defines with {@link #of(String)}. Preferences and templates are kept per type. Immutable; equal by
 * name.
 */
public final class NotificationType {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_.-]{0,39}");

    /** An absence (leave, illness) was entered, changed or approved. */
    public static final NotificationType ABSENCE = new NotificationType("absence");
    /** An appointment or calendar entry for the user was created or edited. */
    public static final NotificationType APPOINTMENT = new NotificationType("appointment");
    /** A to-do for the user was created or edited. */
    public static final NotificationType TASK = new NotificationType("task");
    /** A project task for the user was created or edited. */
    public static final NotificationType PROJECT_TASK = new NotificationType("project_task");
    /** Something waits for the user's approval, or was approved or rejected. */
    public static final NotificationType APPROVAL = new NotificationType("approval");

    private final String name;

    private NotificationType(String name) {
        this.name = name;
    }

    /**
     * A type by name: one of the constants, or a host-defined type.
     *
     * @param name lower case, starting with a letter, then letters, digits, {@code _ . -}; at most 40
     * @return the type
     * @throws IllegalArgumentException if the name is malformed
     */
    public static NotificationType of(String name) {
        Objects.requireNonNull(name, "name");
        String n = name.toLowerCase(Locale.ROOT);
        if (!NAME.matcher(n).matches()) {
            throw new IllegalArgumentException("notification type '" + name
                    + "': use 1 to 40 characters: a letter, then letters, digits, '_', '.' or '-'");
        }
        return new NotificationType(n);
    }

    /**
     * @return the name, as stored with preferences and templates
     */
    public String name() {
        return name;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NotificationType t && t.name.equals(name);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return name;
    }
}
