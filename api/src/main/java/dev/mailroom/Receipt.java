package dev.mailroom;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What a successful send returns.
 *
 * @param messageId the Message-ID header of the message sent
 * @param accountId the account that sent it
 * @param accountAddress that account's address
 * @param transport the transport id, e.g. {@code smtp}
 * @param serverReply the server's reply to the end of data, e.g. {@code 250 2.0.0 Ok: queued as 4F2}
 * @param recipients the envelope recipients the server accepted
 * @param sentAt when the server accepted the message
 * @param resolveTime time spent choosing the account
 * @param sendTime time spent in the transport (connection from the pool, dialog)
 * @param sentCopy where a copy was stored, or {@code null} when none was wanted
 * @param sentCopyError why the copy to the Sent folder failed, or {@code null}; the send itself succeeded
 */
public record Receipt(String messageId, AccountId accountId, EmailAddress accountAddress, String transport,
                      String serverReply, List<EmailAddress> recipients, Instant sentAt, Duration resolveTime,
                      Duration sendTime, String sentCopy, String sentCopyError) {
    /**
     * Validates and copies.
     *
     * @param messageId see the record description
     * @param accountId see the record description
     * @param accountAddress see the record description
     * @param transport see the record description
     * @param serverReply see the record description
     * @param recipients see the record description
     * @param sentAt see the record description
     * @param resolveTime see the record description
     * @param sendTime see the record description
     * @param sentCopy see the record description
     * @param sentCopyError see the record description
     */
    public Receipt {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(accountAddress, "accountAddress");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(serverReply, "serverReply");
        recipients = List.copyOf(recipients);
        Objects.requireNonNull(sentAt, "sentAt");
        Objects.requireNonNull(resolveTime, "resolveTime");
        Objects.requireNonNull(sendTime, "sendTime");
    }

    /** @return the folder the copy went to */
    public java.util.Optional<String> sentCopyFolder() {
        return java.util.Optional.ofNullable(sentCopy);
    }

    /** @return why the copy to the Sent folder failed, if it did */
    public java.util.Optional<String> sentCopyFailure() {
        return java.util.Optional.ofNullable(sentCopyError);
    }
}
