package dev.mailroom.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * An imported message kept, byte for byte, in the local archive after the host stored it. Deleting it from the
 * archive never touches the mail server.
 *
 * @param key where the message sat on the server when it was imported
 * @param contentKey the message's content key
 * @param archivedAt when it was archived, on the repository's clock
 * @param raw the message as the server sent it; the array is not copied, do not change it
 */
public record ArchivedMessage(InboundKey key, String contentKey, Instant archivedAt, byte[] raw) {
    /**
     * Checks the parts.
     *
     * @param key see the record description
     * @param contentKey see the record description
     * @param archivedAt see the record description
     * @param raw see the record description
     */
    public ArchivedMessage {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(contentKey, "contentKey");
        Objects.requireNonNull(archivedAt, "archivedAt");
        Objects.requireNonNull(raw, "raw");
    }

    @Override
    public String toString() {
        return "ArchivedMessage[" + key + ", " + contentKey + ", " + archivedAt + ", " + raw.length + " bytes]";
    }
}
