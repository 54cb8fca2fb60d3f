package dev.mailroom.inbound;

import java.util.Objects;
import java.util.Optional;

/**
 * What the fetcher does with a message on the server once the host has stored it: keep it, mark it read, move it
 * to a folder, or delete it. Every action addresses the message by its UID and is repeated until it is done;
 * nothing is done to a message the host has not stored. POP3 knows only keeping and deleting. Immutable.
 */
public final class ServerAction {
    /** The kinds of action. */
    public enum Kind {
        /** Leave the message as it is (the default). */
        KEEP,
        /** Set the {@code \Seen} flag (IMAP only). */
        MARK_READ,
        /** Move the message to a folder with {@code UID MOVE} (IMAP only). */
        MOVE,
        /** Delete the message: IMAP {@code UID STORE \Deleted} and {@code UID EXPUNGE}; POP3 {@code DELE}. */
        DELETE
    }

    private static final ServerAction KEEP = new ServerAction(Kind.KEEP, null);
    private static final ServerAction MARK_READ = new ServerAction(Kind.MARK_READ, null);
    private static final ServerAction DELETE = new ServerAction(Kind.DELETE, null);

    private final Kind kind;
    private final String folder;

    private ServerAction(Kind kind, String folder) {
        this.kind = kind;
        this.folder = folder;
    }

    /** @return leave the message on the server unchanged */
    public static ServerAction keep() {
        return KEEP;
    }

    /** @return mark the message read ({@code \Seen}); IMAP only */
    public static ServerAction markRead() {
        return MARK_READ;
    }

    /** @return delete the message on the server */
    public static ServerAction delete() {
        return DELETE;
    }

    /**
     * Moves the message to a folder; IMAP only, the server must offer {@code MOVE}.
     *
     * @param folder the target folder's full name, which must exist
     * @return the action
     */
    public static ServerAction moveTo(String folder) {
        Objects.requireNonNull(folder, "folder");
        if (folder.isBlank()) {
            throw new IllegalArgumentException("folder must not be blank: name the folder to move fetched mail to");
        }
        return new ServerAction(Kind.MOVE, folder);
    }

    /** @return the kind of action */
    public Kind kind() {
        return kind;
    }

    /** @return the target folder of a move, else empty */
    public Optional<String> folder() {
        return Optional.ofNullable(folder);
    }

    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof ServerAction a && kind == a.kind && Objects.equals(folder, a.folder);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, folder);
    }

    @Override
    public String toString() {
        return folder == null ? kind.toString() : kind + "(" + folder + ")";
    }
}
