package dev.mailroom.core.contract;

import dev.mailroom.testkit.OutboxRepositoryContract;
import dev.mailroom.core.InMemoryOutboxRepository;
import dev.mailroom.spi.OutboxRepository;

/** The outbox contract (issue #4: fair claim order, retention) on the in-memory outbox. */
final class InMemoryOutboxRepositoryContractTest extends OutboxRepositoryContract {
    @Override
    protected OutboxRepository newOutbox() {
        return new InMemoryOutboxRepository();
    }
}
