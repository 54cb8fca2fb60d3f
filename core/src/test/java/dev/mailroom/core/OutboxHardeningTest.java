package dev.mailroom.core;

import dev.mailroom.testkit.RecordingTransport;
import dev.mailroom.Account;
import dev.mailroom.AccountHealth;
import dev.mailroom.AccountId;
import dev.mailroom.Authentication;
import dev.mailroom.DeliveryLogEntry;
import dev.mailroom.DeliveryLogQuery;
import dev.mailroom.Email;
import dev.mailroom.MailContext;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.Queued;
import dev.mailroom.Secret;
import dev.mailroom.spi.OutboxRepository;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue #10 on the outbox workers (in memory): which failures use up a mail's retry budget and age (items 2
 * and 4), leases that cover each send (5), releasing what a worker knows it did not send after a database
 * outage (7), and one hanging server not delaying other accounts (9).
 */
@SuppressWarnings("try") // the workers only need to run for the duration of the block
final class OutboxHardeningTest {
    private final InMemoryAccountRepository repo = new InMemoryAccountRepository();
    private final InMemoryDeliveryLog log = new InMemoryDeliveryLog();

    /** The system clock moved by an offset the test can change: the workers keep running in real time. */
    private static final class OffsetClock extends Clock {
        final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return Instant.now().plus(offset.get());
        }
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("timed out waiting for " + what).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    @org.junit.jupiter.api.BeforeEach
    void systemAccount() {
        repo.save(Account.builder().id("sys").description("System").email("sys@acme.test").systemAccount(true).smtpHost("smtp.test")
                .authentication(Authentication.none()).build());
    }

    private void account(String name) {
        repo.save(Account.builder().id(name).description(name).email("app@" + name + ".test").tenant(name).systemAccount(true)
                .smtpHost("smtp." + name + ".test").authentication(Authentication.password("app@" + name + ".test", Secret.of("pw"))).build());
    }

    private static Email mail(int i) {
        return Email.builder().to("kunde" + i + "@example.test").subject("Nachricht " + i).text("x").build();
    }

    /** Enqueues through a producer without workers, so that the whole queue exists before any worker starts. */
    private List<Queued> enqueue(OutboxRepository outbox, String tenant, int n) {
        List<Queued> out = new ArrayList<>();
        try (Mailroom producer = Mailroom.builder().accountRepository(repo).outboxRepository(outbox).transport(new RecordingTransport()).discoverTransports(false)
                .outboxWorkers(0).build()) {
            for (int i = 0; i < n; i++) {
                out.add(producer.enqueue(MailContext.tenant(tenant), mail(i)));
            }
        }
        return out;
    }

    private static OutboxRepository.Entry entry(OutboxRepository outbox, Queued q) {
        return outbox.find(q.outboxId()).orElseThrow();
    }

    // --- item 2: which failures use up the budget ---

    @Test
    @DisplayName("#10.2: a 421 or 4xx greeting (SERVER_BUSY) defers the account's queue without counting an attempt, and is in the error log")
    void serverBusy_noAttemptCounted() {
        account("busy");
        InMemoryOutboxRepository outbox = new InMemoryOutboxRepository();
        RecordingTransport transport = new RecordingTransport();
        transport.failFor("app@busy.test", new MailException(MailErrorCode.SERVER_BUSY, "smtp.busy.test is busy",
                "421 4.3.2 Service not available, closing transmission channel", null, List.of(), null));
        List<Queued> queued = enqueue(outbox, "busy", 20);
        try (Mailroom m = Mailroom.builder().accountRepository(repo).outboxRepository(outbox).deliveryLogRepository(log).transport(transport).discoverTransports(false)
                .outboxWorkers(2).outboxPollInterval(Duration.ofMillis(10))
                .outboxRetry(Duration.ofHours(1), Duration.ofHours(1), Duration.ofDays(5), Duration.ofHours(1)).build()) {
            Instant limit = Instant.now().plus(Duration.ofMinutes(20));
            await(() -> queued.stream().allMatch(q -> entry(outbox, q).dueAt().isAfter(limit)), "the queue to be deferred");
            assertThat(transport.attempts()).hasSizeBetween(1, 2);
            assertThat(queued).as("mails never handed over keep their budget")
                    .allSatisfy(q -> assertThat(entry(outbox, q).attempts()).isZero());
            assertThat(log.query(DeliveryLogQuery.since(Instant.EPOCH).failures())).isNotEmpty()
                    .allSatisfy(e -> assertThat(e.errorCode()).isEqualTo(MailErrorCode.SERVER_BUSY));
            assertThat(m.health(AccountId.of("busy")).state()).isEqualTo(AccountHealth.State.DEGRADED);
        }
    }

