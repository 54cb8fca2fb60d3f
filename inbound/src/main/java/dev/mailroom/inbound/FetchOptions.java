package dev.mailroom.inbound;

import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

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
    /** The default for the largest decoded body part: 20 MiB. */
    public static final long DEFAULT_MAX_PART_SIZE = 20L * 1024 * 1024;

    private static final FetchOptions DEFAULTS = builder().build();

    private final String folder;
    private final ServerAction action;
    private final long maxMessageSize;
    private final String mailboxAddress;
    private final Instant since;
    private final long maxPartSize;
    private final TicketRouting routing;

    private FetchOptions(Builder b) {
        this.maxPartSize = b.maxPartSize;
        this.routing = b.routing;
        this.folder = b.folder;
        this.action = b.action;
        this.maxMessageSize = b.maxMessageSize;
        this.mailboxAddress = b.mailboxAddress;
        this.since = b.since;
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

    /**
     * The mailbox address: when set, only mail addressed to it (in To, Cc, Delivered-To or X-Original-To) is taken;
     * the rest stays on the server untouched and is reported as skipped.
     *
     * @return the address, lower case, if set
     */
    public Optional<String> mailboxAddress() {
        return Optional.ofNullable(mailboxAddress);
    }

    /**
     * The import date: when set, older mail is not taken (IMAP: by INTERNALDATE, found with {@code UID SEARCH
     * SINCE}; POP3: by the {@code Date} header) and stays on the server.
     *
     * @return the instant, if set
     */
    public Optional<Instant> since() {
        return Optional.ofNullable(since);
    }

    /**
     * The largest decoded body part accepted while parsing (text or attachment); a mail with a larger part goes to
     * quarantine with the reason {@code MIME_PART_SIZE_LIMIT}.
     *
     * @return the size in bytes, default 20 MiB
     */
    public long maxPartSize() {
        return maxPartSize;
    }

    /** @return how mail becomes tickets: follow-ups, bundling, auto-reply, defaults */
    public TicketRouting routing() {
        return routing;
    }

    @Override
    public String toString() {
        return "FetchOptions[folder=" + folder + ", action=" + action + ", maxMessageSize=" + maxMessageSize
                + (mailboxAddress == null ? "" : ", mailboxAddress=" + mailboxAddress) + (since == null ? "" : ", since=" + since) + "]";
    }

    /** Builds {@link FetchOptions}; not thread-safe. */
    public static final class Builder {
        private String folder = "INBOX";
        private ServerAction action = ServerAction.keep();
        private long maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
        private String mailboxAddress;
        private Instant since;
        private long maxPartSize = DEFAULT_MAX_PART_SIZE;
        private TicketRouting routing = TicketRouting.defaults();

        private Builder() {
        }

        /**
         * Sets the largest decoded body part accepted while parsing (default 20 MiB); a mail with a larger part is
         * quarantined at once.
         *
         * @param bytes at least 1024
         * @return this
         */
        public Builder maxPartSize(long bytes) {
            if (bytes < 1024) {
                throw new MailException(MailErrorCode.INVALID_ACCOUNT, "fetch options: maxPartSize must be at least 1024 bytes, was " + bytes);
            }
            this.maxPartSize = bytes;
            return this;
        }

        /**
         * Sets how mail becomes tickets (default {@link TicketRouting#defaults()}).
         *
         * @param routing the routing options
         * @return this
         */
        public Builder routing(TicketRouting routing) {
            this.routing = Objects.requireNonNull(routing, "routing");
            return this;
        }

        /**
         * Takes only mail addressed to this mailbox (To, Cc, Delivered-To, X-Original-To), for accounts that see
         * mail of several mailboxes; it may differ from the account's reply address. Default: take all mail.
         *
         * @param address an email address
         * @return this
         */
        public Builder mailboxAddress(String address) {
            Objects.requireNonNull(address, "address");
            String a = address.strip();
            if (a.indexOf('@') <= 0 || a.indexOf('@') == a.length() - 1 || a.chars().anyMatch(Character::isWhitespace)) {
                throw new MailException(MailErrorCode.INVALID_ACCOUNT, "fetch options: mailboxAddress must be an email address like support@example.com, was '" + address + "'");
            }
            this.mailboxAddress = a.toLowerCase(Locale.ROOT);
            return this;
        }

        /**
         * Takes only mail from this instant on. Default: all mail.
         *
         * @param since the import date
         * @return this
         */
        public Builder since(Instant since) {
            this.since = Objects.requireNonNull(since, "since");
            return this;
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
                throw new MailException(MailErrorCode.INVALID_ACCOUNT, "fetch options: folder must not be blank: use INBOX or the folder's full name");
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
                throw new MailException(MailErrorCode.INVALID_ACCOUNT, "fetch options: maxMessageSize must be at least 1024 bytes, was " + bytes);
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
