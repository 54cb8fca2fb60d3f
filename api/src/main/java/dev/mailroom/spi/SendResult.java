package dev.mailroom.spi;

import dev.mailroom.EmailAddress;

import java.util.List;
import java.util.Objects;

/**
 * What a transport reports for a message the server accepted.
 *
 * @param serverReply the server's reply to the end of data (for HTTP transports, status and request id)
 * @param accepted the recipients the server accepted
 * @param sentCopy the folder a copy was appended to (B6), or {@code null}
 * @param sentCopyError why the copy failed, or {@code null}; never a reason to fail the send
 * @param refused the recipients the server refused while it took the message for the others (only for a
 *                {@link RenderedMessage#partialDelivery()} message); empty otherwise
 */
public record SendResult(String serverReply, List<EmailAddress> accepted, String sentCopy, String sentCopyError,
                         List<RefusedRecipient> refused) {
    /**
     * Validates and copies.
     *
     * @param serverReply see the record description
     * @param accepted see the record description
     * @param sentCopy see the record description
     * @param sentCopyError see the record description
     * @param refused see the record description
     */
    public SendResult {
        Objects.requireNonNull(serverReply, "serverReply");
        accepted = List.copyOf(accepted);
        refused = List.copyOf(refused);
    }

    /**
     * A result without refused recipients.
     *
     * @param serverReply see the record description
     * @param accepted see the record description
     * @param sentCopy see the record description
     * @param sentCopyError see the record description
     */
    public SendResult(String serverReply, List<EmailAddress> accepted, String sentCopy, String sentCopyError) {
        this(serverReply, accepted, sentCopy, sentCopyError, List.of());
    }

    /**
     * A recipient the server refused while it took the message for others.
     *
     * @param address the recipient
     * @param reply the server's reply to its RCPT TO
     * @param temporary whether the refusal was temporary (4xx: try this recipient again) or permanent (5xx)
     */
    public record RefusedRecipient(EmailAddress address, String reply, boolean temporary) {
        /**
         * Validates.
         *
         * @param address see the record description
         * @param reply see the record description
         * @param temporary see the record description
         */
        public RefusedRecipient {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(reply, "reply");
        }
    }

    /**
     * @param copy the Sent folder, or {@code null}
     * @param copyError why the copy failed, or {@code null}
     * @return a copy of this result with the Sent-copy outcome
     */
    public SendResult withSentCopy(String copy, String copyError) {
        return new SendResult(serverReply, accepted, copy, copyError, refused);
    }

    /**
     * A result without a Sent copy.
     *
     * @param serverReply see the record description
     * @param accepted see the record description
     */
    public SendResult(String serverReply, List<EmailAddress> accepted) {
        this(serverReply, accepted, null, null, List.of());
    }
}
