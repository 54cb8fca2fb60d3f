package dev.mailroom;

/**
 * A user's choice for one notification type, as the seed products offer it: whether the user gets mail
 * when something of this type concerns them ("mail me when a to-do for me is created or edited"), and
 * whether also when they made the change themselves ("… created or edited by me").
 *
 * @param mail whether the user gets mail for events of this type that concern them
 * @param ownChanges whether that includes events the user caused; only applies when {@code mail} is set
 */
public record NotificationPreference(boolean mail, boolean ownChanges) {
    /** Mail for what others do, none for one's own changes: the default unless a tenant says otherwise. */
    public static final NotificationPreference DEFAULT = new NotificationPreference(true, false);
    /** No mail for this type. */
    public static final NotificationPreference NONE = new NotificationPreference(false, false);
    /** Mail for everything of this type, one's own changes included. */
    public static final NotificationPreference ALL = new NotificationPreference(true, true);

    /**
     * Whether a user with this preference gets mail for an event.
     *
     * @param ownChange whether the user caused the event
     * @return true if mail goes out
     */
    public boolean wants(boolean ownChange) {
        return mail && (!ownChange || ownChanges);
    }
}
