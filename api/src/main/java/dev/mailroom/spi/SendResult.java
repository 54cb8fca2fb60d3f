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
 */
public record SendResult(String serverReply, List<EmailAddress> accepted, String sentCopy, String sentCopyError) {
    /**
     * Validates and copies.
     *
     * @param serverReply see the record description
     * @param accepted see the record description
     * @param sentCopy see the record description
     * @param sentCopyError see the record description
     */
    public SendResult {
        Objects.requireNonNull(serverReply, "serverReply");
        accepted = List.copyOf(accepted);
    }

    /**
     * A result without a Sent copy.
     *
     * @param serverReply see the record description
     * @param accepted see the record description
     */
    public SendResult(String serverReply, List<EmailAddress> accepted) {
        this(serverReply, accepted, null, null);
    }
}
