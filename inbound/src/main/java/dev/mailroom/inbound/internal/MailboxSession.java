package dev.mailroom.inbound.internal;

import jakarta.mail.MessagingException;

import java.util.List;

/** One open connection to a mailbox folder, as the fetch pipeline sees it; IMAP and POP3 implement it. */
public interface MailboxSession extends AutoCloseable {
    /**
     * A message on the server: its id (UID or UIDL), its UID for the cursor (IMAP; 0 for POP3), its size and, for
     * IMAP, its INTERNALDATE (null when unknown).
     */
    record Listed(String id, long uid, long size, java.time.Instant internalDate) {
    }

    /** @return the folder's full name */
    String folder();

    /** @return the folder's UIDVALIDITY (0 for POP3) */
    long uidValidity();

    /** @return {@code true} if UIDs grow and a cursor may skip what lies below it (IMAP) */
    boolean hasCursor();

    /**
     * Lists the messages after a UID, in ascending order.
     *
     * @param afterUid the cursor (ignored by POP3)
     * @param since if not null, IMAP lists only what {@code UID SEARCH SINCE} finds from one day earlier (the
     *              search is day-granular; the caller filters exactly on the INTERNALDATE); ignored by POP3
     * @return the messages
     * @throws MessagingException when the server fails
     */
    List<Listed> list(long afterUid, java.time.Instant since) throws MessagingException;

    /**
     * Fetches a message without changing its flags.
     *
     * @param message the message
     * @param headerOnly {@code true} for the header block only
     * @return the bytes, or {@code null} if the message is gone
     * @throws MessagingException when the server fails
     */
    byte[] fetch(Listed message, boolean headerOnly) throws MessagingException;

    /**
     * Does the server-side action for a message by its id; a message that is gone counts as done.
     *
     * @param id the UID or UIDL
     * @param action the action
     * @throws MessagingException when the server refuses, with its reply
     */
    void apply(String id, dev.mailroom.inbound.ServerAction action) throws MessagingException;

    /**
     * Ends the session normally: POP3 sends its deletions and {@code QUIT} (a POP3 server deletes only then); IMAP
     * does nothing (its actions took effect at once).
     *
     * @throws MessagingException when the server fails; then no deletion took effect
     */
    default void commit() throws MessagingException {
    }

    /** @return {@code true} if actions take effect only at {@link #commit()} (POP3) */
    default boolean actsAtCommit() {
        return false;
    }

    /** @return how many messages one session takes at most */
    default int maxPerSession() {
        return Integer.MAX_VALUE;
    }

    /** Closes the connection without committing anything; never expunges. */
    @Override
    void close();
}
