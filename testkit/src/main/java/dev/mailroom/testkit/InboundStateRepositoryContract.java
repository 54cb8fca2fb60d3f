package dev.mailroom.testkit;

import dev.mailroom.AccountId;
import dev.mailroom.spi.InboundEntry;
import dev.mailroom.spi.InboundKey;
import dev.mailroom.spi.InboundStateRepository;
import dev.mailroom.spi.QuarantinedMessage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract every {@link InboundStateRepository} must keep, Mailroom's and a host's: a message goes from
 * failed attempts to stored, then acknowledged, or into quarantine with its raw bytes; stored and acknowledged
 * stay so; pending acknowledgements are listed across UIDVALIDITY values; content keys are found per account;
 * the cursor only moves forward, per folder and UIDVALIDITY; one node at a time holds an account's fetch lease. Extend it and return a fresh, empty repository
 * from {@link #newRepository()}.
 */
public abstract class InboundStateRepositoryContract {
    private static final AccountId ACCOUNT = AccountId.of("support");
    private static final AccountId OTHER = AccountId.of("sales");
    private InboundStateRepository repo;

    /** For subclasses. */
    protected InboundStateRepositoryContract() {
    }

    /**
     * A fresh, empty repository for each test.
     *
     * @return the repository under test
     */
    protected abstract InboundStateRepository newRepository();

    @BeforeEach
    final void createRepository() {
        repo = newRepository();
    }

    private static InboundKey key(long uidValidity, long uid) {
        return new InboundKey(ACCOUNT, "INBOX", uidValidity, Long.toString(uid));
    }

    @Test
    @DisplayName("F2: an unknown message has no entry; stored, then acked, each idempotent")
    void storedThenAcked() {
        InboundKey k = key(7, 1);
        assertTrue(repo.find(k).isEmpty());
        repo.stored(k, "ck1");
        repo.stored(k, "ck1");
        assertEquals(InboundEntry.State.STORED, repo.find(k).orElseThrow().state());
        repo.acked(k);
        repo.acked(k);
        repo.stored(k, "ck1");
        InboundEntry e = repo.find(k).orElseThrow();
        assertEquals(InboundEntry.State.ACKED, e.state());
        assertEquals("ck1", e.contentKey());
    }

    @Test
    @DisplayName("F2: acknowledging a message that was never stored is refused")
    void ackNeedsStored() {
        assertThrows(IllegalStateException.class, () -> repo.acked(key(7, 9)));
    }

    @Test
    @DisplayName("F2: failed attempts are counted, keep the last error, and end when the message is stored")
    void failedAttemptsCount() {
        InboundKey k = key(7, 2);
        assertEquals(1, repo.failed(k, "ck2", "first"));
        assertEquals(2, repo.failed(k, "ck2", "second"));
        InboundEntry e = repo.find(k).orElseThrow();
        assertEquals(InboundEntry.State.FAILED, e.state());
        assertEquals(2, e.attempts());
        assertEquals("second", e.lastError().orElseThrow());
        assertFalse(repo.contentTaken(ACCOUNT, "ck2"), "a failed message is not taken");
        repo.stored(k, "ck2");
        assertEquals(InboundEntry.State.STORED, repo.find(k).orElseThrow().state());
        assertThrows(IllegalStateException.class, () -> repo.failed(k, "ck2", "late"));
    }

    @Test
    @DisplayName("F2: quarantine keeps the raw bytes and the reason, per account")
    void quarantineKeepsRaw() {
        InboundKey k = key(7, 3);
        byte[] raw = "Subject: bomb\r\n\r\nbody".getBytes(StandardCharsets.US_ASCII);
        repo.failed(k, "ck3", "boom");
        repo.quarantine(k, "ck3", "boom", raw);
        repo.quarantine(k, "ck3", "boom", raw);
        assertEquals(InboundEntry.State.QUARANTINED, repo.find(k).orElseThrow().state());
        List<QuarantinedMessage> q = repo.quarantined(ACCOUNT);
        assertEquals(1, q.size());
        assertArrayEquals(raw, q.get(0).raw());
        assertEquals("boom", q.get(0).reason());
        assertEquals(k, q.get(0).key());
        assertTrue(repo.quarantined(OTHER).isEmpty());
        assertTrue(repo.contentTaken(ACCOUNT, "ck3"));
    }

    @Test
    @DisplayName("F2: pending acknowledgements span UIDVALIDITY values, oldest first, and leave when acked")
    void pendingAcks() {
        repo.stored(key(7, 4), "a");
        repo.stored(key(8, 1), "b");
        repo.stored(key(8, 2), "c");
        repo.acked(key(8, 2));
        repo.stored(new InboundKey(ACCOUNT, "Other", 8, "5"), "d");
        repo.stored(new InboundKey(OTHER, "INBOX", 8, "6"), "e");
        List<InboundEntry> pending = repo.pendingAcks(ACCOUNT, "INBOX");
        assertEquals(List.of(key(7, 4), key(8, 1)), pending.stream().map(InboundEntry::key).toList());
    }

    @Test
    @DisplayName("F4: a skipped message keeps its reason, does not count as taken, cannot be acknowledged, and may be stored later")
    void skipped() {
        InboundKey k = key(7, 6);
        repo.skipped(k, "sk", "not addressed to support@acme.test");
        repo.skipped(k, "sk", "not addressed to support@acme.test");
        InboundEntry e = repo.find(k).orElseThrow();
        assertEquals(InboundEntry.State.SKIPPED, e.state());
        assertEquals("not addressed to support@acme.test", e.lastError().orElseThrow());
        assertFalse(repo.contentTaken(ACCOUNT, "sk"));
        assertThrows(IllegalStateException.class, () -> repo.acked(k));
        repo.stored(k, "sk");
        repo.skipped(k, "sk", "late");
        assertEquals(InboundEntry.State.STORED, repo.find(k).orElseThrow().state());
    }

    @Test
    @DisplayName("F2: content keys are found per account, whatever the key they were taken under")
    void contentPerAccount() {
        repo.stored(key(7, 5), "same");
        assertTrue(repo.contentTaken(ACCOUNT, "same"));
        assertFalse(repo.contentTaken(OTHER, "same"));
        assertFalse(repo.contentTaken(ACCOUNT, "other"));
    }

    @Test
    @DisplayName("F2: the cursor moves only forward, per folder and UIDVALIDITY")
    void cursor() {
        assertEquals(OptionalLong.empty(), repo.cursor(ACCOUNT, "INBOX", 7));
        assertFalse(repo.hasAnyCursor(ACCOUNT, "INBOX"));
        repo.advanceCursor(ACCOUNT, "INBOX", 7, 10);
        repo.advanceCursor(ACCOUNT, "INBOX", 7, 4);
        assertEquals(OptionalLong.of(10), repo.cursor(ACCOUNT, "INBOX", 7));
        repo.advanceCursor(ACCOUNT, "INBOX", 7, 12);
        assertEquals(OptionalLong.of(12), repo.cursor(ACCOUNT, "INBOX", 7));
        assertEquals(OptionalLong.empty(), repo.cursor(ACCOUNT, "INBOX", 8));
        assertEquals(OptionalLong.empty(), repo.cursor(ACCOUNT, "Archive", 7));
        assertEquals(OptionalLong.empty(), repo.cursor(OTHER, "INBOX", 7));
        assertTrue(repo.hasAnyCursor(ACCOUNT, "INBOX"));
        assertFalse(repo.hasAnyCursor(OTHER, "INBOX"));
    }

    @Test
    @DisplayName("F1: one node holds an account's fetch lease; it renews it; others get it once released or run out")
    void lease() {
        assertTrue(repo.tryLease(ACCOUNT, "node-a", Duration.ofMinutes(5)));
        assertFalse(repo.tryLease(ACCOUNT, "node-b", Duration.ofMinutes(5)));
        assertTrue(repo.tryLease(ACCOUNT, "node-a", Duration.ofMinutes(5)), "the holder renews");
        assertTrue(repo.tryLease(OTHER, "node-b", Duration.ofMinutes(5)), "leases are per account");
        repo.releaseLease(ACCOUNT, "node-b"); // not the holder: nothing happens
        assertFalse(repo.tryLease(ACCOUNT, "node-b", Duration.ofMinutes(5)));
        repo.releaseLease(ACCOUNT, "node-a");
        assertTrue(repo.tryLease(ACCOUNT, "node-b", Duration.ZERO));
        assertTrue(repo.tryLease(ACCOUNT, "node-a", Duration.ofMinutes(5)), "a lease of zero duration has run out at once");
        assertFalse(repo.tryLease(ACCOUNT, "node-b", Duration.ofMinutes(5)));
    }

    // ---- Local archive of imported mail ----

    @Test
    @DisplayName("F8 contract: an imported message is archived once with its bytes, listed per account, deleted locally")
    void archive() {
        InboundKey k = key(7, 30);
        byte[] raw = "Subject: kept\r\n\r\nbody".getBytes(StandardCharsets.US_ASCII);
        assertTrue(repo.archived(k).isEmpty());
        repo.archive(k, "ck30", raw);
        repo.archive(k, "ck30", "other".getBytes(StandardCharsets.US_ASCII)); // idempotent: the first copy stays
        dev.mailroom.spi.ArchivedMessage a = repo.archived(k).orElseThrow();
        assertEquals(k, a.key());
        assertEquals("ck30", a.contentKey());
        assertArrayEquals(raw, a.raw());
        repo.archive(key(7, 31), "ck31", new byte[] {1, 2, 3});
        repo.archive(new InboundKey(OTHER, "INBOX", 7, "31"), "ck31", new byte[] {4});
        assertEquals(List.of(k, key(7, 31)), repo.archived(ACCOUNT, 10).stream().map(dev.mailroom.spi.ArchivedMessage::key).toList());
        assertEquals(1, repo.archived(ACCOUNT, 1).size());
        assertTrue(repo.deleteArchived(k));
        assertFalse(repo.deleteArchived(k));
        assertTrue(repo.archived(k).isEmpty());
        assertEquals(1, repo.archived(OTHER, 10).size(), "other accounts keep theirs");
        assertThrows(IllegalArgumentException.class, () -> repo.archived(ACCOUNT, 0));
    }

    @Test
    @DisplayName("F8 contract: purging keeps what is younger than the retention; zero purges everything archived so far, per account")
    void purgeArchive() {
        repo.archive(key(7, 40), "ck40", new byte[] {1});
        repo.archive(new InboundKey(OTHER, "INBOX", 7, "40"), "ck40", new byte[] {2});
        assertEquals(0, repo.purgeArchive(ACCOUNT, Duration.ofDays(1)));
        assertTrue(repo.archived(key(7, 40)).isPresent());
        assertEquals(1, repo.purgeArchive(ACCOUNT, Duration.ZERO));
        assertTrue(repo.archived(key(7, 40)).isEmpty());
        assertEquals(1, repo.archived(OTHER, 10).size());
        assertThrows(IllegalArgumentException.class, () -> repo.purgeArchive(ACCOUNT, Duration.ofDays(-1)));
    }

    // ---- Ticket routing: Message-ID memory, bundling, auto-reply counters (docs/adr/030) ----

    @Test
    @DisplayName("F5: a remembered Message-ID finds its ticket, per account; the first ticket stays; its sender is a participant")
    void ticketMails() {
        assertTrue(repo.ticketOfMail(ACCOUNT, "<a@example.test>").isEmpty());
        repo.rememberTicketMail(ACCOUNT, "<a@example.test>", "4711", "kunde@example.test");
        repo.rememberTicketMail(ACCOUNT, "<a@example.test>", "4712", "kunde@example.test");
        assertEquals(java.util.Optional.of("4711"), repo.ticketOfMail(ACCOUNT, "<a@example.test>"));
        assertTrue(repo.ticketOfMail(OTHER, "<a@example.test>").isEmpty(), "per account");
        assertTrue(repo.wroteToTicket(ACCOUNT, "4711", "kunde@example.test"));
        assertFalse(repo.wroteToTicket(ACCOUNT, "4711", "fremder@example.test"));
        assertFalse(repo.wroteToTicket(ACCOUNT, "4712", "kunde@example.test"));
        assertFalse(repo.wroteToTicket(OTHER, "4711", "kunde@example.test"));
    }

    @Test
    @DisplayName("F6: a bundle is found within its window, refreshed by remembering it again, per account")
    void bundles() {
        assertTrue(repo.bundleTicket(ACCOUNT, "k", Duration.ofMinutes(2)).isEmpty());
        repo.rememberBundle(ACCOUNT, "k", "4711");
        assertEquals(java.util.Optional.of("4711"), repo.bundleTicket(ACCOUNT, "k", Duration.ofMinutes(2)));
        assertTrue(repo.bundleTicket(OTHER, "k", Duration.ofMinutes(2)).isEmpty());
        assertTrue(repo.bundleTicket(ACCOUNT, "other", Duration.ofMinutes(2)).isEmpty());
        assertTrue(repo.bundleTicket(ACCOUNT, "k", Duration.ofMillis(-1)).isEmpty(), "outside the window");
        repo.rememberBundle(ACCOUNT, "k", "4800");
        assertEquals(java.util.Optional.of("4800"), repo.bundleTicket(ACCOUNT, "k", Duration.ofMinutes(2)));
    }

    @Test
    @DisplayName("F5-F7: a routing decision is remembered by content key, per account; the first stays, the reply flag only goes up")
    void routedMails() {
        assertTrue(repo.routedMail(ACCOUNT, "ck1").isEmpty());
        repo.rememberRouted(ACCOUNT, "ck1", new dev.mailroom.spi.RoutedMail("T1", "NEW", false));
        repo.rememberRouted(ACCOUNT, "ck1", new dev.mailroom.spi.RoutedMail("T2", "BUNDLED", false));
        assertEquals(java.util.Optional.of(new dev.mailroom.spi.RoutedMail("T1", "NEW", false)), repo.routedMail(ACCOUNT, "ck1"));
        repo.rememberRouted(ACCOUNT, "ck1", new dev.mailroom.spi.RoutedMail("T1", "NEW", true));
        repo.rememberRouted(ACCOUNT, "ck1", new dev.mailroom.spi.RoutedMail("T1", "NEW", false));
        assertEquals(java.util.Optional.of(new dev.mailroom.spi.RoutedMail("T1", "NEW", true)), repo.routedMail(ACCOUNT, "ck1"));
        assertTrue(repo.routedMail(OTHER, "ck1").isEmpty(), "per account");
    }

    @Test
    @DisplayName("F7: auto-replies are counted per account, recipient and day, with a cap per recipient over all accounts")
    void autoReplyCounters() {
        java.time.LocalDate day = java.time.LocalDate.of(2026, 11, 29);
        assertTrue(repo.tryTakeAutoReply(ACCOUNT, "kunde@example.test", day, 1, 2));
        assertFalse(repo.tryTakeAutoReply(ACCOUNT, "kunde@example.test", day, 1, 2), "one per sender and day");
        assertTrue(repo.tryTakeAutoReply(ACCOUNT, "kunde@example.test", day.plusDays(1), 1, 2), "a new day");
        assertTrue(repo.tryTakeAutoReply(ACCOUNT, "other@example.test", day, 1, 2), "another recipient");
        assertTrue(repo.tryTakeAutoReply(OTHER, "kunde@example.test", day, 1, 2), "another account");
        assertFalse(repo.tryTakeAutoReply(AccountId.of("third"), "kunde@example.test", day, 1, 2), "the cap per recipient and day");
        assertThrows(IllegalArgumentException.class, () -> repo.tryTakeAutoReply(ACCOUNT, "x@example.test", day, 0, 2));
    }

    @Test
    @DisplayName("F7: taking auto-replies concurrently never exceeds the limit")
    void autoReplyCountersConcurrently() throws Exception {
        java.time.LocalDate day = java.time.LocalDate.of(2026, 11, 29);
        int threads = 6;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                AccountId account = t % 2 == 0 ? ACCOUNT : OTHER;
                results.add(pool.submit(() -> {
                    start.await(10, java.util.concurrent.TimeUnit.SECONDS);
                    return repo.tryTakeAutoReply(account, "loop@example.test", day, 2, 3);
                }));
            }
            start.countDown();
            int taken = 0;
            for (java.util.concurrent.Future<Boolean> f : results) {
                taken += f.get(30, java.util.concurrent.TimeUnit.SECONDS) ? 1 : 0;
            }
            assertEquals(3, taken, "the cap of 3 over both accounts");
        } finally {
            pool.shutdownNow();
        }
    }
}
