package dev.mailroom.core;

import dev.mailroom.testkit.RecordingTransport;
import dev.mailroom.Account;
import dev.mailroom.Authentication;
import dev.mailroom.Email;
import dev.mailroom.EmailAddress;
import dev.mailroom.MailContext;
import dev.mailroom.Queued;
import dev.mailroom.Secret;
import dev.mailroom.Security;
import dev.mailroom.spi.OutboxRepository;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue #4 and B6: a retry for a deferred recipient goes to that recipient alone and makes no second Sent
 * copy; a mail the server took is never counted as failed because storing its status failed; finished
 * entries are deleted after the retention; busy connections are not an attempt.
 */
final class OutboxEdgeCasesTest {
    private final InMemoryAccountRepository repo = new InMemoryAccountRepository();
    private final InMemoryOutboxRepository outbox = new InMemoryOutboxRepository();
    private final RecordingTransport transport = new RecordingTransport();

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("timed out waiting for " + what).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    private void systemAccount() {
        repo.save(Account.builder().id("sys").description("System").email("app@acme.test").systemAccount(true).smtpHost("smtp.test")
                .authentication(Authentication.password("app@acme.test", Secret.of("pw"))).build());
    }

    @Test
    @DisplayName("B6/#4: the first attempt (two of three recipients took it) makes the Sent copy; the retry for the 451 recipient does not")
    void retryForDeferredRecipient_noSecondSentCopy() {
        repo.save(Account.builder().id("sys").description("System").email("app@acme.test").systemAccount(true).smtpHost("smtp.test")
                .imap("imap.test", 993, Security.TLS).authentication(Authentication.password("app@acme.test", Secret.of("pw")))
                .copyToSent(true, "Sent").build());
        transport.deferOnce("later@example.test", "451 4.2.0 mailbox busy, try again later");
        try (Mailroom m = Mailroom.builder().accountRepository(repo).outboxRepository(outbox).transport(transport).discoverTransports(false)
                .outboxWorkers(1).outboxPollInterval(Duration.ofMillis(10))
                .outboxRetry(Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofHours(1), Duration.ofHours(1)).build()) {
            Queued q = m.enqueue(MailContext.system(), Email.builder().to("a@example.test").to("later@example.test").cc("b@example.test")
                    .subject("Angebot").text("x").build());
            await(() -> outbox.find(q.outboxId()).orElseThrow().status() == OutboxRepository.Status.SENT, "the retry");
            assertThat(outbox.find(q.outboxId()).orElseThrow().partlySent()).isTrue();
        }
        assertThat(transport.sent()).hasSize(2);
        RecordingTransport.Sent first = transport.sent().get(0);
        RecordingTransport.Sent retry = transport.sent().get(1);
        assertThat(first.message().recipients()).extracting(EmailAddress::address)
                .containsExactlyInAnyOrder("a@example.test", "later@example.test", "b@example.test");
        assertThat(first.message().copyToSent()).as("the first attempt stores the Sent copy").isTrue();
        assertThat(retry.message().recipients()).extracting(EmailAddress::address).isEqualTo(List.of("later@example.test"));
        assertThat(retry.message().copyToSent()).as("the copy exists already; the retry must not add a second").isFalse();
        assertThat(retry.message().messageId()).isEqualTo(first.message().messageId());
    }

    /**
     * The in-memory outbox whose first {@code markSent} fails, as when the database goes away right after a
     * send; like a host's own outbox it keeps the SPI's default {@code smallPayloads} (an immutable empty map).
     */
    private static final class FirstMarkSentFails extends DelegatingOutbox {
        private final java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();
        final List<Duration> purges = new java.util.concurrent.CopyOnWriteArrayList<>();

        FirstMarkSentFails() {
            super(new InMemoryOutboxRepository());
        }

        @Override
        public boolean markSent(long id, String worker) {
            if (failed.compareAndSet(false, true)) {
                throw new IllegalStateException("Mailroom outbox: connection refused");
            }
            return super.markSent(id, worker);
        }

        @Override
        public java.util.Map<Long, byte[]> smallPayloads(List<Long> ids, int maxBytes) {
            return java.util.Map.of();
        }

        @Override
        public int purgeFinished(Duration retention) {
            purges.add(retention);
            return super.purgeFinished(retention);
        }
    }

    @Test
    @DisplayName("#4: storing 'sent' fails after the server took the mail: it is not marked failed; after its lease it goes again, flagged a possible duplicate")
    void markSentFails_notFailed_resentAsPossibleDuplicate() {
        systemAccount();
        FirstMarkSentFails flaky = new FirstMarkSentFails();
        InMemoryDeliveryLog log = new InMemoryDeliveryLog();
        try (Mailroom m = Mailroom.builder().accountRepository(repo).outboxRepository(flaky).deliveryLogRepository(log).transport(transport).discoverTransports(false)
                .outboxWorkers(1).outboxPollInterval(Duration.ofMillis(10)).outboxLease(Duration.ofMillis(200))
                .outboxRetry(Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofHours(1), Duration.ofHours(1)).build()) {
            Queued q = m.enqueue(MailContext.system(), Email.builder().to("a@example.test").subject("Rechnung").text("x").build());
            await(() -> flaky.find(q.outboxId()).orElseThrow().status() == OutboxRepository.Status.SENT, "the second attempt after the lease");
            OutboxRepository.Entry e = flaky.find(q.outboxId()).orElseThrow();
            assertThat(e.possibleDuplicate()).isTrue();
            assertThat(e.attempts()).isEqualTo(1);
        }
        assertThat(transport.sent()).hasSize(2);
        assertThat(log.query(dev.mailroom.DeliveryLogQuery.since(java.time.Instant.EPOCH)))
                .noneMatch(l -> l.outcome() == dev.mailroom.DeliveryLogEntry.Outcome.FAILURE);
    }

