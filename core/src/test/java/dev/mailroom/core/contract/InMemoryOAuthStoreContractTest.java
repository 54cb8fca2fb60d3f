package dev.mailroom.core.contract;

import dev.mailroom.core.InMemoryOAuthStore;
import dev.mailroom.spi.OAuthStore;
import dev.mailroom.testkit.OAuthStoreContract;

final class InMemoryOAuthStoreContractTest extends OAuthStoreContract {
    @Override
    protected OAuthStore newStore() {
        return new InMemoryOAuthStore();
    }
}
