package dev.mailroom.core;

import dev.mailroom.DeliveryLogEntry;
import dev.mailroom.DeliveryLogQuery;
import dev.mailroom.spi.DeliveryLog;

import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/**
 * A {@link DeliveryLog} in memory that keeps the newest {@code capacity} entries. Thread-safe. Good
 * for one node and for tests; use the JDBC store to keep the log across restarts.
 */
public final class InMemoryDeliveryLog implements DeliveryLog {
    private final int capacity;
    private final ArrayDeque<DeliveryLogEntry> entries = new ArrayDeque<>();

    /** Keeps the newest 10,000 entries. */
    public InMemoryDeliveryLog() {
        this(10_000);
    }

    /**
     * @param capacity how many entries to keep, at least 1
     */
    public InMemoryDeliveryLog(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
    }

    @Override
    public synchronized void record(DeliveryLogEntry entry) {
        Objects.requireNonNull(entry, "entry");
        if (entries.size() == capacity) {
            entries.removeFirst();
        }
        entries.addLast(entry);
    }

    @Override
    public synchronized int purgeOlderThan(java.time.Duration retention) {
        Objects.requireNonNull(retention, "retention");
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("retention must be positive, was " + retention);
        }
        java.time.Instant before = java.time.Instant.now().minus(retention);
        int n = 0;
        while (!entries.isEmpty() && entries.peekFirst().time().isBefore(before)) { // oldest first
            entries.removeFirst();
            n++;
        }
        return n;
    }

    @Override
    public synchronized List<DeliveryLogEntry> query(DeliveryLogQuery query) {
        Objects.requireNonNull(query, "query");
        List<DeliveryLogEntry> out = new ArrayList<>();
        for (Iterator<DeliveryLogEntry> it = entries.descendingIterator(); it.hasNext() && out.size() < query.limit(); ) {
            DeliveryLogEntry e = it.next();
            if (query.matches(e)) {
                out.add(e);
            }
        }
        return out;
    }

    /** One pass over the window, newest first. */
    @Override
    public synchronized java.util.Map<dev.mailroom.AccountId, List<DeliveryLogEntry>> healthEntries(
            java.util.Collection<dev.mailroom.AccountId> accounts, java.time.Instant since, int perAccount) {
        Objects.requireNonNull(since, "since");
        DeliveryLog.checkPerAccount(perAccount);
        java.util.Map<dev.mailroom.AccountId, List<DeliveryLogEntry>> out = new java.util.LinkedHashMap<>();
        for (dev.mailroom.AccountId id : accounts) {
            out.putIfAbsent(Objects.requireNonNull(id, "accounts contains null"), new ArrayList<>());
        }
        for (Iterator<DeliveryLogEntry> it = entries.descendingIterator(); it.hasNext(); ) {
            DeliveryLogEntry e = it.next();
            List<DeliveryLogEntry> list = e.accountId() == null ? null : out.get(e.accountId());
            if (list != null && list.size() < perAccount && !e.time().isBefore(since) && DeliveryLog.countsForHealth(e)) {
                list.add(e);
            }
        }
        out.replaceAll((id, list) -> List.copyOf(list));
        return out;
    }
}