    @Test
    @DisplayName("#10.2: a 5xx greeting (CONNECTION_REJECTED) holds the account, keeps each mail's budget, shows in health and the error log")
    void connectionRejected_heldBudgetKept() {
        account("blocked");
        InMemoryOutboxRepository outbox = new InMemoryOutboxRepository();
        RecordingTransport transport = new RecordingTransport();
        transport.failFor("app@blocked.test", new MailException(MailErrorCode.CONNECTION_REJECTED, "smtp.blocked.test refuses this host",
                "554 5.7.1 client host blocked", null, List.of(), null));
        List<Queued> queued = enqueue(outbox, "blocked", 10);
        try (Mailroom m = Mailroom.builder().accountRepository(repo).outboxRepository(outbox).deliveryLogRepository(log).transport(transport).discoverTransports(false)
                .outboxWorkers(2).outboxPollInterval(Duration.ofMillis(10))
                .outboxRetry(Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofDays(5), Duration.ofHours(1)).build()) {
            Instant limit = Instant.now().plus(Duration.ofMinutes(50));
            await(() -> queued.stream().allMatch(q -> entry(outbox, q).dueAt().isAfter(limit)), "the queue to be held");
            assertThat(queued).allSatisfy(q -> {
                OutboxRepository.Entry e = entry(outbox, q);
                assertThat(e.status()).isEqualTo(OutboxRepository.Status.QUEUED);
                assertThat(e.attempts()).isZero();
            });
            AccountHealth health = m.health(AccountId.of("blocked"));
            assertThat(health.state()).isEqualTo(AccountHealth.State.DEGRADED);
            assertThat(health.reason()).contains("554 5.7.1");
            assertThat(log.query(DeliveryLogQuery.since(Instant.EPOCH).failures())).isNotEmpty()
                    .allSatisfy(e -> assertThat(e.errorCode()).isEqualTo(MailErrorCode.CONNECTION_REJECTED));
        }
    }

    // --- item 4: one clock, held time not counted ---

    @Test
    @DisplayName("#10.4: two hours held for a login problem do not count toward a one-hour maximum age: a 451 afterwards is retried, not given up")
    void heldTime_doesNotCountTowardMaxAge() {
        account("acme");
        OffsetClock clock = new OffsetClock();
        InMemoryOutboxRepository outbox = new InMemoryOutboxRepository(clock);
        RecordingTransport transport = new RecordingTransport();
        transport.failFor("app@acme.test", new MailException(MailErrorCode.AUTH_FAILED, "login failed", "535 5.7.8 Error: authentication failed",
                null, List.of(), null));
        Queued q = enqueue(outbox, "acme", 1).get(0);
        try (Mailroom ignored = Mailroom.builder().accountRepository(repo).outboxRepository(outbox).deliveryLogRepository(log).transport(transport).discoverTransports(false)
                .clock(clock).outboxWorkers(1).outboxPollInterval(Duration.ofMillis(10))
                .outboxRetry(Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofHours(1), Duration.ofMinutes(30)).build()) {
            await(() -> entry(outbox, q).dueAt().isAfter(clock.instant().plus(Duration.ofMinutes(20))), "the account to be held");
            transport.failFor("app@acme.test", new MailException(MailErrorCode.TEMPORARY_FAILURE, "deferred", "451 4.3.0 Try again later",
                    null, List.of(), null));
            clock.offset.set(Duration.ofHours(2)); // the hold ran out two hours later; nobody had fixed the password meanwhile
            await(() -> transport.attempts().size() >= 2, "the attempt after the hold");
            await(() -> entry(outbox, q).attempts() >= 1 || entry(outbox, q).status() == OutboxRepository.Status.FAILED, "the 451 to be stored");
            assertThat(entry(outbox, q).status()).as("held time is not age: " + entry(outbox, q).lastError()).isNotEqualTo(OutboxRepository.Status.FAILED);
            transport.succeedFor("app@acme.test");
            await(() -> entry(outbox, q).status() == OutboxRepository.Status.SENT, "the mail to go out");
        }
    }

