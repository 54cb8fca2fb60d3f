package dev.mailroom.inbound;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A delivery status notification (a bounce) received for a sent mail, as read from the incoming mail: the
 * original Message-ID (from the returned message or its headers) and, per recipient, the action, the status code
 * and the receiving server's diagnostic. A standard report is a {@code multipart/report} with a
 * {@code message/delivery-status} part (parsed with Angus Mail's DSN support); the common non-standard bounces
 * (a mail from {@code MAILER-DAEMON} with the failure in plain text) are recognised well enough to find the
 * original Message-ID and the status code when they are present. Immutable.
 *
 * <p>A bounce never becomes a ticket and is never answered: the fetch stores and acknowledges it like any mail,
 * records it in the delivery log against the original mail and, for a permanent failure, calls the host's
 * {@linkplain Inbound.Builder#bounceListener bounce listener} so that the host can suppress the recipient.
 *
 * @param originalMessageId the Message-ID of the mail that bounced, with angle brackets, if found
 * @param recipients the recipients the report names, possibly empty for a non-standard bounce
 * @param standard {@code true} for a {@code multipart/report} delivery status notification
 * @param reportingMta the server that wrote the report, if named
 */
public record Bounce(Optional<String> originalMessageId, List<Recipient> recipients, boolean standard, Optional<String> reportingMta) {
    /**
     * Checks the parts.
     *
     * @param originalMessageId see the record description
     * @param recipients see the record description
     * @param standard see the record description
     * @param reportingMta see the record description
     */
    public Bounce {
        Objects.requireNonNull(originalMessageId, "originalMessageId");
        Objects.requireNonNull(reportingMta, "reportingMta");
        recipients = List.copyOf(recipients);
    }

    /**
     * Tells whether delivery failed for good to at least one recipient ({@code Action: failed} with a 5.x.x status):
     * sending to that address again will fail too.
     *
     * @return {@code true} for a permanent failure
     */
    public boolean permanent() {
        return recipients.stream().anyMatch(Recipient::permanent);
    }

    /** @return the recipients whose delivery failed for good */
    public List<Recipient> permanentRecipients() {
        return recipients.stream().filter(Recipient::permanent).toList();
    }

    /**
     * Reads a raw incoming mail and tells whether it is a bounce.
     *
     * @param raw the message as the server sent it
     * @return the bounce, or empty if the mail is not one
     */
    public static Optional<Bounce> parse(byte[] raw) {
        return Bounces.parse(Objects.requireNonNull(raw, "raw"));
    }

    /**
     * One recipient of a bounce.
     *
     * @param address the recipient's address (from {@code Final-Recipient}, else {@code Original-Recipient}), or
     *                empty when the report does not name it
     * @param action {@code failed}, {@code delayed}, {@code delivered}, {@code relayed} or {@code expanded}, lower
     *               case; {@code failed} for a non-standard bounce
     * @param status the enhanced status code such as {@code 5.1.1}, or empty when none was given
     * @param diagnosticCode the receiving server's reply ({@code Diagnostic-Code}), if given
     */
    public record Recipient(String address, String action, String status, Optional<String> diagnosticCode) {
        /**
         * Checks the parts.
         *
         * @param address see the record description
         * @param action see the record description
         * @param status see the record description
         * @param diagnosticCode see the record description
         */
        public Recipient {
            Objects.requireNonNull(address, "address");
            action = Objects.requireNonNull(action, "action").strip().toLowerCase(Locale.ROOT);
            status = Objects.requireNonNull(status, "status").strip();
            Objects.requireNonNull(diagnosticCode, "diagnosticCode");
        }

        /**
         * @return {@code true} if delivery to this recipient failed for good: failed, with a 5.x.x status (without a
         *         status nothing is known for sure, so not permanent)
         */
        public boolean permanent() {
            return action.equals("failed") && status.startsWith("5");
        }
    }
}
