package dev.mailroom.inbound;

import dev.mailroom.AccountId;
import dev.mailroom.inbound.internal.ContentKeys;
import dev.mailroom.inbound.internal.MailProviders;
import dev.mailroom.inbound.internal.MailboxSession;
import dev.mailroom.inbound.internal.MimeScan;
import dev.mailroom.spi.InboundEntry;
import dev.mailroom.spi.InboundKey;
import dev.mailroom.spi.InboundStateRepository;
import jakarta.mail.FolderClosedException;
import jakarta.mail.MessagingException;
import jakarta.mail.StoreClosedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One fetch of one account over an open session: FETCHED, then STORED once the host accepted, then ACKED once the
 * server-side action is done. See docs/adr/024.
 */
final class Pipeline {
    static final int MAX_ATTEMPTS = 3;
    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

    private final AccountId account;
    private final InboundStateRepository state;
    private final InboundHandler handler;
    private final FetchOptions options;
    private final MailboxSession session;
    private final Runnable heartbeat;
    private final Router router;
    private final List<String> problems = new ArrayList<>();
    private final List<InboundKey> actedAtCommit = new ArrayList<>();
    private final Set<InboundKey> actedOn = new HashSet<>();
    private int imported;
    private int duplicates;
    private int acknowledged;
    private int failed;
    private int quarantined;
    private int skipped;
    private int truncated;

    Pipeline(AccountId account, InboundStateRepository state, InboundHandler handler, FetchOptions options, MailboxSession session) {
        this(account, state, handler, options, session, () -> { });
    }

    Pipeline(AccountId account, InboundStateRepository state, InboundHandler handler, FetchOptions options, MailboxSession session,
             Runnable heartbeat) {
        this(account, state, handler, options, session, heartbeat, Router.plain(account, state, options));
    }

    /**
     * @param heartbeat called after each message; it may throw to abort the fetch (the poller lost its lease)
     * @param router routes each mail to a ticket and sends auto-replies
     */
    Pipeline(AccountId account, InboundStateRepository state, InboundHandler handler, FetchOptions options, MailboxSession session,
             Runnable heartbeat, Router router) {
        this.heartbeat = heartbeat;
        this.router = router;
        this.account = account;
        this.state = state;
        this.handler = handler;
        this.options = options;
        this.session = session;
    }

    FetchReport run() throws MessagingException {
        String folder = session.folder();
        long validity = session.uidValidity();
        boolean renumbered = false;
        long cursor = 0;
        if (session.hasCursor()) {
            cursor = state.cursor(account, folder, validity).orElse(0);
            renumbered = cursor == 0 && state.hasAnyCursor(account, folder);
            if (renumbered) {
                LOG.warn("account {}: folder {} has a new UIDVALIDITY {}; re-reading it, importing only content not taken before", account,
                        folder, validity);
                problems.add("UIDVALIDITY of " + folder + " changed to " + validity + ": re-read by content keys");
            }
        }
        // stored before, acknowledgement left over (the process died, or the action failed)
        for (InboundEntry pending : state.pendingAcks(account, folder)) {
            if (pending.key().uidValidity() == validity) {
                ack(pending.key());
            } else if (renumbered) {
                state.acked(pending.key()); // the old UID means nothing now; the message is found again by content key below
            }
        }
        boolean contiguous = true;
        int taken = 0;
        for (MailboxSession.Listed listed : session.list(cursor, options.since().orElse(null))) {
            InboundKey key = new InboundKey(account, folder, validity, listed.id());
            Optional<InboundEntry> known = state.find(key);
            InboundEntry.State s = known.map(InboundEntry::state).orElse(null);
            if (s == InboundEntry.State.ACKED || s == InboundEntry.State.QUARANTINED || s == InboundEntry.State.SKIPPED) {
                contiguous = advance(contiguous, folder, validity, listed);
                continue;
            }
            if (taken >= session.maxPerSession()) {
                break;
            }
            taken++;
            if (s == InboundEntry.State.STORED) {
                ack(key); // already handled above when pending; also covers a POP3 session that did not reach QUIT
                contiguous = advance(contiguous, folder, validity, listed);
                continue;
            }
            if (take(key, listed)) {
                contiguous = advance(contiguous, folder, validity, listed);
            } else {
                contiguous = false;
            }
            heartbeat.run();
        }
        if (session.actsAtCommit()) {
            session.commit();
            for (InboundKey k : actedAtCommit) {
                state.acked(k);
                acknowledged++;
            }
        }
        return new FetchReport(account, imported, duplicates, acknowledged, failed, quarantined, skipped, truncated, renumbered, problems, bounced);
    }

