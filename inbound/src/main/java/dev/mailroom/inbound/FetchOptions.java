package dev.mailroom.inbound;

import java.util.Objects;

/**
 * How one account is fetched: the folder (IMAP; POP3 has only the inbox), the server-side action after the host
 * stored a message, and the size above which only the header block is imported (flagged truncated). Immutable;
 * build with {@link #builder()}.
 *
 * <pre>{@code
 * FetchOptions options = FetchOptions.builder().folder("INBOX").action(ServerAction.moveTo("Imported")).build();
 * }</pre>
 */
public final class FetchOptions {
    /** The default size limit: 25 MiB. */
    public static final long DEFAULT_MAX_MESSAGE_SIZE = 25L * 1024 * 1024;

    private static final FetchOptions DEFAULTS = builder().build();

    private final String folder;
    private final ServerAction action;
    private final long maxMessageSize;

    private FetchOptions(Builder b) {
        this.folder = b.folder;
        this.action = b.action;
        this.maxMessageSize = b.maxMessageSize;
    }

    /** @return the inbox, keep the messages, 25 MiB */
    public static FetchOptions defaults() {
        return DEFAULTS;
    }

    /** @return a builder with the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the IMAP folder to fetch */
    public String folder() {
        return folder;
    }

    /** @return what is done on the server after the host stored a message */
    public ServerAction action() {
        return action;
    }

    /** @return the size in bytes above which only the header block is imported */
    public long maxMessageSize() {
        return maxMessageSize;
    }

    @Override
    public String toString() {
        return "FetchOptions[folder=" + folder + ", action=" + action + ", maxMessageSize=" + maxMessageSize + "]";
    }

    /** Builds {@link FetchOptions}; not thread-safe. */
    public static final class Builder {
        private String folder = "INBOX";
        private ServerAction action = ServerAction.keep();
        private long maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;

        private Builder() {
        }

        /**
         * Sets the IMAP folder to fetch (default {@code INBOX}).
         *
         * @param folder the folder's full name
         * @return this
         */
        public Builder folder(String folder) {
            Objects.requireNonNull(folder, "folder");
            if (folder.isBlank()) {
                throw new IllegalArgumentException("folder must not be blank: use INBOX or the folder's full name");
            }
            this.folder = folder;
            return this;
        }

        /**
         * Sets what is done on the server after the host stored a message (default: keep it).
         *
         * @param action the action
         * @return this
         */
        public Builder action(ServerAction action) {
            this.action = Objects.requireNonNull(action, "action");
            return this;
        }

        /**
         * Sets the size above which only the header block is imported (default 25 MiB).
         *
         * @param bytes at least 1024
         * @return this
         */
        public Builder maxMessageSize(long bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("maxMessageSize must be at least 1024 bytes, was " + bytes);
            }
            this.maxMessageSize = bytes;
            return this;
        }

        /** @return the options */
        public FetchOptions build() {
            return new FetchOptions(this);
        }
    }
}
