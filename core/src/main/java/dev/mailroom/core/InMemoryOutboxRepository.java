package dev.mailroom.core;

import dev.mailroom.AccountId;
import dev.mailroom.EmailAddress;
import dev.mailroom.spi.OutboxRepository;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An {@link OutboxRepository} in memory: for tests and single-node hosts that accept losing queued mail
 * on a restart. Use the JDBC store's outbox for durability. Thread-safe. Claims in the fair order the
 * {@link OutboxRepository#claim} contract describes, like the JDBC store.
 */
public final class InMemoryOutboxRepository implements OutboxRepository {
    /** A ready entry's place in the queue. */
    private record Place(long at, long id) implements Comparable<Place> {
        @Override
        public int compareTo(Place o) {
            int c = Long.compare(at, o.at);
            return c != 0 ? c : Long.compare(id, o.id);
        }
    }

    private final Clock clock;
    /** Ready entries (QUEUED and due) by place. */
    private final java.util.TreeSet<Place> ready = new java.util.TreeSet<>();
    /** Every queued or in-flight entry's place. */
    private final Map<Long, Long> places = new HashMap<>();
    /** Queued entries waiting for a later due time (a retry or a hold). */
    private final java.util.Set<Long> waiting = new java.util.HashSet<>();
    /** The place of each account's last entry. */
    private final Map<AccountId, Long> tails = new HashMap<>();
    private final Map<Long, Entry> entries = new HashMap<>();
    private final Map<Long, byte[]> payloads = new HashMap<>();
    private final Map<Long, String> owners = new HashMap<>();
    private final Map<Long, Instant> leases = new HashMap<>();
    private final Map<String, Long> keys = new HashMap<>();
    private final java.util.Set<Long> held = new java.util.HashSet<>();
    /** Since when an entry is held for an account problem: its age stops meanwhile. */
    private final Map<Long, Instant> heldSince = new HashMap<>();
    /** Time an entry spent held for account problems, up to its last claim or release. */
    private final Map<Long, Duration> heldFor = new HashMap<>();
    private long nextId = 1;

    /** An outbox on the system clock. */
    public InMemoryOutboxRepository() {
        this(Clock.systemUTC());
    }

    /**
     * @param clock the clock for due times and leases
     */
    public InMemoryOutboxRepository(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public synchronized Entry insert(NewEntry e) {
        Objects.requireNonNull(e, "entry");
        if (e.idempotencyKey() != null && keys.containsKey(e.idempotencyKey())) {
            return entries.get(keys.get(e.idempotencyKey()));
        }
        long id = nextId++;
        Instant now = clock.instant();
        Entry entry = Entry.builder().id(id).idempotencyKey(e.idempotencyKey()).messageId(e.messageId()).accountId(e.accountId())
                .tenant(e.tenant()).transport(e.transport()).envelopeFrom(e.envelopeFrom()).recipients(e.recipients()).smtpUtf8(e.smtpUtf8())
                .status(Status.QUEUED).createdAt(now).dueAt(now).operation(e.operation()).age(Duration.ZERO).build();
        entries.put(id, entry);
        long place = Math.max(head(), tails.getOrDefault(e.accountId(), 0L)) + 1;
        tails.put(e.accountId(), place);
        places.put(id, place);
        ready.add(new Place(place, id));
        payloads.put(id, e.payload()); // a copy
        if (e.idempotencyKey() != null) {
            keys.put(e.idempotencyKey(), id);
        }
        return entry;
    }

    /** The place of the next ready entry, or, with nothing ready, the last place given. */
    private long head() {
        if (!ready.isEmpty()) {
            return ready.first().at();
        }
        return tails.values().stream().mapToLong(Long::longValue).max().orElse(0);
    }

    @Override
    public synchronized List<Entry> claim(String worker, int max, Duration lease) {
        Instant now = clock.instant();
        promote(now);
        List<Entry> out = new ArrayList<>();
        while (out.size() < max && !ready.isEmpty()) {
            Entry x = entries.get(ready.pollFirst().id());
            Entry claimed = with(x, Status.IN_FLIGHT, x.attempts(), x.dueAt(), x.lastError(), x.possibleDuplicate());
            entries.put(x.id(), claimed);
            held.remove(x.id());
            unhold(x.id(), now);
            owners.put(x.id(), worker);
            leases.put(x.id(), now.plus(lease));
            out.add(aged(claimed, now));
        }
        return out;
    }

    /** Entries due again (a retry or hold over, a lease expired) go to the head, in their own order. */
    private void promote(Instant now) {
        List<Long> due = new ArrayList<>();
        for (long id : waiting) {
            if (!entries.get(id).dueAt().isAfter(now)) {
                due.add(id);
            }
        }
        leases.forEach((id, until) -> {
            if (until.isBefore(now)) {
                due.add(id);
            }
        });
        if (due.isEmpty()) {
            return;
        }
        long head = head();
        long first = due.stream().mapToLong(places::get).min().orElse(head);
        for (long id : due) {
            Entry x = entries.get(id);
            if (x.status() == Status.IN_FLIGHT) { // its node died: another may have sent it already
                entries.put(id, with(x, Status.QUEUED, x.attempts(), x.dueAt(), x.lastError(), true));
                owners.remove(id);
                leases.remove(id);
            }
            waiting.remove(id);
            long place = Math.max(places.get(id), head - 1 + (places.get(id) - first));
            places.put(id, place);
            ready.add(new Place(place, id));
        }
    }

    /** Ends an account hold's pause of the entry's age. */
    private void unhold(long id, Instant now) {
        Instant since = heldSince.remove(id);
        if (since != null && since.isBefore(now)) {
            heldFor.merge(id, Duration.between(since, now), Duration::plus);
        }
    }

    /** The entry with its age now: time since it was created, less the time held for account problems. */
    private Entry aged(Entry x, Instant now) {
        Duration age = Duration.between(x.createdAt(), now).minus(heldFor.getOrDefault(x.id(), Duration.ZERO));
        Instant since = heldSince.get(x.id());
        if (since != null && since.isBefore(now)) {
            age = age.minus(Duration.between(since, now));
        }
        return x.withAge(age.isNegative() ? Duration.ZERO : age);
    }

    /** Extends the leases this worker still holds (not expired, not claimed again) and returns their ids. */
    @Override
    public synchronized List<Long> renew(String worker, List<Long> ids, Duration lease) {
        Objects.requireNonNull(worker, "worker");
        Objects.requireNonNull(lease, "lease");
        Instant now = clock.instant();
        List<Long> out = new ArrayList<>();
        for (long id : ids) {
            Entry x = entries.get(id);
            Instant until = leases.get(id);
            if (x != null && x.status() == Status.IN_FLIGHT && worker.equals(owners.get(id)) && until != null && !until.isBefore(now)) {
                leases.put(id, now.plus(lease));
                out.add(id);
            }
        }
        return out;
    }

    @Override
    public synchronized byte[] payload(long id) {
        byte[] p = payloads.get(id);
        if (p == null) {
            throw new IllegalArgumentException("no outbox entry " + id);
        }
        return p.clone();
    }

    @Override
    public synchronized Map<Long, byte[]> smallPayloads(List<Long> ids, int maxBytes) {
        Map<Long, byte[]> out = new HashMap<>();
        for (long id : ids) {
            byte[] p = payloads.get(id);
            if (p != null && p.length <= maxBytes) {
                out.put(id, p.clone());
            }
        }
        return out;
    }

    @Override
    public synchronized Optional<Entry> find(long id) {
        Instant now = clock.instant();
        return Optional.ofNullable(entries.get(id)).map(x -> aged(x, now));
    }

    @Override
    public synchronized boolean markSent(long id, String worker) {
        Instant now = clock.instant();
        return update(id, worker, x -> with(x, Status.SENT, x.attempts() + 1, now, x.lastError(), x.possibleDuplicate()));
    }

    @Override
    public synchronized boolean markRetry(long id, String worker, Duration delay, String error, boolean countAttempt, boolean possibleDuplicate) {
        Instant due = clock.instant().plus(delay);
        return update(id, worker, x -> with(x, Status.QUEUED, x.attempts() + (countAttempt ? 1 : 0), due, error,
                x.possibleDuplicate() || possibleDuplicate));
    }

    @Override
    public synchronized boolean markPartial(long id, String worker, List<EmailAddress> remaining, Duration delay, String error) {
        if (remaining.isEmpty()) {
            throw new IllegalArgumentException("remaining recipients must not be empty");
        }
        Instant due = clock.instant().plus(delay);
        return update(id, worker, x -> x.toBuilder().recipients(remaining).status(Status.QUEUED).attempts(x.attempts() + 1).dueAt(due)
                .lastError(error).partlySent(true).age(null).build());
    }

    /** A hold for an account problem: the held entries' age stops. */
    @Override
    public synchronized int postpone(AccountId account, Duration delay, String reason) {
        return postpone(account, delay, reason, dev.mailroom.MailErrorCode.Category.ACCOUNT);
    }

    @Override
    public synchronized int postpone(AccountId account, Duration delay, String reason, dev.mailroom.MailErrorCode.Category cause) {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(cause, "cause");
        Instant now = clock.instant();
        Instant due = now.plus(delay);
        int n = 0;
        for (Entry x : List.copyOf(entries.values())) {
            if (x.accountId().equals(account) && x.status() == Status.QUEUED && x.dueAt().isBefore(due)) {
                entries.put(x.id(), with(x, Status.QUEUED, x.attempts(), due, reason, x.possibleDuplicate()));
                ready.remove(new Place(places.get(x.id()), x.id()));
                waiting.add(x.id());
                held.add(x.id());
                if (cause.isAccountProblem()) {
                    heldSince.putIfAbsent(x.id(), now);
                } else {
                    unhold(x.id(), now);
                }
                n++;
            }
        }
        return n;
    }

    @Override
    public synchronized int resumeHeld() {
        Instant now = clock.instant();
        int n = 0;
        for (long id : held) {
            Entry x = entries.get(id);
            if (x != null && x.status() == Status.QUEUED) {
                entries.put(id, with(x, Status.QUEUED, x.attempts(), now, x.lastError(), x.possibleDuplicate()));
                n++;
            }
            unhold(id, now);
        }
        held.clear();
        return n;
    }

    /** A hold for an account problem: the entry's age stops. */
    @Override
    public synchronized boolean markHeld(long id, String worker, Duration delay, String reason) {
        return markHeld(id, worker, delay, reason, dev.mailroom.MailErrorCode.Category.ACCOUNT);
    }

    @Override
    public synchronized boolean markHeld(long id, String worker, Duration delay, String reason, dev.mailroom.MailErrorCode.Category cause) {
        Objects.requireNonNull(cause, "cause");
        Instant now = clock.instant();
        Instant due = now.plus(delay);
        boolean ok = update(id, worker, x -> with(x, Status.QUEUED, x.attempts(), due, reason, x.possibleDuplicate()));
        if (ok) {
            held.add(id);
            if (cause.isAccountProblem()) {
                heldSince.putIfAbsent(id, now);
            }
        }
        return ok;
    }

    @Override
    public synchronized boolean markFailed(long id, String worker, String error) {
        Instant now = clock.instant();
        return update(id, worker, x -> with(x, Status.FAILED, x.attempts() + 1, now, error, x.possibleDuplicate()));
    }

    @Override
    public synchronized int purgeFinished(Duration retention) {
        Objects.requireNonNull(retention, "retention");
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("retention must be positive, was " + retention);
        }
        Instant before = clock.instant().minus(retention);
        List<Entry> old = entries.values().stream()
                .filter(x -> (x.status() == Status.SENT || x.status() == Status.FAILED) && x.dueAt().isBefore(before)).toList();
        for (Entry x : old) {
            entries.remove(x.id());
            payloads.remove(x.id());
            held.remove(x.id());
            heldSince.remove(x.id());
            heldFor.remove(x.id());
            if (x.idempotencyKey() != null) {
                keys.remove(x.idempotencyKey(), x.id());
            }
        }
        return old.size();
    }

    private boolean update(long id, String worker, java.util.function.UnaryOperator<Entry> change) {
        Entry x = entries.get(id);
        if (x == null || x.status() != Status.IN_FLIGHT || !worker.equals(owners.get(id))) {
            return false;
        }
        Entry changed = change.apply(x);
        entries.put(id, changed);
        owners.remove(id);
        leases.remove(id);
        if (changed.status() == Status.QUEUED) {
            waiting.add(id); // ready again when due, at the head
        } else {
            places.remove(id);
        }
        return true;
    }

    private static Entry with(Entry x, Status status, int attempts, Instant due, String error, boolean duplicate) {
        return x.toBuilder().status(status).attempts(attempts).dueAt(due).lastError(error).possibleDuplicate(duplicate).age(null).build();
    }

    @Override
    public synchronized List<Entry> query(Query query) {
        Objects.requireNonNull(query, "query");
        Instant now = clock.instant();
        return entries.values().stream().filter(query::matches).sorted(java.util.Comparator.comparingLong(Entry::id).reversed())
                .limit(query.limit()).map(x -> aged(x, now)).toList();
    }

    @Override
    public synchronized Map<Status, Long> countByStatus() {
        Map<Status, Long> counts = new java.util.EnumMap<>(Status.class);
        for (Status s : Status.values()) {
            counts.put(s, 0L);
        }
        entries.values().forEach(e -> counts.merge(e.status(), 1L, Long::sum));
        return counts;
    }

    @Override
    public synchronized Optional<Duration> oldestDueAge() {
        Instant now = clock.instant();
        Instant oldest = null;
        for (Entry e : entries.values()) {
            Instant due = e.status() == Status.QUEUED ? e.dueAt() : e.status() == Status.IN_FLIGHT ? leases.get(e.id()) : null;
            if (due != null && !due.isAfter(now) && (oldest == null || due.isBefore(oldest))) {
                oldest = due;
            }
        }
        return oldest == null ? Optional.empty() : Optional.of(Duration.between(oldest, now));
    }
}
