package dev.mailroom.core;

import dev.mailroom.AccountId;
import dev.mailroom.spi.OutboxRepository;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** An outbox that hands every call to another; tests override what they observe or break. */
class DelegatingOutbox implements OutboxRepository {
    private final OutboxRepository delegate;

    DelegatingOutbox(OutboxRepository delegate) {
        this.delegate = delegate;
    }

    @Override
    public Entry insert(NewEntry entry) {
        return delegate.insert(entry);
    }

    @Override
    public List<Entry> insertAll(List<NewEntry> entries) {
        return delegate.insertAll(entries);
    }

    @Override
    public List<Entry> claim(String worker, int max, Duration lease) {
        return delegate.claim(worker, max, lease);
    }

    @Override
    public List<Long> renew(String worker, List<Long> ids, Duration lease) {
        return delegate.renew(worker, ids, lease);
    }

    @Override
    public boolean markHeld(long id, String worker, Duration delay, String reason, dev.mailroom.MailErrorCode.Category cause) {
        return delegate.markHeld(id, worker, delay, reason, cause);
    }

    @Override
    public int postpone(AccountId account, Duration delay, String reason, dev.mailroom.MailErrorCode.Category cause) {
        return delegate.postpone(account, delay, reason, cause);
    }

    @Override
    public byte[] payload(long id) {
        return delegate.payload(id);
    }

    @Override
    public java.util.Map<Long, byte[]> smallPayloads(List<Long> ids, int maxBytes) {
        return delegate.smallPayloads(ids, maxBytes);
    }

    @Override
    public Optional<Entry> find(long id) {
        return delegate.find(id);
    }

    @Override
    public boolean markSent(long id, String worker) {
        return delegate.markSent(id, worker);
    }

    @Override
    public boolean markRetry(long id, String worker, Duration delay, String error, boolean countAttempt, boolean possibleDuplicate) {
        return delegate.markRetry(id, worker, delay, error, countAttempt, possibleDuplicate);
    }

    @Override
    public boolean markPartial(long id, String worker, List<dev.mailroom.EmailAddress> remaining, Duration delay, String error) {
        return delegate.markPartial(id, worker, remaining, delay, error);
    }

    @Override
    public int postpone(AccountId account, Duration delay, String reason) {
        return delegate.postpone(account, delay, reason);
    }

    @Override
    public boolean markHeld(long id, String worker, Duration delay, String reason) {
        return delegate.markHeld(id, worker, delay, reason);
    }

    @Override
    public int resumeHeld() {
        return delegate.resumeHeld();
    }

    @Override
    public boolean markFailed(long id, String worker, String error) {
        return delegate.markFailed(id, worker, error);
    }

    @Override
    public boolean sharesTransactionsWith(dev.mailroom.spi.DeliveryLog log) {
        return delegate.sharesTransactionsWith(log);
    }

    @Override
    public boolean markSent(long id, String worker, List<dev.mailroom.DeliveryLogEntry> logEntries) {
        return delegate.markSent(id, worker, logEntries);
    }

    @Override
    public int purgeFinished(Duration retention) {
        return delegate.purgeFinished(retention);
    }

    @Override
    public List<Entry> query(Query query) {
        return delegate.query(query);
    }

    @Override
    public java.util.Map<Status, Long> countByStatus() {
        return delegate.countByStatus();
    }
}
