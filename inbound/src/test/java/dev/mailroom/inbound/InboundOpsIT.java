package dev.mailroom.inbound;

import dev.mailroom.AccountId;
import dev.mailroom.testkit.MailCorpus.Sample;
import dev.mailroom.testkit.MailServerExtension;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.mailroom.inbound.Fixtures.deliver;
import static dev.mailroom.inbound.Fixtures.imapAccount;
import static dev.mailroom.inbound.Fixtures.message;
import static org.assertj.core.api.Assertions.assertThat;

/** F1/F7/F8 over GreenMail: the corpus through a real IMAP fetch, batched body fetching, IDLE. */
final class InboundOpsIT {
    private static final AccountId SUPPORT = AccountId.of("support");

    @RegisterExtension
    final MailServerExtension mail = MailServerExtension.builder().user(Fixtures.USER, Fixtures.PASSWORD).build();

    private final InMemoryInboundState state = new InMemoryInboundState();

    private void deliverRaw(byte[] raw) {
        try {
            mail.greenMail().getUserManager().getUser(Fixtures.USER)
                    .deliver(new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw)));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    @DisplayName("F7/F8: the corpus over IMAP: persons, auto-replies, list and broken mail become tickets; bounces do not;"
            + " bombs go to quarantine; everything imported is archived")
    void corpusOverImap() {
        for (Sample s : Sample.values()) {
            deliverRaw(s.bytes());
        }
        Fixtures.Tickets tickets = new Fixtures.Tickets();
        List<Bounce> permanent = new ArrayList<>();
        Inbound inbound = Inbound.builder(state, tickets).bounceListener(permanent::add).archive(30).build();
        FetchReport r = inbound.fetch(imapAccount(mail), FetchOptions.defaults());
        assertThat(r.bounces()).isEqualTo(5);
        assertThat(r.quarantined()).isEqualTo(2);
        assertThat(r.imported()).isEqualTo(Sample.values().length - 7);
        assertThat(tickets.subjects()).doesNotContain("Undelivered Mail Returned to Sender", "failure notice");
        assertThat(permanent).hasSize(4);
        assertThat(state.archived(SUPPORT, 100)).hasSize(r.imported() + r.bounces());
        assertThat(inbound.purgeArchive(SUPPORT)).isZero();
    }

    @Test
    @DisplayName("F1: 450 mails are imported in order with bodies fetched in batches")
    void batched() {
        for (int i = 0; i < 450; i++) {
            deliver(mail, message("b" + i, "Nr " + i, "x".repeat(i % 50)));
        }
        Fixtures.Tickets tickets = new Fixtures.Tickets();
        FetchReport r = Inbound.builder(state, tickets).build().fetch(imapAccount(mail), FetchOptions.defaults());
        assertThat(r.imported()).isEqualTo(450);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 450; i++) {
            expected.add("Nr " + i);
        }
        assertThat(tickets.subjects()).isEqualTo(expected);
        assertThat(tickets.tickets.get(7).text()).hasValue("x".repeat(7) + "\r\n");
    }

    @Test
    @DisplayName("F1: with IDLE on, new mail wakes the fetch long before the interval; the watcher holds no fetch lease (another node"
            + " can fetch at once after close); closing the poller leaves no thread behind")
    void idleWakesFetch() throws Exception {
        CountDownLatch imported = new CountDownLatch(1);
        Fixtures.Tickets tickets = new Fixtures.Tickets();
        InboundHandler counting = m -> {
            tickets.accept(m);
            imported.countDown();
            return InboundResult.stored();
        };
        InboundPoller poller = InboundPoller.builder(Inbound.builder(state, counting).build(), state).node("idle-node")
                .interval(Duration.ofMinutes(30)).idle(true)
                .account(SUPPORT, () -> imapAccount(mail), FetchOptions.defaults()).build();
        try {
            poller.fetchNow(SUPPORT); // the scheduled first fetch lies up to 30 minutes ahead
            poller.start();
            assertThat(awaitIdleThread(true)).as("the watcher runs").isTrue();
            waitUntilIdling();
            deliver(mail, message("idle1", "Per IDLE", "x"));
            assertThat(imported.await(60, TimeUnit.SECONDS)).as("woken by IDLE, not by the 30-minute schedule").isTrue();
        } finally {
            poller.close();
        }
        assertThat(state.tryLease(SUPPORT, "other-node", Duration.ofMinutes(1))).as("the closed poller's lease is free at once").isTrue();
        assertThat(awaitIdleThread(false)).as("no IDLE thread left after close").isTrue();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("mailroom-inbound-poller") && t.isAlive());
        assertThat(tickets.subjects()).containsExactly("Per IDLE");
    }

    @Test
    @DisplayName("F1: a poller closed while its watcher idles leaves the fetch lease free at once: another node fetches without waiting"
            + " out the lease; no thread left")
    void idleHoldsNoLease() throws Exception {
        InboundPoller poller = InboundPoller.builder(Inbound.builder(state, new Fixtures.Tickets()).build(), state).node("idle-node")
                .interval(Duration.ofMinutes(30)).idle(true)
                .account(SUPPORT, () -> imapAccount(mail), FetchOptions.defaults()).build();
        try {
            poller.fetchNow(SUPPORT);
            poller.start();
            waitUntilIdling();
            assertThat(state.tryLease(SUPPORT, "other-node", Duration.ofMinutes(1))).as("idling takes no fetch lease").isTrue();
            state.releaseLease(SUPPORT, "other-node");
        } finally {
            poller.close();
        }
        assertThat(state.tryLease(SUPPORT, "other-node", Duration.ofMinutes(1))).as("free after close").isTrue();
        assertThat(awaitIdleThread(false)).as("no IDLE thread left after close").isTrue();
    }

    /** Waits (bounded) until GreenMail sees the watcher's connection in IDLE, polling the server's session list. */
    private void waitUntilIdling() throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < end) {
            boolean idling = Thread.getAllStackTraces().entrySet().stream()
                    .anyMatch(e -> e.getKey().getName().startsWith("mailroom-inbound-idle")
                            && java.util.Arrays.stream(e.getValue()).anyMatch(f -> f.getMethodName().equals("readIdleResponse")));
            if (idling) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(20); // a bounded poll of a condition (no hook into Angus' IDLE), not a timed guess
        }
        throw new AssertionError("the watcher did not enter IDLE within 10 s");
    }

    private static boolean awaitIdleThread(boolean present) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < end) {
            boolean found = Thread.getAllStackTraces().keySet().stream()
                    .anyMatch(t -> t.getName().startsWith("mailroom-inbound-idle") && t.isAlive());
            if (found == present) {
                return true;
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
        return false;
    }
}
