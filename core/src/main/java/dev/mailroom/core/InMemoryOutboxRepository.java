package dev.mailroom.core;

import dev.mailroom.AccountId;
import dev.mailroom.EmailAddress;
import dev.mailroom.spi.OutboxRepository;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An {@link OutboxRepository} in memory: for tests and single-node hosts that accept losing queued mail
 * on a restart. Use the JDBC store's outbox for durability. Thread-safe.
 */
public final class InMemoryOutboxRepository implements OutboxRepository {
    private final Clock clock;
    private final Map<Long, Entry> entries = new HashMap<>();
    private final Map<Long, byte[]> payloads = new HashMap<>();
    private final Map<Long, String> owners = new HashMap<>();
    private final Map<Long, Instant> leases = new HashMap<>();
    private final Map<String, Long> keys = new HashMap<>();
    private final java.util.Set<Long> held = new java.util.HashSet<>();
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
        Entry entry = new Entry(id, e.idempotencyKey(), e.messageId(), e.accountId(), e.tenant(), e.transport(), e.envelopeFrom(),
                e.recipients(), e.smtpUtf8(), Status.QUEUED, 0, now, now, null, false, e.operation());
        entries.put(id, entry);
        payloads.put(id, e.payload().clone());
        if (e.idempotencyKey() != null) {
            keys.put(e.idempotencyKey(), id);
        }
        return entry;
    }

    @Override
    public synchronized List<Entry> claim(String worker, int max, Duration lease) {
        Instant now = clock.instant();
        List<Entry> due = entries.values().stream()
                .filter(x -> (x.status() == Status.QUEUED && !x.dueAt().isAfter(now))
                        || (x.status() == Status.IN_FLIGHT && leases.get(x.id()).isBefore(now)))
                .sorted(Comparator.comparing(Entry::dueAt).thenComparing(Entry::id)).limit(max).toList();
        List<Entry> out = new ArrayList<>();
        for (Entry x : due) {
            Entry claimed = with(x, Status.IN_FLIGHT, x.attempts(), x.dueAt(), x.lastError(),
                    x.possibleDuplicate() || x.status() == Status.IN_FLIGHT);
            entries.put(x.id(), claimed);
            held.remove(x.id());
            owners.put(x.id(), worker);
            leases.put(x.id(), now.plus(lease));
            out.add(claimed);
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
        return Optional.ofNullable(entries.get(id));
    }

    @Override
    public synchronized boolean markSent(long id, String worker) {
        return update(id, worker, x -> with(x, Status.SENT, x.attempts() + 1, x.dueAt(), x.lastError(), x.possibleDuplicate()));
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
        return update(id, worker, x -> new Entry(x.id(), x.idempotencyKey(), x.messageId(), x.accountId(), x.tenant(), x.transport(),
                x.envelopeFrom(), remaining, x.smtpUtf8(), Status.QUEUED, x.attempts() + 1, x.createdAt(), due, error, x.possibleDuplicate(),
                x.operation()));
    }

    @Override
    public synchronized int postpone(AccountId account, Duration delay, String reason) {
        Objects.requireNonNull(account, "account");
        Instant due = clock.instant().plus(delay);
        int n = 0;
        for (Entry x : List.copyOf(entries.values())) {
            if (x.accountId().equals(account) && x.status() == Status.QUEUED && x.dueAt().isBefore(due)) {
                entries.put(x.id(), with(x, Status.QUEUED, x.attempts(), due, reason, x.possibleDuplicate()));
                held.add(x.id());
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
        }
        held.clear();
        return n;
    }

    @Override
    public synchronized boolean markHeld(long id, String worker, Duration delay, String reason) {
        Instant due = clock.instant().plus(delay);
        boolean ok = update(id, worker, x -> with(x, Status.QUEUED, x.attempts(), due, reason, x.possibleDuplicate()));
        if (ok) {
            held.add(id);
        }
        return ok;
    }

    @Override
    public synchronized boolean markFailed(long id, String worker, String error) {
        return update(id, worker, x -> with(x, Status.FAILED, x.attempts() + 1, x.dueAt(), error, x.possibleDuplicate()));
    }

    private boolean update(long id, String worker, java.util.function.UnaryOperator<Entry> change) {
        Entry x = entries.get(id);
        if (x == null || x.status() != Status.IN_FLIGHT || !worker.equals(owners.get(id))) {
            return false;
        }
        entries.put(id, change.apply(x));
        owners.remove(id);
        leases.remove(id);
        return true;
    }

    private static Entry with(Entry x, Status status, int attempts, Instant due, String error, boolean duplicate) {
        return new Entry(x.id(), x.idempotencyKey(), x.messageId(), x.accountId(), x.tenant(), x.transport(), x.envelopeFrom(),
                x.recipients(), x.smtpUtf8(), status, attempts, x.createdAt(), due, error, duplicate, x.operation());
    }
}
