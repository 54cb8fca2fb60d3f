package dev.mailroom.core.contract;

import dev.mailroom.testkit.DeliveryLogContract;
import dev.mailroom.core.InMemoryDeliveryLog;
import dev.mailroom.spi.DeliveryLog;

final class InMemoryDeliveryLogContractTest extends DeliveryLogContract {
    @Override
    protected DeliveryLog newLog() {
        return new InMemoryDeliveryLog();
    }
}
