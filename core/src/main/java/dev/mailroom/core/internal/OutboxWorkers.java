package dev.mailroom.core.internal;

import dev.mailroom.Account;
import dev.mailroom.AccountId;
import dev.mailroom.DeliveryLogEntry;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.core.DeliveryAttempt;
import dev.mailroom.spi.DeliveryLog;
import dev.mailroom.spi.OutboxRepository;
import dev.mailroom.spi.OutgoingMessage;
import dev.mailroom.spi.SendResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Delivers outbox entries: claims a batch under a lease, delivers the batch's accounts in parallel (each
 * account's mail in order, so a hanging server delays only its own account), renews the lease before a send
 * once part of it has passed and never sends an entry whose lease is lost, sends each with the bytes stored at
 * enqueue (no database transaction is open during a send), and classifies the outcome by the error's
 * category: sent; account problems (login, sender, TLS set-up, a 5xx greeting) hold the account with its
 * whole queue, no attempt counted and the mail's age paused; an unreachable or busy server (connection
 * category) defers the account's queue, no attempt counted, age running; transient and internal failures are
 * retried with exponential backoff and jitter up to the maximum age; ambiguous ones (the connection broke
 * after the final ".") retried with the same bytes and marked a possible duplicate; message and recipient
 * problems failed at once. Entries claimed but not sent when the outbox fails are released as soon as it
 * answers again. Every attempt lands in the delivery log. See ADR 005, 007 and 008.
 */
