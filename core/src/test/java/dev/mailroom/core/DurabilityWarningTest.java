package dev.mailroom.core;

import dev.mailroom.spi.AccountRepository;
import dev.mailroom.spi.DeliveryLog;
import dev.mailroom.spi.MailStore;
import dev.mailroom.spi.NotificationPreferences;
import dev.mailroom.spi.OutboxRepository;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class DurabilityWarningTest {

    /** Stands for a durable store: any implementation that is not core's in-memory one. */
    @SuppressWarnings("unchecked")
    private static <T> T durable(Class<T> type, T delegate) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            try {
                return method.invoke(delegate, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    @Test
    @DisplayName("#11: durable accounts with an in-memory outbox or delivery log: the warning says enqueue is not durable and names the fix")
    void durableAccounts_inMemoryOutbox_warns() {
        AccountRepository accounts = durable(AccountRepository.class, new InMemoryAccountRepository());
        OutboxRepository memoryOutbox = new InMemoryOutboxRepository(Clock.systemUTC());
        DeliveryLog memoryLog = new InMemoryDeliveryLog();
        OutboxRepository durableOutbox = new DelegatingOutbox(memoryOutbox);
        DeliveryLog durableLog = durable(DeliveryLog.class, memoryLog);

        assertThat(Mailroom.durabilityWarning(accounts, memoryOutbox, memoryLog))
                .contains("enqueue is not durable").contains(".outboxRepository(").contains(".store(").contains("the outbox and the delivery log are in memory");
        assertThat(Mailroom.durabilityWarning(accounts, memoryOutbox, durableLog)).contains("the outbox is in memory").contains(".outboxRepository(");
        assertThat(Mailroom.durabilityWarning(accounts, durableOutbox, memoryLog)).contains("the delivery log is in memory");
        assertThat(Mailroom.durabilityWarning(accounts, durableOutbox, durableLog)).as("all durable").isNull();
        assertThat(Mailroom.durabilityWarning(new InMemoryAccountRepository(), memoryOutbox, memoryLog)).as("all in memory").isNull();
    }

    @Test
    @DisplayName("#11: the warning is logged once, at build time, and not for an all-in-memory or all-durable Mailroom")
    void warning_loggedOnceAtBuild() {
        AccountRepository accounts = durable(AccountRepository.class, new InMemoryAccountRepository());
        String durableOnly = stderrDuring(() -> Mailroom.builder().accountRepository(accounts).outboxWorkers(0).build().close());
        assertThat(durableOnly.split("enqueue is not durable", -1)).as("exactly one warning").hasSize(2);
        assertThat(durableOnly).contains("WARN");

        String memory = stderrDuring(() -> Mailroom.builder().outboxWorkers(0).build().close());
        assertThat(memory).doesNotContain("enqueue is not durable");

        MailStore store = new MailStore() {
            private final OutboxRepository outbox = new DelegatingOutbox(new InMemoryOutboxRepository(Clock.systemUTC()));
            private final DeliveryLog log = durable(DeliveryLog.class, new InMemoryDeliveryLog());
            private final NotificationPreferences preferences = new InMemoryNotificationPreferences();

            @Override
            public AccountRepository accounts() {
                return accounts;
            }

            @Override
            public DeliveryLog deliveryLog() {
                return log;
            }

            @Override
            public OutboxRepository outbox() {
                return outbox;
            }

            @Override
            public NotificationPreferences preferences() {
                return preferences;
            }
        };
        String stored = stderrDuring(() -> Mailroom.builder().store(store).outboxWorkers(0).build().close());
        assertThat(stored).doesNotContain("enqueue is not durable");
        assertThatThrownBy(() -> Mailroom.builder().store(store).accountRepository(accounts))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("accountRepository was already set");
        assertThatThrownBy(() -> Mailroom.builder().notificationPreferences(store.preferences()).store(store))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("notificationPreferences was already set");
    }

    @Test
    @DisplayName("D2: durable accounts without an OAuth store warn once at build that grants are lost on restart; a store with one does not")
    void oauthGrantsInMemory_warns() {
        AccountRepository accounts = durable(AccountRepository.class, new InMemoryAccountRepository());
        String inMemory = stderrDuring(() -> Mailroom.builder().accountRepository(accounts).outboxWorkers(0).build().close());
        assertThat(inMemory.split("OAuth clients and grants are kept in memory", -1)).as("exactly one warning").hasSize(2);
        String memoryOnly = stderrDuring(() -> Mailroom.builder().outboxWorkers(0).build().close());
        assertThat(memoryOnly).doesNotContain("OAuth clients and grants");
        MailStore store = new MailStore() {
            private final dev.mailroom.spi.OAuthStore oauth = new DelegatingOAuthStore(new InMemoryOAuthStore());

            @Override
            public AccountRepository accounts() {
                return accounts;
            }

            @Override
            public DeliveryLog deliveryLog() {
                return new InMemoryDeliveryLog();
            }

            @Override
            public OutboxRepository outbox() {
                return new InMemoryOutboxRepository(Clock.systemUTC());
            }

            @Override
            public NotificationPreferences preferences() {
                return new InMemoryNotificationPreferences();
            }

            @Override
            public java.util.Optional<dev.mailroom.spi.OAuthStore> oauth() {
                return java.util.Optional.of(oauth);
            }
        };
        String stored = stderrDuring(() -> Mailroom.builder().store(store).outboxWorkers(0).build().close());
        assertThat(stored).doesNotContain("OAuth clients and grants");
        assertThatThrownBy(() -> Mailroom.builder().store(store).oauthStore(new InMemoryOAuthStore()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("oauthStore was already set");
        assertThatThrownBy(() -> Mailroom.builder().oauthStore(new InMemoryOAuthStore()).store(store))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("oauthStore was already set; store(…) sets it too");
    }

    /** slf4j-simple writes to {@code System.err}, looked up on every message. */
    private static String stderrDuring(Runnable action) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
