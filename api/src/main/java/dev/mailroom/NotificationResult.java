package dev.mailroom;

import java.util.List;
import java.util.Objects;

/**
 * What {@code notify} did with an event: who got mail queued, who was skipped and why, and what the
 * templates lacked. Immutable.
 *
 * @param type the event's type
 * @param queued the recipients whose mail is in the outbox
 * @param skipped the users who get no mail, each with the reason
 * @param warnings problems that did not stop the mail, e.g. template variables without a value
 */
public record NotificationResult(NotificationType type, List<Notified> queued, List<Skipped> skipped, List<String> warnings) {
    /**
     * Validates and copies.
     *
     * @param type see the record description
     * @param queued see the record description
     * @param skipped see the record description
     * @param warnings see the record description
     */
    public NotificationResult {
        Objects.requireNonNull(type, "type");
        queued = List.copyOf(queued);
        skipped = List.copyOf(skipped);
        warnings = List.copyOf(warnings);
    }

    /** Why a concerned user gets no mail. */
    public enum SkipReason {
        /** The directory does not know the user. */
        UNKNOWN_USER,
        /** The user has no email address. */
        NO_ADDRESS,
        /** The user's preference (or the tenant's default) is "no mail" for this type. */
        OPTED_OUT,
        /** The user caused the event and does not want mail for their own changes. */
        OWN_CHANGE,
        /** No mail can go out for this tenant: mail disabled, no system account, or not allowed. */
        MAIL_UNAVAILABLE,
        /** No template exists for this type in any locale. */
        NO_TEMPLATE,
        /** The mail could not be composed (e.g. an address the account cannot send to). */
        NOT_COMPOSED
    }

    /**
     * A user whose notification is queued.
     *
     * @param user the user id
     * @param address where it goes
     * @param queued the outbox entry ({@link Queued#existing()} when the event was reported before)
     */
    public record Notified(String user, EmailAddress address, Queued queued) {
        /**
         * Validates.
         *
         * @param user see the record description
         * @param address see the record description
         * @param queued see the record description
         */
        public Notified {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(queued, "queued");
        }
    }

    /**
     * A user who gets no mail.
     *
     * @param user the user id
     * @param reason why
     * @param detail a sentence for an administrator
     */
    public record Skipped(String user, SkipReason reason, String detail) {
        /**
         * Validates.
         *
         * @param user see the record description
         * @param reason see the record description
         * @param detail see the record description
         */
        public Skipped {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
