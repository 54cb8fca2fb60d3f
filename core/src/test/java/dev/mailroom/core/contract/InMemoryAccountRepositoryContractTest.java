package dev.mailroom.core.contract;

import dev.mailroom.testkit.AccountRepositoryContract;
import dev.mailroom.core.InMemoryAccountRepository;
import dev.mailroom.spi.AccountRepository;

final class InMemoryAccountRepositoryContractTest extends AccountRepositoryContract {
    @Override
    protected AccountRepository newRepository() {
        return new InMemoryAccountRepository();
    }
}
