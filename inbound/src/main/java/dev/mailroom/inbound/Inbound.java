package dev.mailroom.inbound;

import dev.mailroom.MailException;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.inbound.internal.ConnectionCheck;
import dev.mailroom.inbound.internal.Connector;
import dev.mailroom.inbound.internal.MailboxSession;
import dev.mailroom.spi.InboundStateRepository;
import dev.mailroom.spi.TransportContext;
import jakarta.mail.MessagingException;

import java.time.Clock;
import java.util.Locale;
import java.util.Objects;
import java.util.function.BiPredicate;

/**
 * Fetches incoming mail of an account over IMAP or POP3 and hands each mail to the host's {@link InboundHandler},
 * crash-safe: a mail is recorded as stored only after the handler returned, and only then is the server-side
 * action done (keep, mark read, move, delete), by UID, repeated on the next fetch until it is done. Nothing is
 * imported twice and nothing is lost when the process dies at any point (see {@link InboundHandler} for the one
 * window the host closes with {@link FetchedMail#contentKey()}). A mail that fails three times goes to quarantine
 * in the {@link InboundStateRepository} and the fetch goes on.
 *
 * <p><b>Threading.</b> Thread-safe; {@link #fetch} runs on the caller's thread and blocks for the whole fetch
 * (every network call has the context's finite timeouts). Run one fetch per account at a time, on one node:
 * the fetcher takes no lock of its own.
 *
 * <p><b>Tickets.</b> Each mail carries Mailroom's {@linkplain FetchedMail#routing() routing decision} (new ticket,
 * follow-up found by a signed reference, a known Message-ID or the subject, or bundled); the handler answers with
 * the ticket ({@link InboundResult#ticket}), which Mailroom remembers for later mail and puts into the auto-reply
 * it hands to the host's {@link Outbox}.
 *
 * <pre>{@code
 * TicketReferences refs = TicketReferences.builder("tickets.acme.test").key("k1", secret32Bytes).build();
 * Inbound inbound = Inbound.builder(jdbcStore.inbound(), mail -> InboundResult.ticket(tickets.store(mail)))
 *         .context(mailroom.transportContext())   // Mailroom's timeouts, TLS and OAuth tokens
 *         .references(refs).outbox(mailroom::enqueue).build();
 * ResolvedAccount account = mailroom.accounts().resolvedForConnection(AccountId.of("support"));
 * FetchOptions options = FetchOptions.builder().action(ServerAction.moveTo("Imported"))
 *         .routing(TicketRouting.builder().queue("1st level")
 *                 .autoReply(AutoReply.builder("Ihre Anfrage [#{TICKET}]", "Danke, wir melden uns.").build()).build())
 *         .build();
 * FetchReport report = inbound.fetch(account, options);
 * }</pre>
 */
public final class Inbound {
    private final InboundStateRepository state;
    private final InboundHandler handler;
    private final TransportContext context;
    private final Bounces.Hook bounces;
    private final int archiveDays;
    private final TicketReferences references;
    private final Outbox outbox;
    private final BiPredicate<String, String> participants;
    private final Clock clock;

    private Inbound(Builder b) {
        this.state = b.state;
        this.handler = b.handler;
        this.context = b.context;
        this.bounces = Bounces.hook(b.deliveryLog, b.bounceListener, b.clock);
        this.archiveDays = b.archiveDays;
        this.references = b.references;
        this.outbox = b.outbox;
        this.participants = b.participants;
        this.clock = b.clock;
    }

    /**
     * Starts a builder.
     *
     * @param state where the fetch state is kept (the JDBC store's {@code inbound()} in production)
     * @param handler the host's handler that stores each mail durably
     * @return the builder
     */
    public static Builder builder(InboundStateRepository state, InboundHandler handler) {
        return new Builder(Objects.requireNonNull(state, "state"), Objects.requireNonNull(handler, "handler"));
    }

