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
 * @param raw the message as the server sent it; copied in and out (the record is immutable); equality compares the
 *            bytes, {@link #toString()} shows only their count
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
        raw = Objects.requireNonNull(raw, "raw").clone();
    }

    /** @return a copy of the message's bytes */
    @Override
    public byte[] raw() {
        return raw.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ArchivedMessage a && key.equals(a.key) && contentKey.equals(a.contentKey) && archivedAt.equals(a.archivedAt)
                && java.util.Arrays.equals(raw, a.raw);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, contentKey, archivedAt, java.util.Arrays.hashCode(raw));
    }

    @Override
    public String toString() {
        return "ArchivedMessage[" + key + ", " + contentKey + ", " + archivedAt + ", " + raw.length + " bytes]";
    }
}
