package dev.mailroom.spi;

import dev.mailroom.EmailAddress;

import java.util.List;
import java.util.Objects;

/**
 * What a transport reports for a message the server accepted.
 *
 * @param serverReply the server's reply to the end of data (for HTTP transports, status and request id)
 * @param accepted the recipients the server accepted
 */
public record SendResult(String serverReply, List<EmailAddress> accepted) {
    /**
     * Validates and copies.
     *
     * @param serverReply see the record description
     * @param accepted see the record description
     */
    public SendResult {
        Objects.requireNonNull(serverReply, "serverReply");
        accepted = List.copyOf(accepted);
    }
}
