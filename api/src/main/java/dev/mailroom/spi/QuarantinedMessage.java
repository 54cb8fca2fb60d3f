package dev.mailroom.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * A fetched message that could not be taken and is kept, byte for byte, for an administrator.
 *
 * @param key where the message sat on the server
 * @param contentKey the message's content key
 * @param reason why it was quarantined (the last failure)
 * @param quarantinedAt when, on the repository's clock
 * @param raw the message as the server sent it; the array is not copied, do not change it
 */
public record QuarantinedMessage(InboundKey key, String contentKey, String reason, Instant quarantinedAt, byte[] raw) {
    /**
     * Checks the parts.
     *
     * @param key see the record description
     * @param contentKey see the record description
     * @param reason see the record description
     * @param quarantinedAt see the record description
     * @param raw see the record description
     */
    public QuarantinedMessage {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(contentKey, "contentKey");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(quarantinedAt, "quarantinedAt");
        Objects.requireNonNull(raw, "raw");
    }

    @Override
    public String toString() {
        return "QuarantinedMessage[" + key + ", " + contentKey + ", " + reason + ", " + raw.length + " bytes]";
    }
}
