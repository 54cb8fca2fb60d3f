package dev.mailroom.jdbc;

import dev.mailroom.AccountId;
import dev.mailroom.spi.OutboxRepository;
import dev.mailroom.DeliveryLogEntry;
import dev.mailroom.DeliveryLogQuery;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.NotificationType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Issue #10.16: a database failure reaches the caller as a typed MailException, never a bare IllegalStateException. */
final class StoreFailureTest {

    /** A data source that fails every new connection while {@code down} is set, like a database that went away. */
    static final class FailingDataSource extends TestDataSource {
        final DataSource delegate = Databases.h2();
        final AtomicBoolean down = new AtomicBoolean();

        @Override
        public Connection getConnection() throws SQLException {
            if (down.get()) {
                throw new SQLException("Connection refused: the database is down", "08001");
            }
            return delegate.getConnection();
        }
    }

    private static void assertStoreFailed(Executable call) {
        Throwable t = catchThrowable(call::execute);
        assertThat(t).isInstanceOf(MailException.class);
        MailException e = (MailException) t;
        assertThat(e.code()).isEqualTo(MailErrorCode.STORE_FAILED);
        assertThat(e.isRetryable()).isTrue();
        assertThat(e.getMessage()).contains("database is down").contains("08001");
        assertThat(e.getCause()).isInstanceOf(SQLException.class);
    }

    @Test
    @DisplayName("#10.16: the delivery log, the preferences and the outbox report a failing database as STORE_FAILED")
    void logPreferencesOutbox_databaseDown_storeFailed() {
        FailingDataSource ds = new FailingDataSource();
        try (JdbcStore store = JdbcStore.builder(ds).cipher(TestKeys.cipher()).build()) {
            ds.down.set(true);
            assertStoreFailed(() -> store.deliveryLog().record(new DeliveryLogEntry(Instant.now(), AccountId.of("a"), "a@acme.test", null,
                    DeliveryLogEntry.Operation.SEND, DeliveryLogEntry.Outcome.SUCCESS, null, "250 ok", "<1@x>", "smtp", "sent")));
            assertStoreFailed(() -> store.deliveryLog().query(DeliveryLogQuery.since(Instant.EPOCH)));
            assertStoreFailed(() -> store.preferences().find("acme", "u-1", NotificationType.TASK));
            assertStoreFailed(() -> store.outbox().insert(OutboxRepository.NewEntry.builder().messageId("<1@acme.test>")
                    .accountId(AccountId.of("a")).transport("smtp").envelopeFrom(dev.mailroom.EmailAddress.of("a@acme.test"))
                    .recipients(java.util.List.of(dev.mailroom.EmailAddress.of("b@acme.test"))).payload(new byte[] {'x'})
                    .build()));
            assertStoreFailed(() -> store.outbox().claim("w", 10, java.time.Duration.ofMinutes(1)));
            assertStoreFailed(() -> store.outbox().find(1));
        }
    }

    @Test
    @DisplayName("#10.16: a store whose database is unreachable at start fails with STORE_FAILED")
    void build_databaseDown_storeFailed() {
        FailingDataSource ds = new FailingDataSource();
        ds.down.set(true);
        assertStoreFailed(() -> JdbcStore.builder(ds).cipher(TestKeys.cipher()).build().close());
    }
}
