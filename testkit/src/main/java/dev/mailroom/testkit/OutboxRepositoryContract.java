package dev.mailroom.testkit;

import dev.mailroom.AccountId;
import dev.mailroom.EmailAddress;
import dev.mailroom.spi.OutboxRepository;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every {@link OutboxRepository} must keep beyond a plain queue (issue #4): the claim order ("one
 * account never delays another": accounts take turns, each account's mail goes in enqueue order, mail due
 * again after a retry or a hold goes to the head) and the retention of finished entries. Mailroom's stores
 * run it; a host with its own outbox extends it and returns a fresh, empty outbox from {@link #newOutbox()}.
 *
 * <p>It also holds an implementation to the rules that keep mail from being lost or sent twice unflagged,
 * tested on the repository alone (no {@code Mailroom}, no mail server):
 * <ul>
 * <li><b>Fencing.</b> Only the worker that holds an entry's lease may finish it: {@code markSent},
 * {@code markRetry}, {@code markFailed}, {@code markHeld} and {@code markPartial} by any other worker, or on
 * an entry that is not in flight, return false and change nothing. Once a lease expires, the next
 * {@code claim} by any worker takes the entry again and flags it {@link OutboxRepository.Entry#possibleDuplicate()
 * possibleDuplicate}; from then on the first worker's late calls return false.</li>
 * <li><b>Idempotency.</b> An insert with an idempotency key seen before (and not yet purged) stores nothing
 * and returns the stored entry, with its id and Message-ID; {@code insertAll} returns it in that entry's
 * place. Different keys are different entries.</li>
 * <li><b>Partial delivery.</b> {@code markPartial(id, worker, remaining, delay, error)} puts the entry back
 * for the remaining recipients only, flags it {@link OutboxRepository.Entry#partlySent() partlySent}, counts
 * one attempt, keeps the payload byte for byte and makes it due {@code delay} later (store clock). An empty
 * {@code remaining} list is refused with an {@link IllegalArgumentException} and changes nothing.</li>
 * </ul>
 * The lease tests use leases of a millisecond and wait, with a bound, until the store's clock has passed them.
 */
public abstract class OutboxRepositoryContract {
    private static final Duration LEASE = Duration.ofMinutes(5);
    private OutboxRepository outbox;

    /** For subclasses. */
    protected OutboxRepositoryContract() {
    }

    /**
     * A fresh, empty outbox for each test.
     *
     * @return the outbox under test
     */
    protected abstract OutboxRepository newOutbox();

    @BeforeEach
    void setUpOutbox() {
        outbox = newOutbox();
    }

    private static OutboxRepository.NewEntry mail(String account, int n) {
        return mail(account, n, null);
    }

    private static OutboxRepository.NewEntry mail(String account, int n, String idempotencyKey) {
        String id = "<" + account + "-" + n + "@order.test>";
        return OutboxRepository.NewEntry.builder().idempotencyKey(idempotencyKey).messageId(id).accountId(AccountId.of(account))
                .transport("smtp").envelopeFrom(EmailAddress.of(account + "@order.test"))
                .recipients(List.of(EmailAddress.of("to@order.test"))).payload(("Message-ID: " + id + "\r\n\r\nbody\r\n")
                .getBytes(StandardCharsets.US_ASCII)).build();
    }

    private List<OutboxRepository.Entry> burst(String account, int count) {
        return outbox.insertAll(IntStream.rangeClosed(1, count).mapToObj(n -> mail(account, n)).toList());
    }

    private static String account(OutboxRepository.Entry e) {
        return e.accountId().value();
    }

    @Test
    @DisplayName("#4 order: a 300-mail burst of one account does not hold back another account's newer mail")
    void burst_doesNotHoldBackNewcomer() {
        burst("bulk", 300);
        OutboxRepository.Entry urgent = outbox.insert(mail("urgent", 1));
        List<OutboxRepository.Entry> first = outbox.claim("w1", 10, LEASE);
        assertEquals(10, first.size());
        assertTrue(first.stream().anyMatch(e -> e.id() == urgent.id()), "the newcomer is in the first claim of 10, not behind 300: " + first);
        List<String> bulk = first.stream().filter(e -> account(e).equals("bulk")).map(OutboxRepository.Entry::messageId).toList();
        assertEquals(IntStream.rangeClosed(1, bulk.size()).mapToObj(n -> "<bulk-" + n + "@order.test>").toList(), bulk,
                "one account's mail goes in enqueue order");
    }

    @Test
    @DisplayName("#4 order: two accounts with backlogs take turns; each keeps its own enqueue order")
    void twoBacklogs_takeTurns() {
        burst("a", 100);
        burst("b", 100);
        List<OutboxRepository.Entry> claimed = new ArrayList<>();
        while (claimed.size() < 40) {
            List<OutboxRepository.Entry> batch = outbox.claim("w1", 10, LEASE);
            assertFalse(batch.isEmpty());
            claimed.addAll(batch);
        }
        long a = claimed.stream().filter(e -> account(e).equals("a")).count();
        long b = claimed.stream().filter(e -> account(e).equals("b")).count();
        assertTrue(a >= 18 && b >= 18, "of the first 40, a got " + a + " and b got " + b + " (FIFO would give b none)");
        for (String acc : List.of("a", "b")) {
            List<String> ids = claimed.stream().filter(e -> account(e).equals(acc)).map(OutboxRepository.Entry::messageId).toList();
            assertEquals(IntStream.rangeClosed(1, ids.size()).mapToObj(n -> "<" + acc + "-" + n + "@order.test>").toList(), ids);
        }
    }

    @Test
    @DisplayName("#4 order: a mail due again after a retry goes to the head, before the backlog behind it")
    void retry_goesToHead() {
        burst("a", 50);
        OutboxRepository.Entry first = outbox.claim("w1", 1, LEASE).get(0);
        assertEquals("<a-1@order.test>", first.messageId());
        assertTrue(outbox.markRetry(first.id(), "w1", Duration.ZERO, "451 try again", true, false));
        burst("b", 50);
        OutboxRepository.Entry next = outbox.claim("w1", 1, LEASE).get(0);
        assertEquals(first.id(), next.id(), "the retried mail comes first");
        assertEquals(1, next.attempts());
        assertFalse(next.possibleDuplicate());
    }

    @Test
    @DisplayName("#4 order: mail of a held account is not claimed; released, it goes out in its order from the head")
    void held_thenReleased_inOrder() {
        burst("a", 5);
        assertEquals(5, outbox.postpone(AccountId.of("a"), Duration.ofHours(1), "held: 535 authentication failed"));
        outbox.insert(mail("b", 1));
        List<OutboxRepository.Entry> whileHeld = outbox.claim("w1", 10, LEASE);
        assertEquals(List.of("<b-1@order.test>"), whileHeld.stream().map(OutboxRepository.Entry::messageId).toList(),
                "only the other account's mail is claimed while a is held");
        assertEquals(5, outbox.resumeHeld());
        outbox.insert(mail("b", 2));
        List<OutboxRepository.Entry> after = outbox.claim("w1", 10, LEASE);
        assertEquals(6, after.size());
        assertEquals("<a-1@order.test>", after.get(0).messageId(), "the released mail starts at the head");
        assertEquals(IntStream.rangeClosed(1, 5).mapToObj(n -> "<a-" + n + "@order.test>").toList(),
                after.stream().filter(e -> account(e).equals("a")).map(OutboxRepository.Entry::messageId).toList());
        assertTrue(after.stream().allMatch(e -> e.attempts() == 0), "a hold is not an attempt");
    }

    /** Claims until the entries are all claimed (the store's clock must pass their due time), within 10 s. */
    private List<OutboxRepository.Entry> claimWhenDue(String worker, int count) {
        List<OutboxRepository.Entry> out = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (out.size() < count) {
            assertTrue(System.nanoTime() < deadline, "claimed " + out.size() + " of " + count + " within 10 s");
            out.addAll(outbox.claim(worker, count - out.size(), LEASE));
            Thread.onSpinWait();
        }
        return out;
    }

    @Test
    @DisplayName("#10.5 fencing: renew extends the leases a worker still holds and names them; not another worker's, not a finished entry's")
    void renew_onlyLeasesStillHeld() {
        burst("a", 3);
        List<Long> ids = outbox.claim("w1", 3, LEASE).stream().map(OutboxRepository.Entry::id).toList();
        assertEquals(3, ids.size());
        assertEquals(ids, outbox.renew("w1", ids, LEASE));
        assertEquals(List.of(), outbox.renew("w2", ids, LEASE), "another worker's leases are not renewed");
        assertTrue(outbox.markSent(ids.get(0), "w1"));
        assertEquals(ids.subList(1, 3), outbox.renew("w1", ids, LEASE), "a sent entry has no lease to renew");
    }

    @Test
    @DisplayName("#10.5 fencing: an expired lease is not renewed, so the worker does not send; the next claim takes it as a possible duplicate")
    void renew_expiredLeaseIsLost() {
        OutboxRepository.Entry e = outbox.insert(mail("a", 1));
        assertEquals(1, outbox.claim("w1", 1, Duration.ofMillis(1)).size());
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!outbox.renew("w1", List.of(e.id()), Duration.ofMillis(1)).isEmpty()) { // the store's clock must pass the 1 ms lease
            assertTrue(System.nanoTime() < deadline, "the 1 ms lease expired within 10 s");
            Thread.onSpinWait();
        }
        assertEquals(List.of(), outbox.renew("w1", List.of(e.id()), LEASE), "once expired, stays lost");
        OutboxRepository.Entry again = claimWhenDue("w2", 1).get(0);
        assertEquals(e.id(), again.id());
        assertTrue(again.possibleDuplicate());
        assertFalse(outbox.markSent(e.id(), "w1"), "the first worker is fenced off");
        assertEquals(List.of(e.id()), outbox.renew("w2", List.of(e.id()), LEASE));
    }

    @Test
    @DisplayName("#10.7: a claimed entry put back without an attempt (markRetry, not counted) is not a possible duplicate and is claimed again at once")
    void release_notADuplicate() {
        OutboxRepository.Entry e = outbox.insert(mail("a", 1));
        assertEquals(1, outbox.claim("w1", 1, LEASE).size());
        assertTrue(outbox.markRetry(e.id(), "w1", Duration.ZERO, "released: not sent", false, false));
        OutboxRepository.Entry again = claimWhenDue("w2", 1).get(0);
        assertEquals(e.id(), again.id());
        assertFalse(again.possibleDuplicate());
        assertEquals(0, again.attempts());
    }

    @Test
    @DisplayName("#10.4 age: on the store's clock; time held for an account problem does not count, time deferred for an unreachable server does")
    void age_leavesOutAccountHolds() {
        // generous margins: on a loaded machine a store round trip can take a few hundred milliseconds
        Duration hold = Duration.ofMillis(1500);
        Duration slack = Duration.ofMillis(1000);
        OutboxRepository.Entry fresh = outbox.insert(mail("held", 1));
        assertTrue(fresh.age() == null || fresh.age().compareTo(Duration.ofSeconds(5)) < 0, "a new entry is young: " + fresh.age());
        outbox.insert(mail("down", 1));
        assertEquals(1, outbox.postpone(dev.mailroom.AccountId.of("held"), hold, "held: 535 5.7.8", dev.mailroom.MailErrorCode.Category.AUTHENTICATION));
        assertEquals(1, outbox.postpone(dev.mailroom.AccountId.of("down"), hold, "held: connection refused",
                dev.mailroom.MailErrorCode.Category.CONNECTION));
        List<OutboxRepository.Entry> claimed = claimWhenDue("w1", 2);
        OutboxRepository.Entry held = claimed.stream().filter(e -> account(e).equals("held")).findFirst().orElseThrow();
        OutboxRepository.Entry down = claimed.stream().filter(e -> account(e).equals("down")).findFirst().orElseThrow();
        if (held.age() == null) {
            return; // this store does not measure the age; the workers measure from createdAt
        }
        assertTrue(down.age().compareTo(hold) >= 0, "the unreachable server's time counts: " + down.age());
        assertTrue(held.age().plus(slack).compareTo(down.age()) <= 0,
                "the account hold's time does not count: held " + held.age() + ", deferred " + down.age());
        // held again on claim (markHeld), then released by a settings change (resumeHeld): still not counted
        assertTrue(outbox.markHeld(held.id(), "w1", Duration.ofHours(1), "held: 535 5.7.8", dev.mailroom.MailErrorCode.Category.AUTHENTICATION));
        long until = System.nanoTime() + hold.toNanos();
        while (System.nanoTime() < until) { // let the store's clock run while it is held
            java.util.concurrent.locks.LockSupport.parkNanos(until - System.nanoTime());
        }
        assertEquals(1, outbox.resumeHeld());
        OutboxRepository.Entry again = claimWhenDue("w1", 1).get(0);
        assertEquals(held.id(), again.id());
        assertTrue(again.age().compareTo(held.age().plus(slack)) < 0,
                "held again, then released: " + again.age() + " after " + held.age());
    }

    @Test
    @DisplayName("#4 retention: sent and failed entries past the retention are deleted with their payloads; queued and in-flight ones stay;"
            + " the idempotency key is free again")
    void purgeFinished_onlyFinishedPastRetention() {
        List<OutboxRepository.Entry> stored = outbox.insertAll(List.of(mail("a", 1, "invoice-4711"), mail("a", 2), mail("a", 3), mail("a", 4)));
        List<OutboxRepository.Entry> claimed = outbox.claim("w1", 3, LEASE);
        assertEquals(stored.subList(0, 3).stream().map(OutboxRepository.Entry::id).toList(), claimed.stream().map(OutboxRepository.Entry::id).toList());
        assertTrue(outbox.markSent(claimed.get(0).id(), "w1"));
        assertTrue(outbox.markFailed(claimed.get(1).id(), "w1", "550 5.1.1 user unknown"));
        assertEquals(0, outbox.purgeFinished(Duration.ofDays(1)), "finished just now: kept");

        int purged = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (purged < 2) { // the store's clock must move past the 1 ms retention
            assertTrue(System.nanoTime() < deadline, "purged " + purged + " of 2 within 10 s");
            purged += outbox.purgeFinished(Duration.ofMillis(1));
        }
        assertEquals(2, purged);
        assertFalse(outbox.find(stored.get(0).id()).isPresent(), "sent: deleted");
        assertFalse(outbox.find(stored.get(1).id()).isPresent(), "failed: deleted");
        assertEquals(OutboxRepository.Status.IN_FLIGHT, outbox.find(stored.get(2).id()).orElseThrow().status(), "in flight: kept");
        assertEquals(OutboxRepository.Status.QUEUED, outbox.find(stored.get(3).id()).orElseThrow().status(), "queued: kept");
        assertEquals(List.of(stored.get(3).id()), outbox.claim("w1", 10, LEASE).stream().map(OutboxRepository.Entry::id).toList());
        OutboxRepository.Entry again = outbox.insert(mail("a", 1, "invoice-4711"));
        assertTrue(again.id() != stored.get(0).id(), "the key of a deleted entry is free again");
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> outbox.purgeFinished(Duration.ZERO));
    }

    /** A payload of {@code size} pseudo-random bytes that exists only as a stream (no array behind it). */
    private static dev.mailroom.spi.Payload streamed(int size, int seed) {
        return new dev.mailroom.spi.Payload() {
            @Override
            public long size() {
                return size;
            }

            @Override
            public java.io.InputStream open() {
                java.util.Random random = new java.util.Random(seed);
                return new java.io.InputStream() {
                    private int left = size;

                    @Override
                    public int read() {
                        return left-- > 0 ? random.nextInt(256) : -1;
                    }
                };
            }
        };
    }

    private static byte[] bytes(dev.mailroom.spi.Payload payload) {
        try {
            return payload.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] read(java.io.InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    @DisplayName("#10.8: a payload given as a stream (1.5 MB, 100 bytes, empty) is stored whole and read back byte for byte by payload and openPayload")
    void streamedPayload_readBackAsStream() {
        OutboxRepository.NewEntry template = mail("s", 1);
        List<OutboxRepository.NewEntry> entries = new ArrayList<>();
        for (int size : new int[] {1_500_000, 100, 0}) {
            entries.add(OutboxRepository.NewEntry.builder().messageId("<stream-" + size + "@order.test>")
                    .accountId(template.accountId()).transport("smtp").envelopeFrom(template.envelopeFrom())
                    .recipients(template.recipients()).content(streamed(size, size)).operation(template.operation()).build());
        }
        List<OutboxRepository.Entry> stored = outbox.insertAll(entries);
        for (int i = 0; i < entries.size(); i++) {
            byte[] expected = bytes(entries.get(i).content());
            long id = stored.get(i).id();
            org.junit.jupiter.api.Assertions.assertArrayEquals(expected, read(outbox.openPayload(id)), "openPayload of " + expected.length + " bytes");
            org.junit.jupiter.api.Assertions.assertArrayEquals(expected, outbox.payload(id), "payload of " + expected.length + " bytes");
        }
        OutboxRepository.Entry single = outbox.insert(OutboxRepository.NewEntry.builder().messageId("<stream-one@order.test>")
                .accountId(template.accountId()).transport("smtp").envelopeFrom(template.envelopeFrom())
                .recipients(template.recipients()).content(streamed(700_000, 7)).operation(template.operation()).build());
        org.junit.jupiter.api.Assertions.assertArrayEquals(bytes(streamed(700_000, 7)), read(outbox.openPayload(single.id())));
    }

    @Test
    @DisplayName("#10.8: a large payload is never among the small payloads of a batch; a small one is, byte for byte (the batch read stays)")
    void smallPayloads_leaveLargeToTheStream() {
        OutboxRepository.NewEntry small = mail("s", 1);
        OutboxRepository.NewEntry template = mail("s", 2);
        OutboxRepository.NewEntry large = OutboxRepository.NewEntry.builder().messageId("<large@order.test>")
                .accountId(template.accountId()).transport("smtp").envelopeFrom(template.envelopeFrom())
                .recipients(template.recipients()).content(streamed(2_000_000, 3)).operation(template.operation()).build();
        List<OutboxRepository.Entry> stored = outbox.insertAll(List.of(small, large));
        java.util.Map<Long, byte[]> read = outbox.smallPayloads(stored.stream().map(OutboxRepository.Entry::id).toList(), 512 * 1024);
        assertFalse(read.containsKey(stored.get(1).id()), "the 2 MB payload is read as a stream");
        if (read.containsKey(stored.get(0).id())) { // a store may read every payload on its own
            org.junit.jupiter.api.Assertions.assertArrayEquals(small.payload(), read.get(stored.get(0).id()));
        }
    }

    @Test
    @DisplayName("#10.19 administration: entries by status, by account and possible duplicates, newest first; counts per status")
    void query_byStatusAccountAndDuplicates() {
        List<OutboxRepository.Entry> a = burst("a", 3);
        List<OutboxRepository.Entry> b = burst("b", 2);
        List<OutboxRepository.Entry> claimed = outbox.claim("w1", 10, LEASE);
        assertEquals(5, claimed.size());
        assertTrue(outbox.markSent(a.get(0).id(), "w1"));
        assertTrue(outbox.markFailed(b.get(0).id(), "w1", "PERMANENT_FAILURE: 554 no"));
        assertTrue(outbox.markRetry(a.get(1).id(), "w1", Duration.ofHours(1), "DELIVERY_UNCERTAIN: broken pipe after the final dot", true, true));
        // a.get(2) and b.get(1) stay in flight

        OutboxRepository.Query all = OutboxRepository.Query.all();
        assertEquals(List.of(b.get(1).id(), b.get(0).id(), a.get(2).id(), a.get(1).id(), a.get(0).id()), ids(outbox.query(all)), "newest first");
        assertEquals(List.of(b.get(0).id()), ids(outbox.query(all.status(OutboxRepository.Status.FAILED))));
        assertEquals(List.of(a.get(1).id()), ids(outbox.query(all.status(OutboxRepository.Status.QUEUED))),
                "waiting for a retry counts as queued");
        assertEquals(List.of(b.get(1).id(), a.get(2).id()), ids(outbox.query(all.status(OutboxRepository.Status.IN_FLIGHT))));
        assertEquals(List.of(a.get(2).id(), a.get(1).id(), a.get(0).id()), ids(outbox.query(all.account(AccountId.of("a")))));
        assertEquals(List.of(a.get(1).id()), ids(outbox.query(all.possibleDuplicates())));
        assertEquals(List.of(b.get(1).id()), ids(outbox.query(all.limit(1))));
        assertEquals("DELIVERY_UNCERTAIN: broken pipe after the final dot", outbox.query(all.possibleDuplicates()).get(0).lastError());

        java.util.Map<OutboxRepository.Status, Long> counts = outbox.countByStatus();
        assertEquals(1L, counts.get(OutboxRepository.Status.QUEUED));
        assertEquals(2L, counts.get(OutboxRepository.Status.IN_FLIGHT));
        assertEquals(1L, counts.get(OutboxRepository.Status.SENT));
        assertEquals(1L, counts.get(OutboxRepository.Status.FAILED));
    }

    private static OutboxRepository.NewEntry mailTo(String account, int n, String idempotencyKey, String... recipients) {
        OutboxRepository.NewEntry m = mail(account, n, idempotencyKey);
        return OutboxRepository.NewEntry.builder().idempotencyKey(idempotencyKey).messageId(m.messageId())
                .accountId(m.accountId()).transport("smtp").envelopeFrom(m.envelopeFrom())
                .recipients(java.util.Arrays.stream(recipients).map(EmailAddress::of).toList()).payload(m.payload())
                .operation(m.operation()).build();
    }

    /** What a mark may change: an entry read before and after a refused mark must show the same. */
    private static List<Object> state(OutboxRepository.Entry e) {
        return java.util.Arrays.asList(e.status(), e.attempts(), e.recipients(), e.dueAt(), e.lastError(), e.possibleDuplicate(), e.partlySent(),
                e.messageId());
    }

    private OutboxRepository.Entry stored(long id) {
        return outbox.find(id).orElseThrow();
    }

    /** Every way to finish an entry, by {@code worker}; each must be refused (false) when the worker does not hold the lease. */
    private void assertAllMarksRefused(long id, String worker) {
        List<Object> before = state(stored(id));
        byte[] payload = outbox.payload(id);
        assertFalse(outbox.markRetry(id, worker, Duration.ZERO, "451 try again", true, true), "markRetry by " + worker);
        assertFalse(outbox.markFailed(id, worker, "550 no"), "markFailed by " + worker);
        assertFalse(outbox.markHeld(id, worker, Duration.ofHours(1), "held: 535 5.7.8"), "markHeld by " + worker);
        assertFalse(outbox.markHeld(id, worker, Duration.ofHours(1), "held: 535 5.7.8", dev.mailroom.MailErrorCode.Category.AUTHENTICATION),
                "markHeld with a cause by " + worker);
        assertFalse(outbox.markPartial(id, worker, List.of(EmailAddress.of("to@order.test")), Duration.ZERO, "451 busy"), "markPartial by " + worker);
        assertFalse(outbox.markSent(id, worker), "markSent by " + worker);
        assertEquals(before, state(stored(id)), "a refused mark changes nothing");
        org.junit.jupiter.api.Assertions.assertArrayEquals(payload, outbox.payload(id), "a refused mark leaves the payload alone");
    }

    @Test
    @DisplayName("#11 fencing: markSent/markRetry/markFailed/markHeld/markPartial by a worker without the lease return false and change nothing")
    void marks_byAnotherWorker_refused() {
        OutboxRepository.Entry e = outbox.insert(mail("a", 1));
        assertAllMarksRefused(e.id(), "w1"); // queued, claimed by nobody
        assertEquals(OutboxRepository.Status.QUEUED, stored(e.id()).status());
        assertEquals(List.of(e.id()), ids(outbox.claim("w1", 1, LEASE)));
        assertAllMarksRefused(e.id(), "w2");
        assertEquals(OutboxRepository.Status.IN_FLIGHT, stored(e.id()).status());
        assertEquals(List.of(), outbox.claim("w2", 1, LEASE), "held by w1's lease");
        assertTrue(outbox.markSent(e.id(), "w1"), "the lease holder still finishes it");
        assertEquals(OutboxRepository.Status.SENT, stored(e.id()).status());
        assertAllMarksRefused(e.id(), "w1"); // finished: no lease left to act on, not even the former holder's
        assertEquals(1, stored(e.id()).attempts());
    }

    @Test
    @DisplayName("#11 fencing: after the lease expires another worker claims the entry as a possible duplicate; the first worker's late marks return false")
    void expiredLease_reclaimedAndFirstWorkerFenced() {
        OutboxRepository.Entry e = outbox.insert(mail("a", 1));
        assertEquals(List.of(e.id()), ids(outbox.claim("w1", 1, Duration.ofMillis(1))));
        OutboxRepository.Entry again = claimWhenDue("w2", 1).get(0); // polls until the store's clock passes the 1 ms lease
        assertEquals(e.id(), again.id());
        assertEquals(e.messageId(), again.messageId());
        assertEquals(OutboxRepository.Status.IN_FLIGHT, again.status());
        assertTrue(again.possibleDuplicate(), "the first worker may have sent it before its lease ran out");
        assertAllMarksRefused(e.id(), "w1");
        assertTrue(outbox.markSent(e.id(), "w2"));
        OutboxRepository.Entry sent = stored(e.id());
        assertEquals(OutboxRepository.Status.SENT, sent.status());
        assertTrue(sent.possibleDuplicate(), "the flag stays on the finished entry");
        assertFalse(outbox.markSent(e.id(), "w1"), "the first worker's late markSent");
    }

    @Test
    @DisplayName("#11 idempotency: a second insert with the same key returns the stored entry (same id, same Message-ID) and stores nothing")
    void insert_sameKey_returnsStored() {
        OutboxRepository.Entry first = outbox.insert(mail("a", 1, "invoice-4711"));
        OutboxRepository.Entry again = outbox.insert(mail("a", 2, "invoice-4711")); // rendered again: a new Message-ID
        assertEquals(first.id(), again.id());
        assertEquals(first.messageId(), again.messageId(), "the stored Message-ID, not the new one");
        assertEquals("invoice-4711", again.idempotencyKey());
        assertEquals(java.util.Map.of(OutboxRepository.Status.QUEUED, 1L), nonZero(outbox.countByStatus()), "one entry stored");
        org.junit.jupiter.api.Assertions.assertArrayEquals(mail("a", 1).payload(), outbox.payload(first.id()), "the first payload is kept");
        assertEquals(List.of(first.id()), ids(outbox.claim("w1", 10, LEASE)), "claimed, and so sent, once");
        assertEquals(first.id(), outbox.insert(mail("a", 3, "invoice-4711")).id(), "in flight: still the stored entry");
        assertTrue(outbox.markSent(first.id(), "w1"));
        OutboxRepository.Entry afterSent = outbox.insert(mail("a", 4, "invoice-4711"));
        assertEquals(first.id(), afterSent.id(), "sent and not yet purged: still the stored entry");
        assertEquals(OutboxRepository.Status.SENT, afterSent.status());
        assertEquals(List.of(), outbox.claim("w1", 10, LEASE), "nothing new to send");
    }

    @Test
    @DisplayName("#11 idempotency: insertAll returns the stored entry in the place of a key seen before; different keys store separately")
    void insertAll_keySeenBefore_returnsStoredInPlace() {
        OutboxRepository.Entry known = outbox.insert(mail("a", 1, "key-1"));
        List<OutboxRepository.Entry> batch = outbox.insertAll(List.of(mail("a", 2, "key-2"), mail("a", 3, "key-1"), mail("b", 4), mail("b", 5, "key-3")));
        assertEquals(4, batch.size());
        assertEquals(known.id(), batch.get(1).id(), "the stored entry in place of the known key");
        assertEquals(known.messageId(), batch.get(1).messageId());
        assertEquals(List.of("<a-2@order.test>", "<a-1@order.test>", "<b-4@order.test>", "<b-5@order.test>"),
                batch.stream().map(OutboxRepository.Entry::messageId).toList(), "the others in their order");
        assertEquals(4, new java.util.HashSet<>(ids(batch)).size(),
                "four distinct entries: " + batch);
        assertEquals(java.util.Map.of(OutboxRepository.Status.QUEUED, 4L), nonZero(outbox.countByStatus()), "one new entry per new key, none for key-1");
        OutboxRepository.Entry other = outbox.insert(mail("a", 6, "key-4"));
        assertFalse(List.of(known.id(), batch.get(0).id(), batch.get(2).id(), batch.get(3).id()).contains(other.id()), "a different key: a new entry");
        assertEquals(java.util.Map.of(OutboxRepository.Status.QUEUED, 5L), nonZero(outbox.countByStatus()));
    }

    private static java.util.Map<OutboxRepository.Status, Long> nonZero(java.util.Map<OutboxRepository.Status, Long> counts) {
        java.util.Map<OutboxRepository.Status, Long> out = new java.util.EnumMap<>(OutboxRepository.Status.class);
        counts.forEach((status, n) -> {
            if (n != null && n != 0) {
                out.put(status, n);
            }
        });
        return out;
    }

    @Test
    @DisplayName("#11 partial delivery: markPartial keeps only the remaining recipients, partlySent, one attempt, the same bytes, due after the delay")
    void markPartial_keepsRemainingOnly() {
        OutboxRepository.NewEntry m = mailTo("a", 1, null, "a@order.test", "b@order.test", "c@order.test");
        OutboxRepository.Entry e = outbox.insert(m);
        assertEquals(List.of(e.id()), ids(outbox.claim("w1", 1, LEASE)));
        Duration delay = Duration.ofHours(1);
        assertTrue(outbox.markPartial(e.id(), "w1", List.of(EmailAddress.of("b@order.test")), delay, "451 4.2.0 <b@order.test>: Mailbox busy"));
        OutboxRepository.Entry partial = stored(e.id());
        assertEquals(OutboxRepository.Status.QUEUED, partial.status());
        assertEquals(List.of(EmailAddress.of("b@order.test")), partial.recipients(), "only the remaining recipient");
        assertTrue(partial.partlySent());
        assertEquals(1, partial.attempts(), "one attempt counted");
        assertEquals(e.messageId(), partial.messageId());
        assertTrue(partial.lastError().contains("451 4.2.0"), partial.lastError());
        assertFalse(partial.possibleDuplicate(), "the others were accepted for sure: not a possible duplicate");
        org.junit.jupiter.api.Assertions.assertArrayEquals(m.payload(), outbox.payload(e.id()), "the same bytes");
        assertFalse(partial.dueAt().isBefore(partial.createdAt().plus(delay)), "due after the delay: " + partial.dueAt() + " vs " + partial.createdAt());
        assertEquals(List.of(), outbox.claim("w1", 10, LEASE), "not due before the delay");
        assertAllMarksRefused(e.id(), "w1"); // back in the queue: the lease is gone
    }

    @Test
    @DisplayName("#11 partial delivery: due again, the entry is claimed for the remaining recipients only and can be finished")
    void markPartial_thenClaimedForRemaining() {
        OutboxRepository.NewEntry m = mailTo("a", 1, null, "a@order.test", "b@order.test", "c@order.test");
        OutboxRepository.Entry e = outbox.insert(m);
        assertEquals(List.of(e.id()), ids(outbox.claim("w1", 1, LEASE)));
        List<EmailAddress> remaining = List.of(EmailAddress.of("b@order.test"), EmailAddress.of("c@order.test"));
        assertTrue(outbox.markPartial(e.id(), "w1", remaining, Duration.ZERO, "451 busy"));
        OutboxRepository.Entry again = claimWhenDue("w2", 1).get(0);
        assertEquals(e.id(), again.id());
        assertEquals(remaining, again.recipients());
        assertTrue(again.partlySent());
        assertEquals(1, again.attempts());
        assertFalse(again.possibleDuplicate());
        org.junit.jupiter.api.Assertions.assertArrayEquals(m.payload(), read(outbox.openPayload(e.id())));
        assertTrue(outbox.markSent(e.id(), "w2"));
        OutboxRepository.Entry sent = stored(e.id());
        assertEquals(OutboxRepository.Status.SENT, sent.status());
        assertEquals(2, sent.attempts());
        assertTrue(sent.partlySent());
    }

    @Test
    @DisplayName("#11 partial delivery: an empty remaining list is refused (IllegalArgumentException) and the lease holder keeps the entry")
    void markPartial_emptyRemaining_refused() {
        OutboxRepository.Entry e = outbox.insert(mailTo("a", 1, null, "a@order.test", "b@order.test"));
        assertEquals(List.of(e.id()), ids(outbox.claim("w1", 1, LEASE)));
        List<Object> before = state(stored(e.id()));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> outbox.markPartial(e.id(), "w1", List.of(), Duration.ZERO, "451 busy"));
        assertEquals(before, state(stored(e.id())), "refused: nothing changed");
        assertTrue(outbox.markSent(e.id(), "w1"), "still held by w1");
    }

    private static List<Long> ids(List<OutboxRepository.Entry> entries) {
        return entries.stream().map(OutboxRepository.Entry::id).toList();
    }

    @Test
    @DisplayName("#15 contract: oldestDueAge is empty with nothing due, present once an entry is due, empty again once it is claimed or deferred")
    void oldestDueAge_dueEntriesOnly() {
        assertTrue(outbox.oldestDueAge().isEmpty(), "empty outbox");
        List<OutboxRepository.Entry> two = burst("age", 2);
        java.util.Optional<Duration> age = outbox.oldestDueAge();
        assertTrue(age.isPresent() && !age.get().isNegative(), "due at once: " + age);
        List<OutboxRepository.Entry> claimed = claimWhenDue("w1", 2);
        assertTrue(outbox.oldestDueAge().isEmpty(), "claimed under a live lease: not due");
        assertTrue(outbox.markRetry(claimed.get(0).id(), "w1", Duration.ofHours(1), "451 later", true, false));
        assertTrue(outbox.markSent(claimed.get(1).id(), "w1"));
        assertTrue(outbox.oldestDueAge().isEmpty(), "a retry an hour away and a sent entry are not due");
        assertEquals(2, two.size());
    }
}