    @Test
    @DisplayName("#10.4: time an unreachable server defers the queue does count: after the maximum age the mail is given up")
    void unreachableTime_countsTowardMaxAge() {
        account("down");
        OffsetClock clock = new OffsetClock();
        InMemoryOutboxRepository outbox = new InMemoryOutboxRepository(clock);
        RecordingTransport transport = new RecordingTransport();
        transport.failFor("app@down.test", new MailException(MailErrorCode.CONNECTION_REFUSED, "smtp.down.test: connection refused"));
        Queued q = enqueue(outbox, "down", 1).get(0);
        try (Mailroom ignored = Mailroom.builder().accountRepository(repo).outboxRepository(outbox).deliveryLogRepository(log).transport(transport).discoverTransports(false)
                .clock(clock).outboxWorkers(1).outboxPollInterval(Duration.ofMillis(10))
                .outboxRetry(Duration.ofMinutes(30), Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofMinutes(30)).build()) {
            await(() -> entry(outbox, q).dueAt().isAfter(clock.instant().plus(Duration.ofMinutes(10))), "the queue to be deferred");
            clock.offset.set(Duration.ofHours(2));
            await(() -> entry(outbox, q).status() == OutboxRepository.Status.FAILED, "the mail to be given up");
            assertThat(entry(outbox, q).attempts()).as("giving up is the one counted attempt").isEqualTo(1);
        }
    }

    // --- item 5: leases cover what is being sent ---

    @Test
    @DisplayName("#10.5: a slow but working server (300 ms per mail, lease 1.2 s, batches of 10, two nodes): each Message-ID delivered exactly once")
    void slowServer_shortLease_eachMessageOnce() {
        account("acme");
        InMemoryOutboxRepository outbox = new InMemoryOutboxRepository();
        ScriptedTransport sink = ScriptedTransport.slow(300);
        List<Queued> queued = enqueue(outbox, "acme", 30);
        List<Mailroom> nodes = new ArrayList<>();
        try {
            for (int n = 0; n < 2; n++) {
                nodes.add(Mailroom.builder().accountRepository(repo).outboxRepository(outbox).deliveryLogRepository(log).transport(sink).discoverTransports(false)
                        .outboxWorkers(2).outboxPollInterval(Duration.ofMillis(10)).outboxLease(Duration.ofMillis(1200))
                        .outboxRetry(Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofHours(1), Duration.ofHours(1)).build());
            }
            await(() -> queued.stream().allMatch(q -> entry(outbox, q).status() == OutboxRepository.Status.SENT), "all 30 sent");
        } finally {
            nodes.forEach(Mailroom::close);
        }
        Set<String> once = new HashSet<>();
        assertThat(sink.delivered).allSatisfy(id -> assertThat(once.add(id)).as("delivered twice: " + id).isTrue());
        assertThat(once).hasSize(30);
    }

    // --- item 7: a database outage ---

    /** An outbox that fails every call while {@link #down}, as a database that went away; it goes down on the first markRetry. */
    private static final class OutageOutbox extends DelegatingOutbox {
        final AtomicBoolean down = new AtomicBoolean();
        final AtomicBoolean armed = new AtomicBoolean(true);
        final AtomicInteger refused = new AtomicInteger();

        OutageOutbox(OutboxRepository delegate) {
            super(delegate);
        }

        private void check() {
            if (down.get()) {
                refused.incrementAndGet();
                throw new IllegalStateException("Mailroom outbox: connection refused");
            }
        }

        @Override
        public List<Entry> claim(String worker, int max, Duration lease) {
            check();
            return super.claim(worker, max, lease);
        }

        @Override
        public List<Long> renew(String worker, List<Long> ids, Duration lease) {
            check();
            return super.renew(worker, ids, lease);
        }

        @Override
        public boolean markHeld(long id, String worker, Duration delay, String reason, MailErrorCode.Category cause) {
            check();
            return super.markHeld(id, worker, delay, reason, cause);
        }

        @Override
        public int postpone(AccountId account, Duration delay, String reason, MailErrorCode.Category cause) {
            check();
            return super.postpone(account, delay, reason, cause);
        }

        @Override
        public byte[] payload(long id) {
            check();
            return super.payload(id);
        }

        @Override
        public java.util.Map<Long, byte[]> smallPayloads(List<Long> ids, int maxBytes) {
            check();
            return super.smallPayloads(ids, maxBytes);
        }

        @Override
        public boolean markSent(long id, String worker) {
            check();
            return super.markSent(id, worker);
        }

        @Override
        public boolean markRetry(long id, String worker, Duration delay, String error, boolean countAttempt, boolean possibleDuplicate) {
            if (armed.compareAndSet(true, false)) {
                down.set(true);
            }
            check();
            return super.markRetry(id, worker, delay, error, countAttempt, possibleDuplicate);
        }

        @Override
        public boolean markHeld(long id, String worker, Duration delay, String reason) {
            check();
            return super.markHeld(id, worker, delay, reason);
        }

        @Override
        public boolean markFailed(long id, String worker, String error) {
            check();
            return super.markFailed(id, worker, error);
        }