    private boolean advance(boolean contiguous, String folder, long validity, MailboxSession.Listed listed) {
        if (contiguous && session.hasCursor()) {
            state.advanceCursor(account, folder, validity, listed.uid());
        }
        return contiguous;
    }

    /** @return {@code true} if the message is done (stored, a duplicate, or quarantined), {@code false} to retry later */
    private boolean take(InboundKey key, MailboxSession.Listed listed) throws MessagingException {
        boolean tooLarge = listed.size() > options.maxMessageSize();
        byte[] raw;
        try {
            raw = session.fetch(listed, tooLarge);
        } catch (FolderClosedException | StoreClosedException lost) {
            throw lost; // the connection is gone: the whole fetch fails and is retried, nothing is counted against the mail
        } catch (MessagingException refused) { // the server refuses this one message: count it, so it cannot block the folder
            return refused(key, "unfetchable:" + key, "the server refused to send it: " + refused.getMessage(), new byte[0]);
        }
        if (raw == null) {
            return true; // gone since it was listed: nothing to take
        }
        String contentKey = ContentKeys.of(raw);
        if (state.contentTaken(account, contentKey)) {
            state.stored(key, contentKey);
            duplicates++;
            ack(key);
            return true;
        }
        Optional<String> notOurs = Filters.skipReason(raw, listed.internalDate(), options);
        if (notOurs.isPresent()) {
            state.skipped(key, contentKey, notOurs.get());
            skipped++;
            problems.add("message " + key + " skipped: " + notOurs.get());
            return true;
        }
        Optional<String> rejected = tooLarge ? Optional.empty() : MimeScan.check(raw, options.maxPartSize());
        if (rejected.isPresent()) {
            quarantine(key, contentKey, rejected.get(), raw);
            return true;
        }
        Optional<Boolean> asBounce = takeBounce(key, contentKey, raw, tooLarge);
        if (asBounce.isPresent()) {
            return asBounce.get(); // a bounce never reaches the handler
        }
        FetchedMail parsed;
        try {
            parsed = MailProviders.parsing(() -> Parsing.parse(key, contentKey, raw, listed.size(), tooLarge));
        } catch (Exception e) {
            return refused(key, contentKey, e.getClass().getSimpleName() + ": " + e.getMessage(), raw);
        }
        Router.Decision decision;
        try {
            decision = router.decide(parsed, problems);
        } catch (RuntimeException | StackOverflowError e) {
            rethrowStoreFailure(e); // a store outage fails the fetch and counts against no message
            return refused(key, contentKey, "routing: " + e.getClass().getSimpleName() + ": " + e.getMessage(), raw);
        }
        if (decision.skipReason() != null) {
            state.skipped(key, contentKey, decision.skipReason());
            skipped++;
            problems.add("message " + key + " skipped: " + decision.skipReason());
            return true;
        }
        FetchedMail mail = parsed.withRouting(decision.routing());
        InboundResult result;
        try {
            result = handler.accept(mail);
            if (result == null) {
                throw new IllegalStateException("the handler returned null; return InboundResult.ticket(id), stored() or rejected(reason)");
            }
        } catch (Exception e) { // the host's handler may throw anything: the mail stays on the server
            return refused(key, contentKey, e.getClass().getSimpleName() + ": " + e.getMessage(), raw);
        }
        if (result.isRejected()) {
            String reason = "rejected by the host: " + result.rejection().orElseThrow();
            state.skipped(key, contentKey, reason);
            skipped++;
            problems.add("message " + key + " skipped: " + reason);
            return true;
        }
        if (result.ticketId().isPresent()) {
            try { // before stored: a failure or crash in between offers the mail again, and accepted() replays idempotently
                router.accepted(mail, result.ticketId().get(), problems);
            } catch (RuntimeException e) {
                rethrowStoreFailure(e);
                return refused(key, contentKey, "after the host stored it: " + e.getClass().getSimpleName() + ": " + e.getMessage(), raw);
            }
        }
        archive(key, contentKey, raw);
        state.stored(key, contentKey);
        imported++;
        if (tooLarge) {
            truncated++;
        }
        ack(key);
        return true;
    }

