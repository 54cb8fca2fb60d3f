package dev.mailroom.core;

import dev.mailroom.spi.OutboxRepository;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The administrator's read-only view of the outbox: what is queued, in flight, sent or failed, per account,
 * and which mails may have gone out twice. Obtained from {@link Mailroom#outbox()}; thread-safe; it reads the
 * repository on each call and never changes an entry (only the workers claim and mark).
 *
 * <pre>{@code
 * mailroom.outbox().query(OutboxRepository.Query.all().status(Status.FAILED).account(AccountId.of("sales")).limit(50));
 * mailroom.outbox().query(OutboxRepository.Query.all().possibleDuplicates());
 * mailroom.outbox().counts().get(Status.QUEUED);   // the depth of the queue
 * }</pre>
 */
public final class OutboxView {
    private final OutboxRepository outbox;

    OutboxView(OutboxRepository outbox) {
        this.outbox = outbox;
    }

    /**
     * Entries by status, account and possible duplicates, newest first.
     *
     * @param query which entries
     * @return at most {@code query.limit()} entries
     * @throws UnsupportedOperationException if the host's outbox does not implement queries
     */
    public List<OutboxRepository.Entry> query(OutboxRepository.Query query) {
        return outbox.query(Objects.requireNonNull(query, "query"));
    }

    /**
     * One entry, e.g. by {@code Queued#outboxId()}.
     *
     * @param id the entry's id
     * @return the entry, or empty when it does not exist (or was deleted after its retention)
     */
    public Optional<OutboxRepository.Entry> find(long id) {
        return outbox.find(id);
    }

    /**
     * How many entries there are per status.
     *
     * @return a count for every status
     * @throws UnsupportedOperationException if the host's outbox does not implement queries
     */
    public Map<OutboxRepository.Status, Long> counts() {
        return outbox.countByStatus();
    }

    /**
     * How long the entry that has been due the longest has waited since it became due (one query): near zero while
     * the workers keep up.
     *
     * @return the age, or empty when nothing is due
     * @throws UnsupportedOperationException if the host's outbox does not implement it
     */
    public Optional<java.time.Duration> oldestDueAge() {
        return outbox.oldestDueAge();
    }
}
