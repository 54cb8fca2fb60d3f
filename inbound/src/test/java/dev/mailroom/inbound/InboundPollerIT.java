package dev.mailroom.inbound;

import dev.mailroom.AccountId;
import dev.mailroom.DeliveryLogEntry;
import dev.mailroom.DeliveryLogQuery;
import dev.mailroom.Authentication;
import dev.mailroom.FetchSettings;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Secret;
import dev.mailroom.Security;
import dev.mailroom.spi.DeliveryLog;
import dev.mailroom.testkit.MailServerExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.mailroom.inbound.Fixtures.deliver;
import static dev.mailroom.inbound.Fixtures.imapAccount;
import static dev.mailroom.inbound.Fixtures.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** F1: scheduling, leases across nodes, health per account. */
final class InboundPollerIT {
    private static final AccountId SUPPORT = AccountId.of("support");

    @RegisterExtension
    final MailServerExtension mail = MailServerExtension.builder().user(Fixtures.USER, Fixtures.PASSWORD).build();

    private final InMemoryInboundState state = new InMemoryInboundState();

    @Test
    @DisplayName("F1: two nodes on one account: while one fetches, the other does not (lease); one ticket")
    void twoNodesOneAccount() throws Exception {
        deliver(mail, message("n1", "Zwei Knoten", "x"));
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        Fixtures.Tickets tickets = new Fixtures.Tickets();
        InboundHandler slow = m -> {
            inHandler.countDown();
            assertThat(proceed.await(10, TimeUnit.SECONDS)).isTrue();
            return tickets.accept(m);
        };
        try (InboundPoller a = InboundPoller.builder(Inbound.builder(state, slow).build(), state).node("a")
                .account(SUPPORT, () -> imapAccount(mail), FetchOptions.defaults()).build();
             InboundPoller b = InboundPoller.builder(Inbound.builder(state, tickets).build(), state).node("b")
                     .account(SUPPORT, () -> imapAccount(mail), FetchOptions.defaults()).build()) {
            CompletableFuture<Optional<FetchReport>> first = CompletableFuture.supplyAsync(() -> a.fetchNow(SUPPORT));
            assertThat(inHandler.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(b.fetchNow(SUPPORT)).isEmpty();
            proceed.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS)).hasValueSatisfying(r -> assertThat(r.imported()).isEqualTo(1));
            assertThat(b.fetchNow(SUPPORT)).hasValueSatisfying(r -> assertThat(r.imported()).isZero());
        }
        assertThat(tickets.subjects()).containsExactly("Zwei Knoten");
    }

    @Test
    @DisplayName("F1: a broken account does not hold up another: the good one is fetched on schedule, the broken one is DEGRADED"
            + " with the failure's code")
    void brokenAccountDoesNotBlock() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        AccountId broken = AccountId.of("broken");
        ResolvedAccount brokenAccount = Fixtures.resolved(imapAccount(mail).account().toBuilder().id(broken)
                .fetching(FetchSettings.imap(mail.host(), closedPort, Security.NONE)));
        deliver(mail, message("g1", "Gut", "x"));
        CountDownLatch imported = new CountDownLatch(1);
        Inbound inbound = Inbound.builder(state, m -> {
            imported.countDown();
            return InboundResult.stored();
        }).build();
        try (InboundPoller poller = InboundPoller.builder(inbound, state).interval(Duration.ofMillis(200)).threads(1)
                .account(broken, () -> brokenAccount, FetchOptions.defaults())
                .account(SUPPORT, () -> imapAccount(mail), FetchOptions.defaults()).build()) {
            poller.start();
            assertThat(imported.await(10, TimeUnit.SECONDS)).isTrue();
            awaitFailure(poller, broken);
            FetchStatus s = poller.status(broken);
            assertThat(s.health()).isEqualTo(FetchStatus.Health.DEGRADED);
            assertThat(s.lastErrorCode()).hasValue(MailErrorCode.CONNECTION_REFUSED);
            assertThat(poller.status(SUPPORT).health()).isEqualTo(FetchStatus.Health.OK);
        }
    }

    private static void awaitFailure(InboundPoller poller, AccountId id) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (poller.status(id).consecutiveFailures() == 0 && System.nanoTime() < end) {
            Thread.onSpinWait();
            Thread.sleep(10); // polling a status, not synchronising on it: bounded by the deadline above
        }
    }

    @Test
    @DisplayName("F1/F10: a refused login makes the account AUTH_REQUIRED and is recorded in the delivery log, with the server's exact"
            + " reply")
    void authRequired() {
        ResolvedAccount wrong = Fixtures.resolved(imapAccount(mail).account().toBuilder()
                .authentication(Authentication.password(Fixtures.USER, Secret.of("wrong"))));
        List<DeliveryLogEntry> log = new CopyOnWriteArrayList<>();
        DeliveryLog recording = new DeliveryLog() {
            @Override
            public void record(DeliveryLogEntry entry) {
                log.add(entry);
            }

            @Override
            public List<DeliveryLogEntry> query(DeliveryLogQuery query) {
                return log;
            }
        };
        try (InboundPoller poller = InboundPoller.builder(Inbound.builder(state, m -> InboundResult.stored()).build(), state).deliveryLog(recording)
                .account(SUPPORT, () -> wrong, FetchOptions.defaults()).build()) {
            assertThrows(MailException.class, () -> poller.fetchNow(SUPPORT));
            FetchStatus s = poller.status(SUPPORT);
            assertThat(s.health()).isEqualTo(FetchStatus.Health.AUTH_REQUIRED);
            assertThat(s.serverReply()).hasValue("LOGIN failed. Invalid login/password for user id support@acme.test");
            assertThat(s.consecutiveFailures()).isEqualTo(1);
        }
        assertThat(log).singleElement().satisfies(e -> {
            assertThat(e.operation()).isEqualTo(DeliveryLogEntry.Operation.FETCH);
            assertThat(e.outcome()).isEqualTo(DeliveryLogEntry.Outcome.FAILURE);
            assertThat(e.errorCode()).isEqualTo(MailErrorCode.AUTH_FAILED);
            assertThat(e.reply()).hasValue("LOGIN failed. Invalid login/password for user id support@acme.test");
            assertThat(e.transport()).isEqualTo("imap");
            assertThat(e.detail()).doesNotContain("wrong");
        });
    }

    @Test
    @DisplayName("F1: a disabled account is not fetched and shows DISABLED")
    void disabled() {
        deliver(mail, message("x1", "Aus", "x"));
        ResolvedAccount off = Fixtures.resolved(imapAccount(mail).account().toBuilder().enabled(false));
        Fixtures.Tickets tickets = new Fixtures.Tickets();
        try (InboundPoller poller = InboundPoller.builder(Inbound.builder(state, tickets).build(), state)
                .account(SUPPORT, () -> off, FetchOptions.defaults()).build()) {
            assertThat(poller.fetchNow(SUPPORT)).isEmpty();
            assertThat(poller.status(SUPPORT).health()).isEqualTo(FetchStatus.Health.DISABLED);
        }
        assertThat(tickets.tickets).isEmpty();
    }

    /** A clock the test moves forward. */
    private static final class TestClock extends java.time.Clock {
        private volatile java.time.Instant now = java.time.Instant.parse("2026-11-29T12:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public java.time.Instant instant() {
            return now;
        }
    }

    @Test
    @DisplayName("F1: a long fetch renews its lease, so another node stays out; a node whose lease was taken stops after the current mail")
    void leaseRenewedDuringLongFetch() throws Exception {
        deliver(mail, message("l1", "Eins", "x"));
        deliver(mail, message("l2", "Zwei", "x"));
        deliver(mail, message("l3", "Drei", "x"));
        TestClock clock = new TestClock();
        InMemoryInboundState shared = new InMemoryInboundState(clock);
        Fixtures.Tickets tickets = new Fixtures.Tickets();
        InboundHandler slow = m -> {
            tickets.accept(m);
            clock.advance(Duration.ofMinutes(6)); // each mail takes 6 minutes; the lease lasts 15
            if (m.subject().equals("Zwei")) {
                assertThat(shared.tryLease(SUPPORT, "b", Duration.ofMinutes(15))).as("renewed after Eins: node b stays out").isFalse();
                clock.advance(Duration.ofMinutes(20)); // node a stalls past its lease
                assertThat(shared.tryLease(SUPPORT, "b", Duration.ofMinutes(15))).as("the lease ran out: node b takes it").isTrue();
            }
            return InboundResult.stored();
        };
        try (InboundPoller a = InboundPoller.builder(Inbound.builder(shared, slow).build(), shared).node("a").clock(clock)
                .account(SUPPORT, () -> imapAccount(mail), FetchOptions.defaults()).build()) {
            IllegalStateException lost = assertThrows(IllegalStateException.class, () -> a.fetchNow(SUPPORT));
            assertThat(lost).hasMessageContaining("lost its fetch lease");
        }
        assertThat(tickets.subjects()).containsExactly("Eins", "Zwei"); // "Drei" is left for node b
    }

    @Test
    @DisplayName("#15 review: close lets a running fetch finish (not interrupted), releases its lease and leaves no poller thread; a poller"
            + " built again with the same node name does not fetch the account while the old fetch runs")
    void closeIsGraceful_restartSameNodeDoesNotOverlap() throws Exception {
        deliver(mail, message("c1", "Beim Stoppen", "x"));
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean interrupted = new java.util.concurrent.atomic.AtomicBoolean();
        Fixtures.Tickets tickets = new Fixtures.Tickets();
        InboundHandler slow = m -> {
            inHandler.countDown();
            try {
                assertThat(never.await(2, TimeUnit.SECONDS)).isFalse(); // a slow mail: the handler takes 2 s
            } catch (InterruptedException e) {
                interrupted.set(true);
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while storing the mail");
            }
            return tickets.accept(m);
        };
        InboundPoller old = InboundPoller.builder(Inbound.builder(state, slow).build(), state).node("a").interval(Duration.ofMillis(100))
                .threads(1).account(SUPPORT, () -> imapAccount(mail), FetchOptions.defaults()).build();
        old.start();
        assertThat(inHandler.await(10, TimeUnit.SECONDS)).isTrue();
        try (InboundPoller again = InboundPoller.builder(Inbound.builder(state, tickets).build(), state).node("a")
                .account(SUPPORT, () -> imapAccount(mail), FetchOptions.defaults()).build()) {
            assertThat(again.fetchNow(SUPPORT)).as("the old poller's fetch holds the lease, although the node name is the same").isEmpty();
            old.close();
        }
        assertThat(interrupted).as("the running fetch was not interrupted").isFalse();
        assertThat(tickets.subjects()).containsExactly("Beim Stoppen");
        assertThat(state.tryLease(SUPPORT, "other", Duration.ofMinutes(1))).as("the lease was released by close").isTrue();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("mailroom-inbound-poller")) {
                t.join(5000);
                assertThat(t.isAlive()).as("no poller thread left after close").isFalse();
            }
        }
    }
}