    private static void rethrowStoreFailure(Throwable e) {
        if (e instanceof dev.mailroom.MailException m && m.code() == dev.mailroom.MailErrorCode.STORE_FAILED) {
            throw m;
        }
    }

    /** Counts a failed attempt; the third one quarantines. @return {@code true} if the message is done (quarantined) */
    private boolean refused(InboundKey key, String contentKey, String error, byte[] raw) {
        int attempts = state.failed(key, contentKey, error);
        failed++;
        if (attempts >= MAX_ATTEMPTS) {
            quarantine(key, contentKey, "failed " + attempts + " times; last: " + error, raw);
            return true;
        }
        LOG.warn("account {}: message {} refused ({} of {} attempts): {}", account, key, attempts, MAX_ATTEMPTS, error);
        problems.add("message " + key + " refused (attempt " + attempts + "): " + error);
        return false;
    }

    private void quarantine(InboundKey key, String contentKey, String reason, byte[] raw) {
        state.quarantine(key, contentKey, reason, raw);
        quarantined++;
        LOG.warn("account {}: message {} quarantined: {}", account, key, reason);
        problems.add("message " + key + " quarantined: " + reason);
    }

    /** Does the server-side action for a stored message; a failure leaves it stored, to be done on the next fetch. */
    private void ack(InboundKey key) {
        if (!actedOn.add(key)) {
            return; // tried once in this session already
        }
        try {
            session.apply(key.id(), options.action());
        } catch (MessagingException e) {
            LOG.warn("account {}: {} of message {} failed, retried on the next fetch: {}", account, options.action(), key, e.getMessage());
            problems.add(options.action() + " of message " + key + " failed: " + e.getMessage());
            return;
        }
        if (session.actsAtCommit()) {
            actedAtCommit.add(key);
        } else {
            state.acked(key);
            acknowledged++;
        }
    }

    // ---- Bounces and the local archive: a separate step of take(), configured on Inbound.Builder ----

    private Bounces.Hook bounces = Bounces.Hook.NONE;
    private boolean archiving;
    private String transport = "imap";
    private int bounced;

    /**
     * Sets the bounce handling and the archive.
     *
     * @param bounces recognises and records bounces ({@link Bounces.Hook#NONE}: bounces are handed over like any mail)
     * @param archiving {@code true} to keep each imported mail's raw bytes in the state's archive
     * @param transport the fetch protocol, lower case, for the delivery log
     * @return this
     */
    Pipeline extras(Bounces.Hook bounces, boolean archiving, String transport) {
        this.bounces = bounces;
        this.archiving = archiving;
        this.transport = transport;
        return this;
    }

    /**
     * Takes a bounce: stored and acknowledged like any mail, but never handed to the handler. The host's listener
     * runs first (if it fails, the mail is retried; so it hears a bounce at least once), then the mail is archived
     * and STORED, and only then is the bounce written to the delivery log (best effort, once).
     *
     * @param headerOnly {@code true} when only the header block was fetched (over the size limit)
     * @return empty if the mail is no bounce; else whether it is done ({@code false}: the listener failed, retried)
     */
    private Optional<Boolean> takeBounce(InboundKey key, String contentKey, byte[] raw, boolean headerOnly) {
        Optional<Bounce> bounce = bounces.classify(account, raw, headerOnly);
        if (bounce.isEmpty()) {
            return Optional.empty();
        }
        try {
            bounces.notifyListener(account, bounce.get());
        } catch (RuntimeException e) { // the host's bounce listener failed: retried like a failed handler
            return Optional.of(refused(key, contentKey, "bounce listener: " + e.getClass().getSimpleName() + ": " + e.getMessage(), raw));
        }
        archive(key, contentKey, raw);
        state.stored(key, contentKey);
        bounces.record(account, transport, bounce.get(), headerOnly);
        bounced++;
        ack(key);
        return Optional.of(true);
    }

    private void archive(InboundKey key, String contentKey, byte[] raw) {
        if (archiving) {
            state.archive(key, contentKey, raw); // before stored: a crash in between brings the mail again, archiving is idempotent
        }
    }
}
