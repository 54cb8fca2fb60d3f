package dev.mailroom.inbound;

import dev.mailroom.AccountId;
import dev.mailroom.DeliveryLogEntry;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.spi.DeliveryLog;
import dev.mailroom.spi.InboundStateRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Fetches every registered account on its own schedule: every 60 s by default with ±10 % jitter, doubling the
 * wait after each failure (up to 32 times the interval), each account as its own task so that one broken account
 * never holds up another. Before each fetch the node takes the account's lease in the {@link InboundStateRepository}
 * (judged on the store's clock) and renews it during a long fetch, so exactly one node fetches an account at a time
 * when several share the store.
 * {@link #status} reports each account's health (OK, DEGRADED, AUTH_REQUIRED, DISABLED) with the server's reply, and
 * a {@linkplain Builder#deliveryLog delivery log} records failed fetches and fetches that took or refused mail.
 *
 * <p><b>Lifecycle and threading.</b> {@link #start()} schedules the first fetch of each account within one interval;
 * {@link #close()} stops scheduling, lets running fetches finish (up to 10 s, then interrupts them) and returns once
 * they released their leases. A poller is not restarted: build a new one (it holds its leases under a new owner
 * token, so that a fetch of the old one still ending can neither release nor renew the new one's). Thread-safe.
 * Fetches run on the poller's own threads ({@link Builder#threads}); a fetch that hangs is bounded by the context's
 * timeouts.
 *
 * <pre>{@code
 * InboundPoller poller = InboundPoller.builder(inbound, jdbcStore.inbound())
 *         .account(AccountId.of("support"), () -> mailroom.accounts().resolvedForConnection(AccountId.of("support")), FetchOptions.defaults())
 *         .build();
 * poller.start();
 * }</pre>
 */
public final class InboundPoller implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InboundPoller.class);
    private static final int MAX_BACKOFF_FACTOR = 32;
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(10);
    private static final DeliveryLog NO_LOG = new DeliveryLog() {
        @Override
        public void record(DeliveryLogEntry entry) {
        }

        @Override
        public java.util.List<DeliveryLogEntry> query(dev.mailroom.DeliveryLogQuery query) {
            return java.util.List.of();
        }
    };

    private record Job(AccountId id, Supplier<ResolvedAccount> account, FetchOptions options) {
    }

    private final Inbound inbound;
    private final InboundStateRepository state;
    private final String node;
    /** The lease owner: the node name and a suffix of this poller, so that a fetch of an earlier poller of the same node never releases or renews this one's lease. */
    private final String owner;
    private final Duration interval;
    private final Duration lease;
    private final Clock clock;
    private final DeliveryLog log;
    private final java.util.List<java.util.function.Consumer<FetchReport>> reports;
    private final Map<AccountId, Job> jobs;
    private final Map<AccountId, FetchStatus> statuses = new ConcurrentHashMap<>();
    private final java.util.concurrent.ScheduledThreadPoolExecutor executor;
    private final boolean idle;
    private final java.util.Set<AccountId> running = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private InboundPoller(Builder b) {
        this.inbound = b.inbound;
        this.state = b.state;
        this.node = b.node;
        this.owner = b.node + "#" + UUID.randomUUID().toString().substring(0, 8);
        this.interval = b.interval;
        this.lease = b.lease;
        this.clock = b.clock;
        this.log = b.log;
        this.reports = java.util.List.copyOf(b.reports);
        this.jobs = Map.copyOf(b.jobs);
        this.idle = b.idle;
        for (AccountId id : jobs.keySet()) {
            statuses.put(id, new FetchStatus(id, FetchStatus.Health.OK, Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.empty(), 0, Optional.empty()));
        }
        this.executor = new java.util.concurrent.ScheduledThreadPoolExecutor(b.threads, r -> {
            Thread t = new Thread(r, "mailroom-inbound-poller");
            t.setDaemon(true);
            return t;
        });
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false); // close(): fetches not yet begun never start
        executor.setRemoveOnCancelPolicy(true);
    }

    /**
     * Starts a builder.
     *
     * @param inbound the fetcher
     * @param state the state store holding the fetch leases (the same the fetcher uses)
     * @return the builder
     */
    public static Builder builder(Inbound inbound, InboundStateRepository state) {
        return new Builder(Objects.requireNonNull(inbound, "inbound"), Objects.requireNonNull(state, "state"));
    }

    /** Schedules each account's first fetch at a random point within one interval. Call once. */
    public void start() {
        for (Job job : jobs.values()) {
            schedule(job, Duration.ofMillis(ThreadLocalRandom.current().nextLong(Math.max(1, interval.toMillis()))));
        }
        if (idle) {
            startIdleWatchers();
        }
    }

    /**
     * Fetches one account now, on the caller's thread, if this node can take its lease.
     *
     * @param account a registered account
     * @return the report, or empty if another node holds the lease or the account is disabled
     * @throws MailException when the fetch fails (the status records it too)
     */
    public Optional<FetchReport> fetchNow(AccountId account) {
        Job job = jobs.get(Objects.requireNonNull(account, "account"));
        if (job == null) {
            throw new IllegalArgumentException("account " + account + " is not registered with this poller: add it with account(...)");
        }
        return run(job);
    }

    /**
     * Reads an account's health.
     *
     * @param account a registered account
     * @return its status
     */
    public FetchStatus status(AccountId account) {
        FetchStatus s = statuses.get(Objects.requireNonNull(account, "account"));
        if (s == null) {
            throw new IllegalArgumentException("account " + account + " is not registered with this poller");
        }
        return s;
    }

    /**
     * The wait before the next fetch: the interval after a success, doubled for each failure in a row up to 32 times
     * the interval, then ±10 % jitter so that nodes and accounts do not poll in lockstep.
     *
     * @param interval the poll interval
     * @param failures failed fetches in a row
     * @param random a number in [0, 1) for the jitter
     * @return the wait
     */
    static Duration delay(Duration interval, int failures, double random) {
        long factor = Math.min(MAX_BACKOFF_FACTOR, 1L << Math.min(failures, 10));
        double jitter = 0.9 + 0.2 * random;
        return Duration.ofMillis(Math.round(interval.toMillis() * factor * jitter));
    }

    private void schedule(Job job, Duration wait) {
        if (closed) {
            return;
        }
        statuses.computeIfPresent(job.id(), (k, s) -> new FetchStatus(k, s.health(), s.lastReport(), s.lastErrorCode(), s.lastError(),
                s.serverReply(), s.consecutiveFailures(), Optional.of(clock.instant().plus(wait))));
        try {
            executor.schedule(() -> {
                try {
                    run(job);
                } catch (RuntimeException e) {
                    // recorded in the status by run(); the schedule goes on
                } finally {
                    schedule(job, delay(interval, statuses.get(job.id()).consecutiveFailures(), ThreadLocalRandom.current().nextDouble()));
                }
            }, wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed meanwhile: no further fetch
        }
    }

    private Optional<FetchReport> run(Job job) {
        ResolvedAccount account;
        try {
            account = job.account().get();
        } catch (RuntimeException e) {
            fail(job.id(), e);
            throw e;
        }
        if (!account.account().enabled()) {
            statuses.put(job.id(), new FetchStatus(job.id(), FetchStatus.Health.DISABLED, Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty(), 0, Optional.empty()));
            return Optional.empty();
        }
        if (!running.add(job.id())) {
            return Optional.empty(); // this node fetches the account already (an IDLE wake-up met the schedule)
        }
        try {
            return leased(job, account);
        } finally {
            running.remove(job.id());
        }
    }

    private Optional<FetchReport> leased(Job job, ResolvedAccount account) {
        if (!state.tryLease(job.id(), owner, lease)) {
            fetchedHere.remove(job.id()); // another node fetches this account now, and its watcher wakes it
            return Optional.empty();
        }
        fetchedHere.add(job.id());
        try {
            FetchReport report = inbound.fetch(account, job.options(), renewer(job.id()));
            purgeArchiveHourly(job.id());
            statuses.put(job.id(), new FetchStatus(job.id(), FetchStatus.Health.OK, Optional.of(report), Optional.empty(), Optional.empty(),
                    Optional.empty(), 0, Optional.empty()));
            if (report.imported() + report.failed() + report.quarantined() + report.duplicates() + report.bounces() > 0 || !report.problems().isEmpty()) {
                record(account, DeliveryLogEntry.Outcome.SUCCESS, null, null, summary(report));
            }
            report(report);
            return Optional.of(report);
        } catch (RuntimeException e) {
            fail(job.id(), e);
            record(account, DeliveryLogEntry.Outcome.FAILURE, e instanceof MailException me ? me.code() : MailErrorCode.INTERNAL,
                    e instanceof MailException me ? me.serverReply().orElse(null) : null, String.valueOf(e.getMessage()));
            throw e;
        } finally {
            state.releaseLease(job.id(), owner);
        }
    }

    // ---- IMAP IDLE: one watcher thread per account that only wakes the normal fetch early ----

    private final java.util.List<Thread> idleThreads = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.Set<dev.mailroom.inbound.internal.MailboxSession> idleSessions = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.CountDownLatch closing = new java.util.concurrent.CountDownLatch(1);
    /** Accounts whose last fetch attempt on this node got the lease: only these are watched here. */
    private final java.util.Set<AccountId> fetchedHere = ConcurrentHashMap.newKeySet();
    /** Ends each IDLE window; its own thread, so that a busy fetch executor never delays it. */
    private volatile ScheduledExecutorService idleTimer;

    private void startIdleWatchers() {
        idleTimer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mailroom-inbound-idle-timer");
            t.setDaemon(true);
            return t;
        });
        for (Job job : jobs.values()) {
            Thread t = new Thread(() -> watch(job), "mailroom-inbound-idle-" + job.id().value());
            t.setDaemon(true);
            idleThreads.add(t);
            t.start();
        }
    }

    /**
     * Watches one account with IDLE while this node's last fetch of it got the lease. The watcher never takes or
     * releases the fetch lease itself: it only wakes the normal leased fetch, so a closed or dead watcher never keeps
     * other nodes from fetching.
     */
    private void watch(Job job) {
        while (!closed) {
            try {
                ResolvedAccount account = job.account().get();
                if (!account.account().enabled() || account.fetching().protocol() != dev.mailroom.FetchSettings.Protocol.IMAP
                        || !fetchedHere.contains(job.id())) {
                    if (!pause()) {
                        return;
                    }
                    continue; // disabled, POP3, or another node fetches (and watches) this account
                }
                try (dev.mailroom.inbound.internal.MailboxSession s = inbound.openForIdle(account, job.options())) {
                    idleSessions.add(s);
                    try {
                        if (closed) {
                            return;
                        }
                        if (!(s instanceof dev.mailroom.inbound.internal.ImapSession imap) || !imap.offersIdle()) {
                            LOG.info("account {}: the server does not offer IDLE; fetching on the schedule only", job.id());
                            return;
                        }
                        long window = inbound.idleWindow().toMillis();
                        ScheduledExecutorService timer = idleTimer;
                        // a node whose fetch found the lease taken by another node stops watching after this window
                        while (!closed && fetchedHere.contains(job.id())) {
                            if (imap.idle(task -> timer.schedule(task, window, TimeUnit.MILLISECONDS)) && !closed) {
                                executor.execute(() -> wake(job));
                            }
                        }
                    } finally {
                        idleSessions.remove(s);
                    }
                }
            } catch (RuntimeException | jakarta.mail.MessagingException e) {
                if (!closed) {
                    LOG.debug("account {}: IDLE ended ({}); watching again after a pause", job.id(), e.getMessage());
                    if (!pause()) {
                        return;
                    }
                }
            }
        }
    }

    private void wake(Job job) {
        try {
            run(job);
        } catch (RuntimeException e) {
            // recorded in the status by run(); the schedule goes on
        }
    }

    /** Waits up to the interval (at most 30 s) or until close; {@code false} if this watcher was interrupted. */
    private boolean pause() {
        try {
            closing.await(Math.min(interval.toMillis(), 30_000), TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // ends this watcher only; the poller goes on fetching on its schedule
            return false;
        }
    }

    private void stopIdleWatchers() {
        closing.countDown();
        for (dev.mailroom.inbound.internal.MailboxSession s : idleSessions) {
            s.close(); // ends a waiting IDLE: the watcher sees the closed connection
        }
        for (Thread t : idleThreads) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        ScheduledExecutorService timer = idleTimer;
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    private final Map<AccountId, Instant> archivePurged = new ConcurrentHashMap<>();

    /** Purges the account's local archive after a fetch, at most once an hour; a failure is logged, the fetch stands. */
    private void purgeArchiveHourly(AccountId id) {
        Instant now = clock.instant();
        Instant last = archivePurged.get(id);
        if (last != null && Duration.between(last, now).compareTo(Duration.ofHours(1)) < 0) {
            return;
        }
        archivePurged.put(id, now);
        try {
            int n = inbound.purgeArchive(id);
            if (n > 0) {
                LOG.info("account {}: deleted {} archived mails past their retention", id, n);
            }
        } catch (RuntimeException e) {
            LOG.warn("account {}: purging the local archive failed: {}", id, e.getMessage());
        }
    }

    /** Renews the lease after a message once a third of it has passed; aborts the fetch if another node took it meanwhile. */
    private Runnable renewer(AccountId id) {
        Instant[] renewed = {clock.instant()};
        return () -> {
            Instant now = clock.instant();
            if (Duration.between(renewed[0], now).compareTo(lease.dividedBy(3)) >= 0) {
                if (!state.tryLease(id, owner, lease)) {
                    throw new IllegalStateException("account " + id + ": node " + node + " lost its fetch lease to another node; this"
                            + " fetch stops after the current message (nothing is lost: the other node goes on)");
                }
                renewed[0] = now;
            }
        };
    }

    /** Hands a report to each listener in turn; a listener's failure is logged and neither fails the fetch nor skips the others. */
    private void report(FetchReport report) {
        for (java.util.function.Consumer<FetchReport> listener : reports) {
            try {
                listener.accept(report);
            } catch (RuntimeException e) {
                LOG.warn("a fetch report listener failed for account {}: {}", report.account(), e.toString());
            }
        }
    }

    private static String summary(FetchReport r) {
        String s = "imported " + r.imported() + ", duplicates " + r.duplicates() + ", acknowledged " + r.acknowledged() + ", refused "
                + r.failed() + ", quarantined " + r.quarantined() + ", truncated " + r.truncated()
                + (r.bounces() > 0 ? ", bounces " + r.bounces() : "")
                + (r.uidValidityChanged() ? ", UIDVALIDITY changed" : "") + (r.problems().isEmpty() ? "" : "; " + String.join("; ", r.problems()));
        return s.length() <= 2000 ? s : s.substring(0, 2000);
    }

    private void record(ResolvedAccount account, DeliveryLogEntry.Outcome outcome, MailErrorCode code, String reply, String detail) {
        try {
            log.record(new DeliveryLogEntry(clock.instant(), account.id(), account.account().email().address(), null,
                    DeliveryLogEntry.Operation.FETCH, outcome, code, reply, null,
                    account.fetching().protocol().name().toLowerCase(java.util.Locale.ROOT), detail));
        } catch (RuntimeException e) {
            LOG.warn("recording the fetch of account {} in the delivery log failed: {}", account.id(), e.getMessage());
        }
    }

    private void fail(AccountId id, RuntimeException e) {
        FetchStatus before = statuses.get(id);
        Optional<MailErrorCode> code = e instanceof MailException me ? Optional.of(me.code()) : Optional.empty();
        boolean auth = code.map(c -> c.category() == MailErrorCode.Category.AUTHENTICATION).orElse(false);
        Optional<String> reply = e instanceof MailException me ? me.serverReply() : Optional.empty();
        statuses.put(id, new FetchStatus(id, auth ? FetchStatus.Health.AUTH_REQUIRED : FetchStatus.Health.DEGRADED,
                before.lastReport(), code, Optional.ofNullable(e.getMessage()), reply, before.consecutiveFailures() + 1, Optional.empty()));
        LOG.warn("fetching account {} failed ({} in a row): {}", id, before.consecutiveFailures() + 1, e.getMessage());
    }

    /**
     * Stops gracefully: no new fetch starts, fetches already running get up to 10 s to finish (each one stores or
     * leaves every mail and releases its lease when it ends); only then are the fetches still running interrupted,
     * and given 5 s more. Returns when the poller's threads have ended, or when that time is up; a fetch still running
     * then (stuck in a blocking call) keeps its lease until the lease runs out, so that no other fetch of the account
     * overlaps it. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        stopIdleWatchers();
        executor.shutdown(); // scheduled fetches are dropped; running ones go on
        try {
            if (!executor.awaitTermination(CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("inbound poller {}: fetches still running after {}; interrupting them", node, CLOSE_GRACE);
                executor.shutdownNow();
                if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                    LOG.warn("inbound poller {}: a fetch did not stop; its lease is held until it runs out", node);
                }
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** Configures an {@link InboundPoller}; not thread-safe. */
    public static final class Builder {
        private final Inbound inbound;
        private final InboundStateRepository state;
        private final Map<AccountId, Job> jobs = new LinkedHashMap<>();
        private String node = "node-" + UUID.randomUUID();
        private Duration interval = Duration.ofSeconds(60);
        private Duration lease = Duration.ofMinutes(15);
        private Clock clock = Clock.systemUTC();
        private DeliveryLog log = NO_LOG;
        private final java.util.List<java.util.function.Consumer<FetchReport>> reports = new java.util.ArrayList<>();
        private int threads = 2;
        private boolean idle;

        private Builder(Inbound inbound, InboundStateRepository state) {
            this.inbound = inbound;
            this.state = state;
        }

        /**
         * Registers an account to fetch.
         *
         * @param id the account's id (the lease and the status are kept under it)
         * @param account resolves the account before each fetch, so changed settings apply at the next fetch
         * @param options folder, server-side action and size limit
         * @return this
         */
        public Builder account(AccountId id, Supplier<ResolvedAccount> account, FetchOptions options) {
            Objects.requireNonNull(id, "id");
            if (jobs.putIfAbsent(id, new Job(id, Objects.requireNonNull(account, "account"), Objects.requireNonNull(options, "options")))
                    != null) {
                throw new IllegalArgumentException("account " + id + " is registered twice");
            }
            return this;
        }

        /**
         * Sets how often each account is fetched (default 60 s).
         *
         * @param interval at least 100 ms
         * @return this
         */
        public Builder interval(Duration interval) {
            if (Objects.requireNonNull(interval, "interval").toMillis() < 100) {
                throw new IllegalArgumentException("interval must be at least 100 ms, was " + interval);
            }
            this.interval = interval;
            return this;
        }

        /**
         * Sets how long a node's fetch lease lasts if the node dies during a fetch (default 15 min); it must exceed
         * the longest fetch.
         *
         * @param lease at least 1 s
         * @return this
         */
        public Builder lease(Duration lease) {
            if (Objects.requireNonNull(lease, "lease").toMillis() < 1000) {
                throw new IllegalArgumentException("lease must be at least 1 s, was " + lease);
            }
            this.lease = lease;
            return this;
        }

        /**
         * Names this node in the leases (default: random per poller). Each poller adds its own random suffix to the
         * name in the lease it holds, so a poller built again on the same node (a restart) never shares a lease with
         * the earlier one.
         *
         * @param node a name unique among the nodes, at most 180 characters
         * @return this
         */
        public Builder node(String node) {
            Objects.requireNonNull(node, "node");
            if (node.isBlank() || node.length() > 180) {
                throw new IllegalArgumentException("node must be 1 to 180 characters and not blank, was \"" + node + "\"");
            }
            this.node = node;
            return this;
        }

        /**
         * Sets how many accounts are fetched at the same time (default 2).
         *
         * @param threads at least 1
         * @return this
         */
        public Builder threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be at least 1, was " + threads);
            }
            this.threads = threads;
            return this;
        }

        /**
         * Sets the clock for the status' next-fetch times and the lease renewal (default: system clock).
         *
         * @param clock the clock
         * @return this
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Records each fetch that failed (with the server's exact reply) or took or refused mail in a delivery log
         * (operation {@code FETCH}); default: none.
         *
         * @param log the delivery log, e.g. the JDBC store's
         * @return this
         */
        public Builder deliveryLog(DeliveryLog log) {
            this.log = Objects.requireNonNull(log, "log");
            return this;
        }

        /**
         * Adds a listener that receives the report of each successful fetch (meters, for example), on the fetching
         * thread after the fetch; default: none. Listeners add up: each one added gets every report, in the order they
         * were added. A listener must be fast and thread-safe; an exception it throws is logged and affects neither the
         * fetch nor the other listeners.
         *
         * @param listener receives each report
         * @return this
         */
        public Builder reportListener(java.util.function.Consumer<FetchReport> listener) {
            this.reports.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Keeps an IMAP {@code IDLE} connection per account where the server offers it, so that new mail wakes the
         * normal fetch at once instead of at the next interval. The watcher never imports by itself: it only
         * starts the same leased fetch early, and it takes no fetch lease itself. It idles only while this node's
         * last fetch of the account got the lease (so normally one node per account watches), ends and re-issues each
         * {@code IDLE} well below the read timeout (at most every
         * 25 minutes), and falls back to polling alone for servers without {@code IDLE} and POP3. One extra
         * connection and one thread per account, plus one timer thread; {@link #close()} ends them. Default: off.
         *
         * @param idle {@code true} to watch with IDLE
         * @return this
         */
        public Builder idle(boolean idle) {
            this.idle = idle;
            return this;
        }

        /** @return the poller, not started */
        public InboundPoller build() {
            if (jobs.isEmpty()) {
                throw new IllegalStateException("no account registered: add at least one with account(...)");
            }
            return new InboundPoller(this);
        }
    }
}