    /**
     * Fetches the account's new mail once: connects, completes actions left over from an earlier fetch, hands
     * each new mail to the handler, does the server-side action, and disconnects.
     *
     * @param account the account, resolved (its fetch protocol, server and login)
     * @param options folder, server-side action and size limit
     * @return what was done
     * @throws MailException when the account cannot be fetched (incomplete, unreachable, login refused), with the
     *                       server's exact reply; a single mail's failure does not throw
     */
    public FetchReport fetch(ResolvedAccount account, FetchOptions options) {
        return fetch(account, options, () -> { });
    }

    /** As {@link #fetch(ResolvedAccount, FetchOptions)}, calling {@code heartbeat} after each message (the poller renews its lease). */
    FetchReport fetch(ResolvedAccount account, FetchOptions options, Runnable heartbeat) {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(options, "options");
        if (account.fetching().protocol() == dev.mailroom.FetchSettings.Protocol.POP3) {
            ServerAction.Kind kind = options.action().kind();
            if (kind != ServerAction.Kind.KEEP && kind != ServerAction.Kind.DELETE) {
                throw new IllegalArgumentException("account " + account.id() + " fetches over POP3, which can only keep or delete"
                        + " a message, not " + options.action() + ": choose ServerAction.keep() or ServerAction.delete()");
            }
        }
        try (MailboxSession session = Connector.open(account, context, options.folder())) {
            String incoming = options.mailboxAddress().orElseGet(() -> account.account().email() == null ? null
                    : account.account().email().address().toLowerCase(Locale.ROOT));
            Router router = new Router(account.id(), state, references, participants, outbox, clock, options.routing(), incoming);
            return new Pipeline(account.id(), state, handler, options, session, heartbeat, router)
                    .extras(bounces, archiveDays >= 0, account.fetching().protocol().name().toLowerCase(Locale.ROOT)).run();
        } catch (MessagingException e) {
            throw Connector.failure("fetching mail of account " + account.id(), e, Connector.kind(account));
        }
    }

    /**
     * Checks a fetch account's connection step by step: settings, TCP, TLS, login, opening the folder, counting its
     * messages. Each step carries the server's exact reply and a hint when it fails. Changes nothing in the mailbox;
     * works for an account that is not saved yet (a draft in a settings form).
     *
     * @param account the account, resolved
     * @param options the folder to open
     * @return the steps; {@link dev.mailroom.Diagnosis#ok()} tells whether all passed
     */
    public dev.mailroom.Diagnosis check(ResolvedAccount account, FetchOptions options) {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(options, "options");
        return ConnectionCheck.run(account, context, options.folder());
    }

    /** Opens the account's folder for the poller's IDLE watcher; the caller closes it. */
    MailboxSession openForIdle(ResolvedAccount account, FetchOptions options) {
        return Connector.open(account, context, options.folder());
    }

    /** How long one IDLE may wait before it is ended and issued again: well below the read timeout, at most 25 minutes. */
    java.time.Duration idleWindow() {
        java.time.Duration d = context.readTimeout().multipliedBy(3).dividedBy(4);
        return d.compareTo(java.time.Duration.ofMinutes(25)) > 0 ? java.time.Duration.ofMinutes(25) : d;
    }

    /**
     * Deletes the account's archived mail older than the {@linkplain Builder#archive archive retention} from the
     * local archive; the mail server is never touched. {@link InboundPoller} calls it about once an hour per account.
     *
     * @param account the fetch account
     * @return how many archived mails were deleted; 0 when the archive is off or keeps mail for ever
     */
    public int purgeArchive(dev.mailroom.AccountId account) {
        Objects.requireNonNull(account, "account");
        return archiveDays > 0 ? state.purgeArchive(account, java.time.Duration.ofDays(archiveDays)) : 0;
    }

    /** Configures an {@link Inbound}; not thread-safe. */
    public static final class Builder {
        private final InboundStateRepository state;
        private final InboundHandler handler;
        private TransportContext context = TransportContext.defaults();
        private dev.mailroom.spi.DeliveryLog deliveryLog;
        private java.util.function.Consumer<Bounce> bounceListener;
        private int archiveDays = -1;
        private TicketReferences references;
        private Outbox outbox;
        private BiPredicate<String, String> participants;
        private Clock clock = Clock.systemUTC();

