package dev.mailroom;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One attempt in the delivery log: time, account, operation, outcome and the server's text.
 * Never contains a secret.
 *
 * @param time when the attempt ended
 * @param accountId the account, or {@code null} when none could be resolved
 * @param accountAddress the account's address, or {@code null}
 * @param tenant the tenant, or {@code null}
 * @param operation what was attempted
 * @param outcome success or failure
 * @param errorCode the error code of a failure, or {@code null}
 * @param serverReply the server's reply (also on success), or {@code null}
 * @param messageId the Message-ID, or {@code null}
 * @param transport the transport id, or {@code null}
 * @param detail a short description (the error message on failure)
 */
public record DeliveryLogEntry(Instant time, AccountId accountId, String accountAddress, String tenant,
                               Operation operation, Outcome outcome, MailErrorCode errorCode, String serverReply,
                               String messageId, String transport, String detail) {
    /** What was attempted. */
    public enum Operation {
        /** Sending a message. */
        SEND,
        /** Sending a test mail. */
        TEST_MAIL,
        /** A connection test. */
        DIAGNOSE,
        /** Appending a sent message to the IMAP Sent folder. */
        SENT_COPY,
        /** Delivering a notification, or deciding not to (a skipped recipient). */
        NOTIFICATION,
        /** Delivering a support request. */
        SUPPORT_REQUEST,
        /** Fetching incoming mail of an account (IMAP or POP3). */
        FETCH,
        /**
         * A delivery status notification (a bounce) received for a sent mail: the entry carries the original
         * Message-ID, the failed recipient and the status in its detail.
         */
        BOUNCE
    }

    /** How it ended. */
    public enum Outcome {
        /** It worked. */
        SUCCESS,
        /** It failed. */
        FAILURE,
        /** Deliberately not done, with the reason in the detail (a user without an address). Not an error. */
        SKIPPED
    }

    /**
     * Validates.
     *
     * @param time see the record description
     * @param accountId see the record description
     * @param accountAddress see the record description
     * @param tenant see the record description
     * @param operation see the record description
     * @param outcome see the record description
     * @param errorCode see the record description
     * @param serverReply see the record description
     * @param messageId see the record description
     * @param transport see the record description
     * @param detail see the record description
     */
    public DeliveryLogEntry {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(detail, "detail");
    }

    /**
     * @return the server's reply, if any
     */
    public Optional<String> reply() { return Optional.ofNullable(serverReply); }
    /**
     * @return whether this entry is a failure
     */
    public boolean isFailure() { return outcome == Outcome.FAILURE; }
}