public final class OutboxWorkers implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OutboxWorkers.class);
    /** The largest message a worker reads together with the rest of its batch. */
    private static final int PREFETCH_LIMIT = 512 * 1024;

    /** A node-local hold on an account, so that messages of it already claimed are not tried either. */
    private record Hold(Instant until, String reason, MailErrorCode.Category cause) {
    }

    /** The outbox failed to record an outcome: the entry goes back once the outbox answers, unless it may have been sent. */
    private static final class StoreFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final boolean maybeSent;

        StoreFailed(RuntimeException cause, boolean maybeSent) {
            super(cause.toString(), cause, false, false);
            this.maybeSent = maybeSent;
        }
    }

    /**
     * Timing of retries, and of deleting finished entries older than {@code retention} and delivery log
     * entries older than {@code logRetention} ({@code null}: kept), when the workers start and then every
     * {@code purgeInterval}.
     */
    public record Settings(int threads, int batchSize, Duration lease, Duration pollInterval, Duration initialBackoff,
                           Duration maxBackoff, Duration maxAge, Duration accountPause, Duration retention, Duration logRetention,
                           Duration purgeInterval) {
    }

    /** Sends one stored message; implemented by the facade with its transports. */
    @FunctionalInterface
    public interface Sender {
        SendResult send(ResolvedAccount account, String transport, OutgoingMessage message);
    }

    private final OutboxRepository outbox;
    private final Resolver resolver;
    private final DeliveryLog log;
    private final Sender sender;
    private final Settings settings;
    private final Clock clock;
    private final Listeners listeners;
    private final Object wake = new Object();
    /** The workers of the current start, or {@code null} while stopped; guarded by {@code this}. */
    private Run run;
    private final ConcurrentMap<AccountId, Hold> holds = new ConcurrentHashMap<>();
    /** Consecutive connection failures per account on this node, for the backoff of mail whose attempts are not counted. */
    private final ConcurrentMap<AccountId, Integer> unreachable = new ConcurrentHashMap<>();
    /** When (System.nanoTime) finished entries are purged next; one worker of the node does it. */
    private final java.util.concurrent.atomic.AtomicLong nextPurge;
    /** The outbox writes a sent entry's log lines with its status (one store), instead of a batch at the end. */
    private final boolean logWithMark;
    /** Successes of the batch a worker thread is delivering, written when the batch is done. */
    private final ThreadLocal<List<DeliveryLogEntry>> successes = ThreadLocal.withInitial(java.util.ArrayList::new);

    /**
     * One start of the workers: their threads, the lane pool that delivers the other accounts of a claimed batch in
     * parallel with the worker's own first account, and the flag that stops exactly these threads.
     */
    private static final class Run {
        final AtomicBoolean running = new AtomicBoolean(true);
        final ExecutorService threads;
        final ThreadPoolExecutor lanes;

        Run(Settings settings) {
            AtomicInteger n = new AtomicInteger();
            this.threads = Executors.newFixedThreadPool(Math.max(1, settings.threads()), r -> {
                Thread t = new Thread(r, "mailroom-outbox-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            AtomicInteger l = new AtomicInteger();
            // At most (batch size - 1) other accounts per worker at a time; idle threads end after 30 s.
            this.lanes = new ThreadPoolExecutor(0, Math.max(1, settings.threads() * Math.max(1, settings.batchSize() - 1)), 30, TimeUnit.SECONDS,
                    new SynchronousQueue<>(), r -> {
                        Thread t = new Thread(r, "mailroom-outbox-lane-" + l.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    }, (task, pool) -> task.run()); // saturated or closing: the worker delivers that account itself, never drops it
        }
    }

    public OutboxWorkers(OutboxRepository outbox, Resolver resolver, DeliveryLog log, Sender sender,
                         Settings settings, Clock clock) {
        this(outbox, resolver, log, sender, settings, clock, Listeners.NONE);
        start();
    }

    /** Workers that start with {@link #start()}; the host's listeners hear of every attempt. */
    public OutboxWorkers(OutboxRepository outbox, Resolver resolver, DeliveryLog log, Sender sender,
                         Settings settings, Clock clock, Listeners listeners) {
        this.outbox = outbox;
        this.resolver = resolver;
        this.log = log;
        this.sender = sender;
        this.settings = settings;
        this.clock = clock;
        this.listeners = listeners;
        this.logWithMark = outbox.sharesTransactionsWith(log);
        this.nextPurge = new java.util.concurrent.atomic.AtomicLong(System.nanoTime()); // at start, then every interval
    }

    /** Starts the worker threads unless they run. Idempotent; after {@link #close()} they may start again. */
    public synchronized void start() {
        if (run != null) {
            return;
        }
        Run r = new Run(settings);
        run = r;
        for (int i = 0; i < settings.threads(); i++) {
            String worker = "mailroom-" + UUID.randomUUID();
            r.threads.execute(() -> loop(worker, r));
        }
    }

    /** @return whether the worker threads run */
    public synchronized boolean isRunning() {
        return run != null;
    }

    /**
     * Accounts or settings changed (on this node or another): what held an account may be fixed, so the
     * node's holds are dropped and held mail is due again. A still failing account is held again after one
     * attempt.
     */
    public void settingsChanged() {
        holds.clear();
        try {
            if (outbox.resumeHeld() > 0) {
                wake();
            }
        } catch (RuntimeException ex) {
            LOG.warn("releasing held outbox entries failed; they go out when their hold expires: {}", ex.toString());
        }
    }

    /** Deletes finished entries past the retention, once per interval and node, on the worker that gets there first. */
    private void purgeWhenDue(String worker) {
        long due = nextPurge.get();
        long now = System.nanoTime();
        if (now - due < 0 || !nextPurge.compareAndSet(due, now + settings.purgeInterval().toNanos())) {
            return;
        }
        try {
            int purged = outbox.purgeFinished(settings.retention());
            if (purged > 0) {
                LOG.info("outbox: deleted {} sent or failed entries finished more than {} ago", purged, settings.retention());
            }
        } catch (RuntimeException ex) {
            LOG.warn("outbox worker {}: deleting finished entries failed, trying again in {}: {}", worker, settings.purgeInterval(), ex.toString());
        }
        if (settings.logRetention() != null) {
            try {
                int purged = log.purgeOlderThan(settings.logRetention());
                if (purged > 0) {
                    LOG.info("delivery log: deleted {} entries older than {}", purged, settings.logRetention());
                }
            } catch (RuntimeException ex) {
                LOG.warn("outbox worker {}: deleting old delivery log entries failed, trying again in {}: {}", worker, settings.purgeInterval(),
                        ex.toString());
            }
        }
    }

    /** Wakes the workers at once (after an enqueue on this node). */
    public void wake() {
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    private void loop(String worker, Run r) {
        // Entries this worker claimed and knows it did not send, while the outbox could not take them back.
        Set<Long> unsent = ConcurrentHashMap.newKeySet();
        try {
            work(worker, unsent, r);
        } finally {
            if (!unsent.isEmpty()) { // closing: put back at once what was claimed and not tried, rather than after the lease
                boolean interrupted = Thread.interrupted();
                try {
                    release(worker, unsent);
                } catch (RuntimeException ex) {
                    LOG.warn("outbox worker {}: {} claimed but unsent mails go out after their lease: {}", worker, unsent.size(), ex.toString());
                } finally {
                    if (interrupted) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        }
    }

    private void work(String worker, Set<Long> unsent, Run r) {
        while (r.running.get()) {
            try {
                release(worker, unsent);
                long granted = System.nanoTime(); // the lease starts no earlier than this (database clock)
                List<OutboxRepository.Entry> batch = outbox.claim(worker, settings.batchSize(), settings.lease());
                batch.forEach(e -> unsent.add(e.id())); // should reading the payloads fail: nothing of the batch was sent
                // Small messages of the batch in one read (at most batch × 512 KiB in memory); large ones one by one.
                // A copy: the map is the repository's (the SPI default is immutable), and each payload is let go once sent.
                Map<Long, byte[]> payloads = batch.isEmpty() ? new java.util.HashMap<>()
                        : new java.util.HashMap<>(outbox.smallPayloads(batch.stream().map(OutboxRepository.Entry::id).toList(), PREFETCH_LIMIT));
                batch.forEach(e -> unsent.remove(e.id()));
                try {
                    deliverBatch(worker, batch, payloads, granted, unsent, r);
                } finally {
                    flushSuccesses();
                }
                purgeWhenDue(worker);
                if (batch.isEmpty()) {
                    synchronized (wake) {
                        wake.wait(settings.pollInterval().toMillis());
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warn("outbox worker {}: {}", worker, e.toString(), e);
                try {
                    Thread.sleep(settings.pollInterval().toMillis()); // back off from a failing database, do not spin
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Puts back, without counting an attempt or flagging a duplicate, what this worker claimed and did not send
     * while the outbox failed. Throws while the outbox still fails (the loop then backs off).
     */
    private void release(String worker, Set<Long> unsent) {
        if (unsent.isEmpty()) {
            return;
        }
        int released = 0;
        for (Long id : List.copyOf(unsent)) {
            if (outbox.markRetry(id, worker, Duration.ZERO, "released: claimed but not sent while the outbox was unreachable", false, false)) {
                released++;
            }
            unsent.remove(id);
        }
        LOG.info("outbox worker {}: the outbox answers again; {} claimed but unsent mails released", worker, released);
    }

    /**
     * Delivers a claimed batch: each account's mail in claim order, the accounts in parallel, so that a server
     * that hangs until the read timeout delays its own account only. Returns when every account is done.
     */
    private void deliverBatch(String worker, List<OutboxRepository.Entry> batch, Map<Long, byte[]> payloads, long granted, Set<Long> unsent,
                              Run r) throws InterruptedException {
        Map<AccountId, List<OutboxRepository.Entry>> byAccount = new LinkedHashMap<>();
        for (OutboxRepository.Entry e : batch) {
            byAccount.computeIfAbsent(e.accountId(), k -> new ArrayList<>()).add(e);
        }
        List<Future<?>> others = new ArrayList<>();
        List<OutboxRepository.Entry> own = null;
        for (List<OutboxRepository.Entry> group : byAccount.values()) {
            if (own == null) {
                own = group;
                continue;
            }
            Map<Long, byte[]> mine = new java.util.HashMap<>();
            for (OutboxRepository.Entry e : group) {
                byte[] p = payloads.remove(e.id());
                if (p != null) {
                    mine.put(e.id(), p);
                }
            }
            others.add(r.lanes.submit(() -> {
                try {
                    deliverAccount(worker, group, mine, granted, unsent, r.running);
                } finally {
                    flushSuccesses();
                }
            }));
        }
        try {
            if (own != null) {
                deliverAccount(worker, own, payloads, granted, unsent, r.running);
            }
        } finally {
            // Closing interrupts this worker: the lanes stop after their current send (each has finite timeouts) and
            // leave what they did not try in unsent, so the worker waits for them and releases it, unflagged.
            boolean interrupted = false;
            for (Future<?> f : others) {
                while (true) {
                    try {
                        f.get();
                        break;
                    } catch (ExecutionException ex) {
                        LOG.warn("outbox worker {}: {}", worker, ex.getCause().toString(), ex.getCause());
                        break;
                    } catch (InterruptedException ex) {
                        interrupted = true;
                    }
                }
            }
            if (interrupted) {
                throw new InterruptedException("closing");
            }
        }
    }

    /**
     * The time a send may take before its final request, given to transports as
     * {@link dev.mailroom.spi.TransportContext#sendBudget()}: half the lease. Before each send the lease is renewed
     * once a quarter of it has passed, so at least three quarters are left when a send starts; the budget leaves a
     * quarter for reading the payload and the final request (bounded by the read timeout), so that a send never
     * outlasts its entry's lease and another node never claims and sends it meanwhile.
     *
     * @param lease the outbox lease
     * @return the send budget
     */
    public static Duration sendBudget(Duration lease) {
        return lease.dividedBy(2);
    }

    /**
     * One account's entries of a batch, in order. Before a send, once a quarter of the lease has passed since it
     * was granted, the lease of the entries not yet sent is renewed; an entry whose lease is lost is not sent
     * (another worker may have it). When the outbox fails, the rest is left for {@link #release}.
     */
    private void deliverAccount(String worker, List<OutboxRepository.Entry> group, Map<Long, byte[]> payloads, long granted,
                                Set<Long> unsent, AtomicBoolean running) {
        long leaseNanos = settings.lease().toNanos();
        Set<Long> lost = new java.util.HashSet<>();
        for (int i = 0; i < group.size(); i++) {
            OutboxRepository.Entry e = group.get(i);
            List<Long> rest = group.subList(i, group.size()).stream().map(OutboxRepository.Entry::id).filter(id -> !lost.contains(id)).toList();
            if (lost.contains(e.id())) {
                continue;
            }
            if (!running.get()) { // closing: what was not tried goes back at once
                unsent.addAll(rest);
                return;
            }
            if (System.nanoTime() - granted > leaseNanos / 4) {
                long renewing = System.nanoTime();
                List<Long> held;
                try {
                    held = outbox.renew(worker, rest, settings.lease());
                } catch (RuntimeException ex) {
                    LOG.warn("outbox worker {}: renewing the lease failed, {} mails wait until the outbox answers: {}", worker, rest.size(), ex.toString());
                    unsent.addAll(rest);
                    return;
                }
                granted = renewing;
                for (long id : rest) {
                    if (!held.contains(id)) {
                        lost.add(id);
                        // Not sent by this worker: put back unflagged (a no-op if another worker has claimed it meanwhile).
                        unsent.add(id);
                    }
                }
                if (lost.contains(e.id())) {
                    LOG.warn("outbox entry {}: the lease expired before it was sent; not sending it (another worker may have it)", e.id());
                    continue;
                }
            }
            try {
                deliver(worker, e, payloads.remove(e.id()));
            } catch (StoreFailed ex) {
                if (!ex.maybeSent) {
                    unsent.add(e.id());
                }
                List<Long> after = group.subList(i + 1, group.size()).stream().map(OutboxRepository.Entry::id).filter(id -> !lost.contains(id)).toList();
                unsent.addAll(after);
                LOG.warn("outbox worker {}: recording the outcome of entry {} failed; {} mails wait until the outbox answers: {}", worker, e.id(),
                        after.size() + (ex.maybeSent ? 0 : 1), ex.getMessage());
                return;
            }
        }
    }

    /** Calls the outbox; a failure becomes {@link StoreFailed}, saying whether the entry may have been sent. */
    private static <T> T store(java.util.function.Supplier<T> call, boolean maybeSent) {
        try {
            return call.get();
        } catch (RuntimeException ex) {
            throw new StoreFailed(ex, maybeSent);
        }
    }

    /** An entry's age for the maximum age: the store's (its clock, held time left out), else measured from its creation. */
    private boolean tooOld(OutboxRepository.Entry e) {
        Duration age = e.age() != null ? e.age() : Duration.between(e.createdAt(), clock.instant());
        return age.compareTo(settings.maxAge()) > 0;
    }

    void deliver(String worker, OutboxRepository.Entry e, byte[] prefetched) {
        Hold hold = holds.get(e.accountId());
        if (hold != null) {
            Duration left = Duration.between(clock.instant(), hold.until());
            if (!left.isNegative() && !left.isZero()) { // not an attempt: nothing is sent, nothing logged, no budget used
                store(() -> outbox.markHeld(e.id(), worker, left, hold.reason(), hold.cause()), false);
                return;
            }
            holds.remove(e.accountId(), hold);
        }
        String address = null;
        SendResult result;
        long t0 = System.nanoTime();
        try {
            Resolver.Stored stored = resolver.stored(e.accountId());
            Account account = stored.account();
            if (account == null) {
                throw new MailException(MailErrorCode.NO_ACCOUNT, "account " + e.accountId() + " no longer exists");
            }
            address = account.email().address();
            // The administrator's switches apply to queued mail too: it waits (budget kept) instead of going out.
            if (!stored.mailEnabled()) {
                throw new MailException(MailErrorCode.MAIL_DISABLED, "mail is disabled: the system-wide mail server is switched off");
            }
            if (!account.enabled()) {
                throw new MailException(MailErrorCode.ACCOUNT_DISABLED, "account '" + account.description() + "' (" + address + ") is disabled");
            }
            ResolvedAccount resolved = stored.resolved();
            // A large message is read as a stream into a spool file, and sent from there (ADR 009): never whole in the heap.
            try (Spool spool = prefetched != null ? null : spool(e)) {
                // The stored bytes go to the transport as they are: no parsing, no copy (ADR 014).
                OutgoingMessage.Builder message = OutgoingMessage.builder(e.messageId(), e.envelopeFrom(), e.recipients())
                        .smtpUtf8(e.smtpUtf8()).partialDelivery(true).copyToSent(!e.partlySent());
                if (spool == null) {
                    message.content(prefetched);
                } else {
                    message.content(spool::writeTo).exactSize(spool.size());
                }
                // Partial delivery: recipients the server refuses are kept apart from those it took (issue #4).
                // A retry for deferred recipients: the others got it, and the Sent copy was made then.
                result = sender.send(resolved, e.transport(), message.build());
            }
        } catch (MailException ex) {
            attempted(e, handle(worker, e, address, ex), ex.code(), t0);
            return;
        } catch (RuntimeException ex) {
            MailException internal = new MailException(MailErrorCode.INTERNAL, "delivery failed: " + ex, null, null, List.of(), ex);
            attempted(e, handle(worker, e, address, internal), MailErrorCode.INTERNAL, t0);
            return;
        }
        // Sent: from here on nothing may count it as failed. Should recording fail (the database is gone),
        // the entry stays in flight and is sent again after its lease, marked as a possible duplicate.
        long t1 = System.nanoTime();
        try {
            delivered(worker, e, address, result);
        } finally {
            listeners.attempted(new DeliveryAttempt(e.operation(), e.accountId(), e.transport(), DeliveryAttempt.Outcome.SENT, null,
                    Duration.ofNanos(t1 - t0), true));
        }
    }

    /** Tells the listeners of a failed attempt ({@code outcome} null: it was no attempt). */
    private void attempted(OutboxRepository.Entry e, DeliveryAttempt.Outcome outcome, MailErrorCode code, long t0) {
        if (outcome != null) {
            listeners.attempted(new DeliveryAttempt(e.operation(), e.accountId(), e.transport(), outcome, code,
                    Duration.ofNanos(System.nanoTime() - t0), true));
        }
    }

    /**
     * Reads a stored message into a spool (ADR 009). The store or the spool's disk failing is temporary:
     * retried ({@code STORE_FAILED}), never a reason to give the mail up.
     */
    private Spool spool(OutboxRepository.Entry e) {
        try {
            return Spool.copyOf(outbox.openPayload(e.id()), Spool.MEMORY_THRESHOLD);
        } catch (java.io.UncheckedIOException | IllegalStateException ex) {
            throw new MailException(MailErrorCode.STORE_FAILED, "cannot read the stored message of outbox entry " + e.id() + ": "
                    + ex.getMessage(), null, null, List.of(), ex);
        }
    }

    /**
     * The server took the message, perhaps not for every recipient: refused ones are logged and not retried,
     * deferred ones (4xx) go back to the queue on their own, with the same bytes.
     */
    private void delivered(String worker, OutboxRepository.Entry e, String address, SendResult result) {
        String attempt = "attempt " + (e.attempts() + 1) + (e.possibleDuplicate() ? ", possible duplicate of an earlier attempt" : "");
        List<SendResult.RefusedRecipient> deferred = result.refused().stream().filter(SendResult.RefusedRecipient::temporary).toList();
        for (SendResult.RefusedRecipient r : result.refused()) {
            if (!r.temporary()) {
                record(e, address, DeliveryLogEntry.Outcome.FAILURE, MailErrorCode.RECIPIENT_REJECTED, r.reply(),
                        "recipient " + r.address().address() + " refused permanently, not retried; the other recipients got the message");
            }
        }
        unreachable.remove(e.accountId());
        String to = result.refused().isEmpty() ? "" : " to " + result.accepted().size() + " of " + e.recipients().size() + " recipients";
        boolean tooOld = tooOld(e);
        if (deferred.isEmpty() || tooOld) {
            List<DeliveryLogEntry> entries = new java.util.ArrayList<>();
            entries.add(entry(e, address, DeliveryLogEntry.Outcome.SUCCESS, null, result.serverReply(), "sent" + to + " (" + attempt + ")"));
            for (SendResult.RefusedRecipient r : deferred) {
                entries.add(entry(e, address, DeliveryLogEntry.Outcome.FAILURE, MailErrorCode.TEMPORARY_FAILURE, r.reply(),
                        "recipient " + r.address().address() + " still deferred after " + settings.maxAge() + ": gave up"));
            }
            boolean held;
            if (logWithMark) { // status and log lines in one transaction: a crash cannot separate them
                try {
                    held = outbox.markSent(e.id(), worker, entries);
                } catch (RuntimeException ex) { // e.g. the log table refuses a line: the status matters more
                    LOG.warn("storing outbox entry {} as sent with its log lines failed ({}); storing the status alone", e.id(), ex.toString());
                    entries.forEach(this::log);
                    held = store(() -> outbox.markSent(e.id(), worker), true);
                }
            } else {
                entries.forEach(this::record);
                held = store(() -> outbox.markSent(e.id(), worker), true);
            }
            if (!held) {
                LOG.warn("outbox entry {} was sent, but its lease had expired: another node may send it again", e.id());
            }
            return;
        }
        Duration delay = backoff(e.attempts() + 1);
        String error = deferred.stream().map(r -> r.address().address() + ": " + r.reply()).collect(java.util.stream.Collectors.joining("; "));
        record(e, address, DeliveryLogEntry.Outcome.SUCCESS, null, result.serverReply(), "sent" + to + " (" + attempt + ")");
        for (SendResult.RefusedRecipient r : deferred) {
            record(e, address, DeliveryLogEntry.Outcome.FAILURE, MailErrorCode.TEMPORARY_FAILURE, r.reply(),
                    "recipient " + r.address().address() + " deferred: retry in " + delay + " for this recipient only");
        }
        if (!store(() -> outbox.markPartial(e.id(), worker, deferred.stream().map(SendResult.RefusedRecipient::address).toList(), delay,
                "deferred recipients: " + error), true)) {
            LOG.warn("outbox entry {} was sent in part, but its lease had expired: another node may send it again", e.id());
        }
    }

    /**
     * Decides by the failure's category. The log line is written before the entry's status, so that a failure is
     * in the error log even when the outbox then fails to record it (the entry is then released and tried again).
     */
    private DeliveryAttempt.Outcome handle(String worker, OutboxRepository.Entry e, String address, MailException ex) {
        MailErrorCode code = ex.code();
        MailErrorCode.Category category = code.category();
        String error = code + ": " + ex.getMessage() + ex.serverReply().map(r -> " [server: " + r + "]").orElse("");
        String reply = ex.serverReply().orElse(null);
        if (code == MailErrorCode.POOL_EXHAUSTED) {
            // Not an attempt: this node's connections of the account were all busy (direct sends share them).
            // Nothing was sent, so nothing is logged and no budget is used; it goes again after the first backoff.
            store(() -> outbox.markRetry(e.id(), worker, settings.initialBackoff(), error, false, false), false);
            LOG.debug("outbox entry {}: {}", e.id(), error);
            return null;
        }
        boolean ambiguous = category == MailErrorCode.Category.AMBIGUOUS;
        if (tooOld(e) || code == MailErrorCode.NO_ACCOUNT) {
            record(e, address, DeliveryLogEntry.Outcome.FAILURE, code, reply,
                    code == MailErrorCode.NO_ACCOUNT ? "the account no longer exists: not retried" : "gave up after " + settings.maxAge());
            store(() -> outbox.markFailed(e.id(), worker, error), ambiguous);
            return DeliveryAttempt.Outcome.FAILED;
        }
        switch (category) {
            case AMBIGUOUS -> {
                // A server that drops the connection or stops answering after the data is not healthy: the account's other
                // mail waits for the backoff too, instead of costing a read timeout each (its age runs on).
                Duration delay = backoff(e.attempts() + 1);
                int held = holdAccount(e, delay, error, MailErrorCode.Category.CONNECTION);
                record(e, address, DeliveryLogEntry.Outcome.FAILURE, code, reply, "will retry with the same bytes in " + delay
                        + "; possible duplicate; " + held + " other queued mail of the account deferred as long");
                store(() -> outbox.markRetry(e.id(), worker, delay, error, true, true), true);
                return DeliveryAttempt.Outcome.DEFERRED;
            }
            case ACCOUNT, AUTHENTICATION -> {
                // Someone must fix the account: its queue waits, without using up the retry budget or the maximum age.
                int held = holdAccount(e, settings.accountPause(), error, category);
                record(e, address, DeliveryLogEntry.Outcome.FAILURE, code, reply,
                        "account problem: paused for " + settings.accountPause() + " with " + held + " other queued mail, retry budget kept");
                store(() -> outbox.markHeld(e.id(), worker, settings.accountPause(), error, category), false);
                return DeliveryAttempt.Outcome.HELD;
            }
            case CONNECTION -> {
                // The server is unreachable, busy or hung up before the message was handed over: not an attempt of this
                // mail (its age runs on). The account's queue waits as long, with a backoff that grows while it lasts.
                int streak = unreachable.merge(e.accountId(), 1, Integer::sum);
                Duration delay = serverDelay(ex, backoff(Math.max(streak, e.attempts() + 1)));
                int held = holdAccount(e, delay, error, category);
                record(e, address, DeliveryLogEntry.Outcome.FAILURE, code, reply,
                        "server unavailable, not counted as an attempt: retry in " + delay + "; " + held + " other queued mail of the account deferred as long");
                store(() -> outbox.markRetry(e.id(), worker, delay, error, false, false), false);
                return DeliveryAttempt.Outcome.DEFERRED;
            }
            case TEMPORARY, INTERNAL -> {
                Duration delay = serverDelay(ex, backoff(e.attempts() + 1));
                String detail = "transient: retry in " + delay;
                if (ex.retryAfter().isPresent() || ex.serverReply().filter(r -> r.startsWith("421")).isPresent()) {
                    // The account's server is closing sessions or throttling: its other mail waits as long, untried.
                    detail += "; " + holdAccount(e, delay, error, category) + " other queued mail of the account deferred as long";
                }
                record(e, address, DeliveryLogEntry.Outcome.FAILURE, code, reply, detail);
                store(() -> outbox.markRetry(e.id(), worker, delay, error, true, false), false);
                return DeliveryAttempt.Outcome.DEFERRED;
            }
            default -> { // MESSAGE, RECIPIENT: this message cannot go as it is
                record(e, address, DeliveryLogEntry.Outcome.FAILURE, code, reply, "permanent failure, not retried");
                store(() -> outbox.markFailed(e.id(), worker, error), false);
                return DeliveryAttempt.Outcome.FAILED;
            }
        }
    }

    /** The backoff, or the server's Retry-After when later: never earlier than the server said. */
    private static Duration serverDelay(MailException ex, Duration backoff) {
        return ex.retryAfter().filter(after -> after.compareTo(backoff) > 0).orElse(backoff);
    }

    /**
     * Holds an account on this node and defers its queued mail on every node, so that a failing account takes
     * at most one attempt per worker per hold and never occupies the workers other accounts need.
     */
    private int holdAccount(OutboxRepository.Entry e, Duration delay, String error, MailErrorCode.Category cause) {
        holds.put(e.accountId(), new Hold(clock.instant().plus(delay), "held: " + error, cause));
        try {
            return outbox.postpone(e.accountId(), delay, "held: " + error, cause);
        } catch (RuntimeException ex) {
            LOG.warn("deferring the queue of account {} failed: {}", e.accountId(), ex.toString());
            return 0;
        }
    }

    /** Exponential backoff with jitter: initial × 2^(n-1), capped, then 50–100 % of it. */
    Duration backoff(int attempt) {
        long base = settings.initialBackoff().toMillis();
        long capped = Math.min(settings.maxBackoff().toMillis(), base << Math.min(30, Math.max(0, attempt - 1)));
        return Duration.ofMillis(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
    }

    private void record(OutboxRepository.Entry e, String address, DeliveryLogEntry.Outcome outcome, MailErrorCode code, String reply,
                        String detail) {
        record(entry(e, address, outcome, code, reply, detail));
    }

    private DeliveryLogEntry entry(OutboxRepository.Entry e, String address, DeliveryLogEntry.Outcome outcome, MailErrorCode code, String reply,
                                   String detail) {
        return new DeliveryLogEntry(clock.instant(), e.accountId(), address, e.tenant(), e.operation(), outcome, code, reply, e.messageId(),
                e.transport(), detail);
    }

    /**
     * Failures are logged at once (the error log must never miss one). Successes, where the outbox cannot
     * write them with the entry's status ({@link OutboxRepository#sharesTransactionsWith}), are written together at the end
     * of the claimed batch, one commit for up to a batch of entries.
     */
    private void record(DeliveryLogEntry entry) {
        if (entry.outcome() == DeliveryLogEntry.Outcome.SUCCESS && !logWithMark) {
            successes.get().add(entry);
            return;
        }
        log(entry);
    }

    /** Writes one entry at once; a failing log never stops delivery. */
    private void log(DeliveryLogEntry entry) {
        try {
            log.record(entry);
        } catch (RuntimeException ex) {
            LOG.error("recording a delivery log entry failed", ex);
        }
    }

    private void flushSuccesses() {
        List<DeliveryLogEntry> pending = successes.get();
        if (pending.isEmpty()) {
            return;
        }
        try {
            log.recordAll(List.copyOf(pending));
        } catch (RuntimeException ex) {
            LOG.error("recording {} delivery log entries failed", pending.size(), ex);
        } finally {
            pending.clear();
        }
    }

    /**
     * Stops the workers: sends in progress finish (finite timeouts), mail claimed but not tried goes back at once,
     * unflagged. Returns when they stopped, or after 30 s. Idempotent; {@link #start()} may start them again.
     */
    @Override
    public void close() {
        Run r;
        synchronized (this) {
            r = run;
            run = null;
        }
        if (r == null) {
            return;
        }
        r.running.set(false);
        wake();
        r.threads.shutdownNow(); // wakes waiting workers; a send in progress finishes (finite timeouts)
        r.lanes.shutdown();      // lanes finish their current send and leave the rest to their worker to release
        try {
            if (!r.threads.awaitTermination(30, TimeUnit.SECONDS) || !r.lanes.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("outbox workers did not stop within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