        private Builder(InboundStateRepository state, InboundHandler handler) {
            this.state = state;
            this.handler = handler;
        }

        /**
         * Records each bounce (delivery status notification) fetched in a delivery log, against the original mail:
         * the sent entry is looked up by the returned Message-ID and one entry with operation {@code BOUNCE} per
         * recipient carries its account, the Message-ID, the recipient, the status and the server's diagnostic.
         * Bounces never reach the {@link InboundHandler}, with or without a log. Default: not recorded.
         *
         * @param log the delivery log, e.g. the JDBC store's (the same the sending side writes)
         * @return this
         */
        public Builder deliveryLog(dev.mailroom.spi.DeliveryLog log) {
            this.deliveryLog = Objects.requireNonNull(log, "log");
            return this;
        }

        /**
         * Calls the host for each fetched bounce that reports a permanent failure ({@link Bounce#permanent()}), so the
         * host can stop sending to {@link Bounce#permanentRecipients()}. With a {@linkplain #deliveryLog delivery log}
         * only for a bounce whose original Message-ID matches mail this system sent (anyone can mail a report).
         * Called on the fetching thread, before the bounce is stored, logged and acknowledged; if it throws, the
         * bounce counts as a failed attempt and comes again on the next fetch (quarantined after three). It may hear
         * a bounce more than once (also when storing fails), so it must be idempotent. Default: none.
         *
         * @param listener the host's listener
         * @return this
         */
        public Builder bounceListener(java.util.function.Consumer<Bounce> listener) {
            this.bounceListener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Keeps the raw bytes of every imported mail (bounces included) in the state repository's local archive, and
         * deletes them after {@code retentionDays} days ({@link Inbound#purgeArchive}). Deleting from the archive
         * never touches the mail server. Default: no archive.
         *
         * @param retentionDays days to keep archived mail, 0 to keep it for ever
         * @return this
         */
        public Builder archive(int retentionDays) {
            if (retentionDays < 0) {
                throw new IllegalArgumentException("retentionDays must be 0 (keep for ever) or more, was " + retentionDays);
            }
            this.archiveDays = retentionDays;
            return this;
        }

        /**
         * Sets timeouts, TLS trust and the OAuth access-token source (the same context the transports get).
         *
         * @param context the context; default {@link TransportContext#defaults()}
         * @return this
         */
        public Builder context(TransportContext context) {
            this.context = Objects.requireNonNull(context, "context");
            return this;
        }

        /**
         * Sets the signed ticket references: replies to ticket mail whose Message-ID was minted with them are
         * follow-ups, and auto-replies carry such a Message-ID. Use the same on every node and for outgoing ticket mail.
         *
         * @param references the references
         * @return this
         */
        public Builder references(TicketReferences references) {
            this.references = Objects.requireNonNull(references, "references");
            return this;
        }

        /**
         * Sets where auto-replies go: the host's durable outbox, e.g. {@code mailroom::enqueue}. Without it no
         * auto-reply is sent.
         *
         * @param outbox the outbox
         * @return this
         */
        public Builder outbox(Outbox outbox) {
            this.outbox = Objects.requireNonNull(outbox, "outbox");
            return this;
        }

        /**
         * Tells who may refer to a ticket in the subject besides those who wrote to it through this mailbox: the
         * ticket's requester and participants as the host knows them (e.g. tickets opened by phone).
         *
         * @param isParticipant called with (ticket id, sender address in lower case) on the fetching thread
         * @return this
         */
        public Builder participants(BiPredicate<String, String> isParticipant) {
            this.participants = Objects.requireNonNull(isParticipant, "isParticipant");
            return this;
        }

        /**
         * Sets the clock that decides the day auto-replies count for (the day in {@link AutoReply#zone()}).
         *
         * @param clock default the system clock
         * @return this
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** @return the fetcher */
        public Inbound build() {
            return new Inbound(this);
        }
    }
}
