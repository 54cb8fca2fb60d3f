package dev.mailroom.inbound;

import dev.mailroom.MailException;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.inbound.internal.ConnectionCheck;
import dev.mailroom.inbound.internal.Connector;
import dev.mailroom.inbound.internal.MailboxSession;
import dev.mailroom.spi.InboundStateRepository;
import dev.mailroom.spi.TransportContext;
import jakarta.mail.MessagingException;

import java.util.Objects;

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
 * <pre>{@code
 * Inbound inbound = Inbound.builder(jdbcStore.inbound(), mail -> tickets.store(mail))
 *         .context(mailroom.transportContext())   // Mailroom's timeouts, TLS and OAuth tokens
 *         .build();
 * ResolvedAccount account = mailroom.accounts().resolvedForConnection(AccountId.of("support"));
 * FetchReport report = inbound.fetch(account, FetchOptions.builder().action(ServerAction.moveTo("Imported")).build());
 * }</pre>
 */
public final class Inbound {
    private final InboundStateRepository state;
    private final InboundHandler handler;
    private final TransportContext context;

    private Inbound(Builder b) {
        this.state = b.state;
        this.handler = b.handler;
        this.context = b.context;
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
            return new Pipeline(account.id(), state, handler, options, session, heartbeat).run();
        } catch (MessagingException e) {
            throw Connector.failure("fetching mail of account " + account.id(), e);
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

    /** Configures an {@link Inbound}; not thread-safe. */
    public static final class Builder {
        private final InboundStateRepository state;
        private final InboundHandler handler;
        private TransportContext context = TransportContext.defaults();

        private Builder(InboundStateRepository state, InboundHandler handler) {
            this.state = state;
            this.handler = handler;
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

        /** @return the fetcher */
        public Inbound build() {
            return new Inbound(this);
        }
    }
}
