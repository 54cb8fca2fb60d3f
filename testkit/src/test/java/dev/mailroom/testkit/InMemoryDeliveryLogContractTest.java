package dev.mailroom.testkit;

import dev.mailroom.core.InMemoryDeliveryLog;
import dev.mailroom.spi.DeliveryLog;

final class InMemoryDeliveryLogContractTest extends DeliveryLogContract {
    @Override
    protected DeliveryLog newLog() {
        return new InMemoryDeliveryLog();
    }
}
