package dev.mailroom.inbound;

import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * How a mailbox's mail becomes tickets: whether new tickets may be opened, what to propose for unknown senders,
 * the defaults the host applies to new tickets, closing on import, archive import, the subject reference, bundling
 * and the auto-reply. Mailroom decides follow-up, bundle or new ({@link Routing}); the host applies the rest, since
 * users, customers, projects and queues are the host's. Immutable; set on {@link FetchOptions.Builder#routing}.
 *
 * <pre>{@code
 * TicketRouting routing = TicketRouting.builder()
 *         .queue("1st level").priority("normal").createUserFromLocalPart(true)
 *         .bundleWithin(Duration.ofMinutes(2))
 *         .autoReply(AutoReply.builder("Ihre Anfrage [#{TICKET}]", "Danke, wir melden uns.").build())
 *         .build();
 * }</pre>
 */
public final class TicketRouting {
    /** The default subject reference: {@code [#12345]}. */
    public static final String DEFAULT_SUBJECT_REFERENCE = "\\[#([0-9]{1,20})\\]";

    private static final TicketRouting DEFAULTS = builder().build();

    private final boolean noNewTickets;
    private final boolean createUserFromLocalPart;
    private final boolean createCustomerFromDomain;
    private final String defaultTicketUser;
    private final String project;
    private final String queue;
    private final String category;
    private final String priority;
    private final String assignee;
    private final boolean closeOnImport;
    private final boolean archiveImport;
    private final Pattern subjectReference;
    private final Duration bundleWithin;
    private final AutoReply autoReply;

    private TicketRouting(Builder b) {
        this.noNewTickets = b.noNewTickets;
        this.createUserFromLocalPart = b.createUserFromLocalPart;
        this.createCustomerFromDomain = b.createCustomerFromDomain;
        this.defaultTicketUser = b.defaultTicketUser;
        this.project = b.project;
        this.queue = b.queue;
        this.category = b.category;
        this.priority = b.priority;
        this.assignee = b.assignee;
        this.closeOnImport = b.closeOnImport;
        this.archiveImport = b.archiveImport;
        this.subjectReference = b.subjectReference;
        this.bundleWithin = b.bundleWithin;
        this.autoReply = b.autoReply;
    }

    /** @return new tickets allowed, subject reference {@code [#12345]}, no bundling, no auto-reply, no defaults */
    public static TicketRouting defaults() {
        return DEFAULTS;
    }

    /** @return a builder with the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @return {@code true} if mail opens no new tickets: only follow-ups are taken, other mail stays on the server
     *         and is reported as skipped
     */
    public boolean noNewTickets() {
        return noNewTickets;
    }

    /** @return {@code true} if an unknown sender becomes a user named after the local part of the address */
    public boolean createUserFromLocalPart() {
        return createUserFromLocalPart;
    }

    /** @return {@code true} if an unknown sender's domain becomes a customer (or location) */
    public boolean createCustomerFromDomain() {
        return createCustomerFromDomain;
    }

    /** @return the host's user that tickets of unknown senders belong to, when users are not created */
    public Optional<String> defaultTicketUser() {
        return Optional.ofNullable(defaultTicketUser);
    }

    /** @return the default project of new tickets */
    public Optional<String> project() {
        return Optional.ofNullable(project);
    }

    /** @return the default queue of new tickets */
    public Optional<String> queue() {
        return Optional.ofNullable(queue);
    }

    /** @return the default category of new tickets */
    public Optional<String> category() {
        return Optional.ofNullable(category);
    }

    /** @return the default priority of new tickets */
    public Optional<String> priority() {
        return Optional.ofNullable(priority);
    }

    /** @return the default assignee (person or resource) of new tickets */
    public Optional<String> assignee() {
        return Optional.ofNullable(assignee);
    }

    /** @return {@code true} if imported tickets are marked closed */
    public boolean closeOnImport() {
        return closeOnImport;
    }

    /** @return {@code true} for an archive import: original dates kept, no auto-reply, no bundling */
    public boolean archiveImport() {
        return archiveImport;
    }

    /** @return the subject reference pattern (group 1 is the ticket id), if subject references are accepted */
    public Optional<Pattern> subjectReference() {
        return Optional.ofNullable(subjectReference);
    }

    /** @return the bundling window, if mail with the same sender and subject is bundled */
    public Optional<Duration> bundleWithin() {
        return Optional.ofNullable(bundleWithin);
    }

    /** @return the auto-reply, if one is sent for new tickets */
    public Optional<AutoReply> autoReply() {
        return Optional.ofNullable(autoReply);
    }

    @Override
    public String toString() {
        return "TicketRouting[noNewTickets=" + noNewTickets + ", closeOnImport=" + closeOnImport + ", archiveImport=" + archiveImport
                + ", subjectReference=" + subjectReference + ", bundleWithin=" + bundleWithin + ", autoReply=" + autoReply + "]";
    }

    /** Builds {@link TicketRouting}; not thread-safe. */
    public static final class Builder {
        private boolean noNewTickets;
        private boolean createUserFromLocalPart;
        private boolean createCustomerFromDomain;
        private String defaultTicketUser;
        private String project;
        private String queue;
        private String category;
        private String priority;
        private String assignee;
        private boolean closeOnImport;
        private boolean archiveImport;
        private Pattern subjectReference = Pattern.compile(DEFAULT_SUBJECT_REFERENCE);
        private Duration bundleWithin;
        private AutoReply autoReply;

        private Builder() {
        }