        @Override
        public int postpone(AccountId account, Duration delay, String reason) {
            check();
            return super.postpone(account, delay, reason);
        }

        @Override
        public int purgeFinished(Duration retention) {
            check();
            return super.purgeFinished(retention);
        }
    }

    @Test
    @DisplayName("#10.7: mails claimed before a database outage and not sent are released when it answers again: sent at once, not flagged, one attempt")
    void databaseOutage_unsentReleased() {
        account("acme");
        InMemoryOutboxRepository memory = new InMemoryOutboxRepository();
        OutageOutbox outbox = new OutageOutbox(memory);
        RecordingTransport transport = new RecordingTransport();
        transport.failWith(new MailException(MailErrorCode.TEMPORARY_FAILURE, "deferred", "451 4.3.0 Try again later", null, List.of(), null));
        List<Queued> queued = enqueue(memory, "acme", 10);
        try (Mailroom ignored = Mailroom.builder().accountRepository(repo).outboxRepository(outbox).deliveryLogRepository(log).transport(transport).discoverTransports(false)
                .outboxWorkers(1).outboxPollInterval(Duration.ofMillis(10)).outboxLease(Duration.ofHours(1))
                .outboxRetry(Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofHours(1), Duration.ofHours(1)).build()) {
            await(() -> outbox.refused.get() >= 3, "the worker to meet the outage"); // storing the 451, then the next steps
            assertThat(transport.attempts()).as("nothing else is sent while the outbox cannot record it").hasSize(1);
            transport.failWith(null);
            outbox.down.set(false);
            await(() -> queued.stream().allMatch(q -> entry(memory, q).status() == OutboxRepository.Status.SENT),
                    "all ten sent, well before their one-hour lease");
        }
        assertThat(queued).allSatisfy(q -> {
            OutboxRepository.Entry e = entry(memory, q);
            assertThat(e.possibleDuplicate()).as("never sent twice, so not flagged").isFalse();
            assertThat(e.attempts()).isEqualTo(1);
        });
        assertThat(transport.sent()).hasSize(10);
    }

    // --- item 9: a hanging server ---

    @Test
    @DisplayName("#10.9: one worker, a claimed batch with a hanging server's mail first: the other account's mail arrives while it still hangs")
    void hangingServer_doesNotDelayOtherAccount() throws InterruptedException {
        account("silent");
        account("healthy");
        InMemoryOutboxRepository outbox = new InMemoryOutboxRepository();
        CountDownLatch hanging = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        CountDownLatch healthyArrived = new CountDownLatch(1);
        ScriptedTransport transport = new ScriptedTransport((account, message) -> {
            if (account.account().email().address().equals("app@silent.test")) {
                hanging.countDown();
                try {
                    if (!answer.await(20, TimeUnit.SECONDS)) { // the read timeout of the hanging server
                        throw new MailException(MailErrorCode.TIMEOUT, "smtp.silent.test did not answer");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new MailException(MailErrorCode.TIMEOUT, "smtp.silent.test did not answer");
            }
            healthyArrived.countDown();
            return null;
        });
        List<Queued> silent = enqueue(outbox, "silent", 3);
        List<Queued> healthy = enqueue(outbox, "healthy", 3);
        try (Mailroom ignored = Mailroom.builder().accountRepository(repo).outboxRepository(outbox).deliveryLogRepository(log).transport(transport).discoverTransports(false)
                .outboxWorkers(1).outboxPollInterval(Duration.ofMillis(10))
                .outboxRetry(Duration.ofHours(1), Duration.ofHours(1), Duration.ofDays(5), Duration.ofHours(1)).build()) {
            assertThat(hanging.await(10, TimeUnit.SECONDS)).as("the silent server is being tried").isTrue();
            boolean arrived = healthyArrived.await(10, TimeUnit.SECONDS);
            boolean stillHanging = answer.getCount() == 1;
            answer.countDown();
            assertThat(arrived && stillHanging).as("the healthy account's mail arrived while the silent server hung").isTrue();
            await(() -> healthy.stream().allMatch(q -> entry(outbox, q).status() == OutboxRepository.Status.SENT), "all healthy mail sent");
            await(() -> silent.stream().allMatch(q -> entry(outbox, q).status() == OutboxRepository.Status.QUEUED), "the silent account deferred");
        }
        assertThat(log.query(DeliveryLogQuery.since(Instant.EPOCH)).stream().filter(DeliveryLogEntry::isFailure).map(DeliveryLogEntry::errorCode))
                .containsOnly(MailErrorCode.TIMEOUT);
    }
}
