package dev.mailroom.core;

import dev.mailroom.spi.OutboxRepository;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** An outbox that counts single and batched inserts. */
final class CountingOutbox extends DelegatingOutbox {
    private final AtomicInteger inserts;
    private final AtomicInteger batches;

    CountingOutbox(OutboxRepository delegate, AtomicInteger inserts, AtomicInteger batches) {
        super(delegate);
        this.inserts = inserts;
        this.batches = batches;
    }

    @Override
    public Entry insert(NewEntry entry) {
        inserts.incrementAndGet();
        return super.insert(entry);
    }

    @Override
    public List<Entry> insertAll(List<NewEntry> entries) {
        batches.incrementAndGet();
        return super.insertAll(entries);
    }
}
