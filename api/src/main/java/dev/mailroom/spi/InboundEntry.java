package dev.mailroom.spi;

import java.util.Objects;
import java.util.Optional;

/**
 * What an {@link InboundStateRepository} knows about one fetched message.
 *
 * @param key where the message sits on the server
 * @param contentKey the message's content key (normalized Message-ID and a hash of its header block)
 * @param state how far the message got
 * @param attempts how many times taking it failed (parsing or the host's handler)
 * @param lastError the last failure's text, or why the message was skipped or quarantined, if any
 */
public record InboundEntry(InboundKey key, String contentKey, State state, int attempts, Optional<String> lastError) {
    /** How far a message got. A message the repository does not know has not been taken yet. */
    public enum State {
        /** Taking it failed at least once; it is tried again on the next fetch. */
        FAILED,
        /** The host accepted it durably; the server-side action is still to be done. */
        STORED,
        /** The host accepted it and the server-side action is done. */
        ACKED,
        /** Taking it failed too often: its raw bytes are kept in quarantine and it is not tried again. */
        QUARANTINED,
        /** Not for this account (not addressed to its mailbox, older than its import date): left on the server. */
        SKIPPED
    }

    /**
     * Checks the parts.
     *
     * @param key see the record description
     * @param contentKey see the record description
     * @param state see the record description
     * @param attempts see the record description
     * @param lastError see the record description
     */
    public InboundEntry {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(contentKey, "contentKey");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(lastError, "lastError");
        if (attempts < 0) {
            throw new IllegalArgumentException("attempts must not be negative");
        }
    }
}
