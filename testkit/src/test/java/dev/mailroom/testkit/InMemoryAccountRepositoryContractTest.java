package dev.mailroom.testkit;

import dev.mailroom.core.InMemoryAccountRepository;
import dev.mailroom.spi.AccountRepository;

final class InMemoryAccountRepositoryContractTest extends AccountRepositoryContract {
    @Override
    protected AccountRepository newRepository() {
        return new InMemoryAccountRepository();
    }
}
