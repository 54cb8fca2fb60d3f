package dev.mailroom.inbound;

import dev.mailroom.spi.InboundStateRepository;
import dev.mailroom.testkit.InboundStateRepositoryContract;

final class InMemoryInboundStateContractTest extends InboundStateRepositoryContract {
    @Override
    protected InboundStateRepository newRepository() {
        return new InMemoryInboundState();
    }
}
