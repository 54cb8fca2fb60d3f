package dev.mailroom.core;

import dev.mailroom.Account;
import dev.mailroom.Authentication;
import dev.mailroom.Email;
import dev.mailroom.MailContext;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.Queued;
import dev.mailroom.Secret;
import dev.mailroom.spi.OutboxRepository;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** Findings of the review of issue #10: closing with lanes busy, a lost lease, an ambiguous server. */
final class OutboxLaneTest {
    private final InMemoryAccountRepository repo = new InMemoryAccountRepository();

    OutboxLaneTest() {
        // mail is on only with an enabled system-wide account; the tenants' own accounts send their mail
        repo.save(Account.builder().id("sys").description("System").email("app@sys.test").systemAccount(true).smtpHost("smtp.sys")
                .authentication(Authentication.password("app@sys.test", Secret.of("pw"))).build());
    }

    private void account(String id) {
        repo.save(Account.builder().id(id).description(id).email("app@" + id + ".test").tenant(id).systemAccount(true).smtpHost("smtp." + id)
                .authentication(Authentication.password("app@" + id + ".test", Secret.of("pw"))).build());
    }

    private static Email mail(String to) {
        return Email.builder().to(to).subject("Nachricht").text("x").build();
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("timed out waiting for " + what).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    private static Mailroom.Builder builder(InMemoryAccountRepository repo, OutboxRepository outbox, ScriptedTransport transport) {
        return Mailroom.builder().accountRepository(repo).outboxRepository(outbox).transport(transport).discoverTransports(false).outboxPollInterval(Duration.ofMillis(10));
    }

    @Test
    @DisplayName("#10.7: closing while another account's lane is sending: the lane finishes its send, and its untried mail goes back unflagged, not in flight")
    void close_laneBusy_untriedMailReleased() throws Exception {
        account("a");
        account("b");
        InMemoryOutboxRepository outbox = new InMemoryOutboxRepository();
        CountDownLatch inSend = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ScriptedTransport transport = new ScriptedTransport((acc, message) -> {
            if (message.recipients().get(0).address().equals("b1@example.test")) {
                inSend.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS); // the server answers once the test lets it
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new MailException(MailErrorCode.CONNECTION_LOST, "interrupted in the middle of a send");
                }
            }
            return null;
        });
        List<Queued> b = new ArrayList<>();
        try (Mailroom producer = builder(repo, outbox, transport).outboxWorkers(0).build()) {
            producer.enqueue(MailContext.tenant("a"), mail("a1@example.test"));
            for (int i = 1; i <= 3; i++) {
                b.add(producer.enqueue(MailContext.tenant("b"), mail("b" + i + "@example.test")));
            }
        }
        Mailroom m = builder(repo, outbox, transport).outboxWorkers(1).outboxRetry(Duration.ofHours(1), Duration.ofHours(1), Duration.ofDays(5),
                Duration.ofHours(1)).build();
        assertThat(inSend.await(10, TimeUnit.SECONDS)).isTrue();
        Thread closer = new Thread(m::close, "closer");
        closer.start();
        await(() -> closer.getState() == Thread.State.TIMED_WAITING || closer.getState() == Thread.State.WAITING, "close() waiting for the workers");
        release.countDown();
        closer.join(TimeUnit.SECONDS.toMillis(20));
        assertThat(closer.isAlive()).isFalse();
        assertThat(transport.delivered).hasSize(2); // a1 and b1
        assertThat(outbox.find(b.get(0).outboxId()).orElseThrow().status()).isEqualTo(OutboxRepository.Status.SENT);
        for (Queued q : b.subList(1, 3)) {
            OutboxRepository.Entry e = outbox.find(q.outboxId()).orElseThrow();
            assertThat(e.status()).as("untried mail is back in the queue, not in flight until its lease ends").isEqualTo(OutboxRepository.Status.QUEUED);
            assertThat(e.possibleDuplicate()).isFalse();
            assertThat(e.attempts()).isZero();
        }
    }

    @Test
    @DisplayName("#10.5: an entry whose lease was lost before its send (nobody took it yet) goes back unflagged and is sent once")
    void lostLease_notTaken_releasedUnflagged() {
        account("a");
        InMemoryOutboxRepository memory = new InMemoryOutboxRepository();
        AtomicBoolean lose = new AtomicBoolean(true);
        OutboxRepository outbox = new DelegatingOutbox(memory) {
            @Override
            public List<Long> renew(String worker, List<Long> ids, Duration lease) {
                return lose.getAndSet(false) ? List.of() : super.renew(worker, ids, lease); // the first renewal finds every lease expired
            }
        };
        AtomicInteger sends = new AtomicInteger();
        ScriptedTransport transport = new ScriptedTransport((acc, message) -> {
            if (sends.incrementAndGet() == 1) {
                try {
                    Thread.sleep(300); // a slow first send: the next needs its lease renewed (a quarter of 1 s has passed)
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return null;
        });
        List<Queued> queued = new ArrayList<>();
        try (Mailroom producer = builder(repo, outbox, transport).outboxWorkers(0).build()) {
            for (int i = 1; i <= 3; i++) {
                queued.add(producer.enqueue(MailContext.tenant("a"), mail("a" + i + "@example.test")));
            }
        }
        try (Mailroom workers = builder(repo, outbox, transport).outboxWorkers(1).outboxLease(Duration.ofSeconds(1)).build()) {
            assertThat(workers.transports()).contains("fake");
            await(() -> queued.stream().allMatch(q -> memory.find(q.outboxId()).orElseThrow().status() == OutboxRepository.Status.SENT),
                    "all three sent");
        }
        assertThat(transport.delivered).hasSize(3).doesNotHaveDuplicates();
        assertThat(queued).allSatisfy(q -> assertThat(memory.find(q.outboxId()).orElseThrow().possibleDuplicate())
                .as("never sent before: not a possible duplicate").isFalse());
    }

    @Test
    @DisplayName("#10.9: a server that leaves the outcome open after the data (ambiguous) holds its account's other mail instead of costing each a timeout")
    void ambiguous_holdsTheAccountsOtherMail() {
        account("a");
        InMemoryOutboxRepository outbox = new InMemoryOutboxRepository();
        AtomicInteger calls = new AtomicInteger();
        ScriptedTransport transport = new ScriptedTransport((acc, message) -> {
            calls.incrementAndGet();
            throw new MailException(MailErrorCode.DELIVERY_UNCERTAIN, "no reply after the final dot (read timeout)");
        });
        List<Queued> queued = new ArrayList<>();
        try (Mailroom producer = builder(repo, outbox, transport).outboxWorkers(0).build()) {
            for (int i = 1; i <= 3; i++) {
                queued.add(producer.enqueue(MailContext.tenant("a"), mail("a" + i + "@example.test")));
            }
        }
        try (Mailroom workers = builder(repo, outbox, transport).outboxWorkers(1)
                .outboxRetry(Duration.ofHours(1), Duration.ofHours(1), Duration.ofDays(5), Duration.ofHours(1)).build()) {
            assertThat(workers.transports()).contains("fake");
            await(() -> queued.stream().noneMatch(q -> outbox.find(q.outboxId()).orElseThrow().status() == OutboxRepository.Status.IN_FLIGHT)
                    && outbox.find(queued.get(0).outboxId()).orElseThrow().possibleDuplicate(), "the batch done");
        }
        assertThat(calls.get()).as("only the first mail met the server").isEqualTo(1);
        assertThat(outbox.find(queued.get(0).outboxId()).orElseThrow().possibleDuplicate()).isTrue();
        for (Queued q : queued.subList(1, 3)) {
            OutboxRepository.Entry e = outbox.find(q.outboxId()).orElseThrow();
            assertThat(e.status()).isEqualTo(OutboxRepository.Status.QUEUED);
            assertThat(e.attempts()).isZero();
            assertThat(e.possibleDuplicate()).isFalse();
        }
    }
}