    @Test
    @SuppressWarnings("try") // the workers only need to run for the duration of the block
    @DisplayName("#4 retention: the workers delete finished entries with the builder's retention when they start (then hourly)")
    void workersPurgeWithTheConfiguredRetention() {
        FirstMarkSentFails outbox = new FirstMarkSentFails();
        try (Mailroom ignored = Mailroom.builder().accountRepository(repo).outboxRepository(outbox).transport(transport).discoverTransports(false)
                .outboxWorkers(2).outboxPollInterval(Duration.ofMillis(10)).outboxRetention(Duration.ofDays(30)).build()) {
            await(() -> !outbox.purges.isEmpty(), "the first purge");
        }
        assertThat(outbox.purges).containsOnly(Duration.ofDays(30)).hasSize(1);
    }

    @Test
    @SuppressWarnings("try") // the workers only need to run for the duration of the block
    @DisplayName("C3 retention: with deliveryLogRetention set, the workers delete older log entries when they start; the rest stay")
    void workersPurgeTheDeliveryLog() {
        InMemoryDeliveryLog log = new InMemoryDeliveryLog();
        java.time.Instant now = java.time.Instant.now();
        log.record(new dev.mailroom.DeliveryLogEntry(now.minus(Duration.ofDays(100)), null, null, null, dev.mailroom.DeliveryLogEntry.Operation.SEND,
                dev.mailroom.DeliveryLogEntry.Outcome.FAILURE, dev.mailroom.MailErrorCode.AUTH_FAILED, "535 old", null, null, "old"));
        log.record(new dev.mailroom.DeliveryLogEntry(now.minus(Duration.ofDays(1)), null, null, null, dev.mailroom.DeliveryLogEntry.Operation.SEND,
                dev.mailroom.DeliveryLogEntry.Outcome.FAILURE, dev.mailroom.MailErrorCode.AUTH_FAILED, "535 recent", null, null, "recent"));
        try (Mailroom ignored = Mailroom.builder().accountRepository(repo).outboxRepository(outbox).deliveryLogRepository(log).transport(transport).discoverTransports(false)
                .outboxWorkers(1).outboxPollInterval(Duration.ofMillis(10)).deliveryLogRetention(Duration.ofDays(90)).build()) {
            await(() -> log.query(dev.mailroom.DeliveryLogQuery.since(java.time.Instant.EPOCH)).size() == 1, "the old entry to go");
        }
        assertThat(log.query(dev.mailroom.DeliveryLogQuery.since(java.time.Instant.EPOCH))).extracting(dev.mailroom.DeliveryLogEntry::detail)
                .containsExactly("recent");
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> log.purgeOlderThan(Duration.ZERO));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Mailroom.builder().deliveryLogRetention(Duration.ofDays(-1)), "the builder names the field before anything runs");
    }

    @Test
    @DisplayName("#4: all of the account's connections busy on this node is not an attempt: no budget used, nothing in the error log, sent later")
    void poolExhausted_isNotAnAttempt() {
        systemAccount();
        InMemoryDeliveryLog log = new InMemoryDeliveryLog();
        transport.failWith(new dev.mailroom.MailException(dev.mailroom.MailErrorCode.POOL_EXHAUSTED, "all 4 connections of account app@acme.test are busy"));
        try (Mailroom m = Mailroom.builder().accountRepository(repo).outboxRepository(outbox).deliveryLogRepository(log).transport(transport).discoverTransports(false)
                .outboxWorkers(1).outboxPollInterval(Duration.ofMillis(10))
                .outboxRetry(Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofHours(1), Duration.ofHours(1)).build()) {
            Queued q = m.enqueue(MailContext.system(), Email.builder().to("a@example.test").subject("Mahnung").text("x").build());
            await(() -> transport.attempts().size() >= 3, "three tries while the pool is busy");
            OutboxRepository.Entry waiting = outbox.find(q.outboxId()).orElseThrow();
            assertThat(waiting.attempts()).isZero();
            assertThat(waiting.status()).isNotEqualTo(OutboxRepository.Status.FAILED);
            transport.failWith(null);
            await(() -> outbox.find(q.outboxId()).orElseThrow().status() == OutboxRepository.Status.SENT, "sent once a connection is free");
            assertThat(outbox.find(q.outboxId()).orElseThrow().attempts()).isEqualTo(1);
        }
        assertThat(log.query(dev.mailroom.DeliveryLogQuery.since(java.time.Instant.EPOCH)))
                .noneMatch(l -> l.outcome() == dev.mailroom.DeliveryLogEntry.Outcome.FAILURE);
    }
}
