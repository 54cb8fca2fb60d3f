package dev.mailroom.testkit;

import dev.mailroom.core.InMemoryOutboxRepository;
import dev.mailroom.spi.OutboxRepository;

/** The fair claim order (issue #4) on the in-memory outbox. */
final class InMemoryOutboxOrderContractTest extends OutboxOrderContract {
    @Override
    protected OutboxRepository newOutbox() {
        return new InMemoryOutboxRepository();
    }
}