        /**
         * Opens no new tickets: only follow-ups of existing tickets are taken (new tickets come by phone or form).
         *
         * @param on default {@code false}
         * @return this
         */
        public Builder noNewTickets(boolean on) {
            this.noNewTickets = on;
            return this;
        }

        /**
         * Proposes a new user named after the local part for an unknown sender.
         *
         * @param on default {@code false}
         * @return this
         */
        public Builder createUserFromLocalPart(boolean on) {
            this.createUserFromLocalPart = on;
            return this;
        }

        /**
         * Proposes a new customer (or location) named after the domain for an unknown sender; combines with the above.
         *
         * @param on default {@code false}
         * @return this
         */
        public Builder createCustomerFromDomain(boolean on) {
            this.createCustomerFromDomain = on;
            return this;
        }

        /**
         * Sets the host's user that tickets of unknown senders belong to when no user is created.
         *
         * @param user the host's user id
         * @return this
         */
        public Builder defaultTicketUser(String user) {
            this.defaultTicketUser = value("defaultTicketUser", user);
            return this;
        }

        /**
         * @param project the host's project id for new tickets
         * @return this
         */
        public Builder project(String project) {
            this.project = value("project", project);
            return this;
        }

        /**
         * @param queue the host's queue for new tickets
         * @return this
         */
        public Builder queue(String queue) {
            this.queue = value("queue", queue);
            return this;
        }

        /**
         * @param category the host's category for new tickets
         * @return this
         */
        public Builder category(String category) {
            this.category = value("category", category);
            return this;
        }

        /**
         * @param priority the host's priority for new tickets
         * @return this
         */
        public Builder priority(String priority) {
            this.priority = value("priority", priority);
            return this;
        }

        /**
         * @param assignee the host's person or resource that new tickets are assigned to
         * @return this
         */
        public Builder assignee(String assignee) {
            this.assignee = value("assignee", assignee);
            return this;
        }

        /**
         * Marks imported tickets closed.
         *
         * @param on default {@code false}
         * @return this
         */
        public Builder closeOnImport(boolean on) {
            this.closeOnImport = on;
            return this;
        }

        /**
         * Imports an archive: the host keeps the mails' original dates ({@link FetchedMail#sentAt()}), no auto-reply
         * is sent and nothing is bundled. Usually with {@link #closeOnImport(boolean)}.
         *
         * @param on default {@code false}
         * @return this
         */
        public Builder archiveImport(boolean on) {
            this.archiveImport = on;
            return this;
        }

        /**
         * Sets the subject reference: a regular expression whose first group is the ticket id. A reference is taken
         * only from the ticket's requester or a participant.
         *
         * @param regex e.g. {@code "\\[#([0-9]+)\\]"} (the default) or {@code "\\[Ticket#([A-Z0-9-]+)\\]"}
         * @return this
         * @throws MailException {@link MailErrorCode#INVALID_ACCOUNT} naming subjectReference if it does not compile
         *                       or has no group
         */
        public Builder subjectReference(String regex) {
            Objects.requireNonNull(regex, "subjectReference");
            Pattern p;
            try {
                p = Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                throw new MailException(MailErrorCode.INVALID_ACCOUNT, "ticket routing: subjectReference is not a valid regular"
                        + " expression (" + e.getDescription() + "); use e.g. \\[#([0-9]+)\\] with the ticket id in group 1");
            }
            if (p.matcher("").groupCount() < 1) {
                throw new MailException(MailErrorCode.INVALID_ACCOUNT, "ticket routing: subjectReference needs a group for the ticket id,"
                        + " e.g. \\[#([0-9]+)\\], was " + regex);
            }
            this.subjectReference = p;
            return this;
        }

        /**
         * Accepts no subject references (only thread headers find tickets).
         *
         * @return this
         */
        public Builder noSubjectReference() {
            this.subjectReference = null;
            return this;
        }

        /**
         * Bundles mail with the same sender and subject (without Re:, AW:, WG:, Fwd: and the like) and no thread
         * headers into one ticket when it arrives within this window of the last one; each mail is its own step.
         * Two polling intervals cover "the same or the next polling interval".
         *
         * @param window 1 second to 1 day
         * @return this
         * @throws MailException {@link MailErrorCode#INVALID_ACCOUNT} if out of range
         */
        public Builder bundleWithin(Duration window) {
            Objects.requireNonNull(window, "bundleWithin");
            if (window.compareTo(Duration.ofSeconds(1)) < 0 || window.compareTo(Duration.ofDays(1)) > 0) {
                throw new MailException(MailErrorCode.INVALID_ACCOUNT, "ticket routing: bundleWithin must be 1 second to 1 day, e.g."
                        + " twice the polling interval (PT2M), was " + window);
            }
            this.bundleWithin = window;
            return this;
        }

        /**
         * Sends an auto-reply for each new ticket (needs {@link Inbound.Builder#outbox}).
         *
         * @param autoReply the auto-reply
         * @return this
         */
        public Builder autoReply(AutoReply autoReply) {
            this.autoReply = Objects.requireNonNull(autoReply, "autoReply");
            return this;
        }

        private static String value(String field, String value) {
            Objects.requireNonNull(value, field);
            if (value.isBlank() || value.length() > 200) {
                throw new MailException(MailErrorCode.INVALID_ACCOUNT, "ticket routing: " + field + " must be 1 to 200 characters, was '"
                        + value.replaceAll("\\p{Cntrl}", "?") + "'");
            }
            return value;
        }

        /** @return the routing */
        public TicketRouting build() {
            return new TicketRouting(this);
        }
    }
}
