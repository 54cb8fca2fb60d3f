package dev.mailroom.jdbc;

import dev.mailroom.Account;
import dev.mailroom.AccountId;
import dev.mailroom.Authentication;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.Secret;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Issue #10.16 for the account store: a failing database is a typed, retryable MailException. */
final class AccountStoreFailureTest {
    private static void assertStoreFailed(Executable call) {
        Throwable t = catchThrowable(call::execute);
        assertThat(t).isInstanceOfSatisfying(MailException.class, e -> {
            assertThat(e.code()).isEqualTo(MailErrorCode.STORE_FAILED);
            assertThat(e.isRetryable()).isTrue();
            assertThat(e.getMessage()).contains("account store").contains("database is down");
            assertThat(e.getCause()).isInstanceOf(SQLException.class);
        });
    }

    @Test
    @DisplayName("#10.16: the account store reports a failing database as STORE_FAILED, reading and writing")
    void accounts_databaseDown_storeFailed() {
        StoreFailureTest.FailingDataSource ds = new StoreFailureTest.FailingDataSource();
        try (JdbcStore store = JdbcStore.builder(ds).cipher(TestKeys.cipher()).build()) {
            ds.down.set(true);
            assertStoreFailed(() -> store.accounts().findAll());
            assertStoreFailed(() -> store.accounts().find(AccountId.of("a")));
            assertStoreFailed(() -> store.accounts().systemSettings());
            assertStoreFailed(() -> store.accounts().save(Account.builder().id("a").description("A").email("a@acme.test")
                    .authentication(Authentication.password("a@acme.test", Secret.of("pw"))).build()));
            assertStoreFailed(() -> store.accounts().reencryptSecrets());
        }
    }
}
