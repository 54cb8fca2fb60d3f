package dev.mailroom.core;

import dev.mailroom.testkit.RecordingTransport;
import dev.mailroom.Account;
import dev.mailroom.AccountId;
import dev.mailroom.Authentication;
import dev.mailroom.DeliveryLogQuery;
import dev.mailroom.Email;
import dev.mailroom.MailContext;
import dev.mailroom.MailErrorCode;
import dev.mailroom.Queued;
import dev.mailroom.Secret;
import dev.mailroom.SystemMailSettings;
import dev.mailroom.spi.OutboxRepository;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

final class OutboxSwitchesTest {
    private final InMemoryAccountRepository repo = new InMemoryAccountRepository();
    private final InMemoryOutboxRepository outbox = new InMemoryOutboxRepository();
    private final InMemoryDeliveryLog log = new InMemoryDeliveryLog();
    private final RecordingTransport transport = new RecordingTransport();

    private Mailroom mailroom(int workers) {
        return Mailroom.builder().accountRepository(repo).deliveryLogRepository(log).outboxRepository(outbox).transport(transport).discoverTransports(false)
                .outboxWorkers(workers).outboxPollInterval(Duration.ofMillis(10))
                .outboxRetry(Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofHours(1), Duration.ofMillis(20)).build();
    }

    private Account account(boolean enabled) {
        return Account.builder().id("sys").description("System").email("app@acme.test").systemAccount(true).enabled(enabled)
                .smtpHost("smtp.test").authentication(Authentication.password("app@acme.test", Secret.of("pw"))).build();
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("timed out waiting for " + what).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    private boolean logged(MailErrorCode code) {
        return log.query(DeliveryLogQuery.since(Instant.EPOCH)).stream().anyMatch(e -> e.errorCode() == code);
    }

    @Test
    @DisplayName("A4/A7: queued mail waits while its account is disabled or mail is switched off, and goes out once, after")
    void switches_holdQueuedMail() {
        repo.save(account(true));
        Queued q;
        try (Mailroom producer = mailroom(0)) {
            q = producer.enqueue(MailContext.system(), Email.builder().to("kunde@example.test").text("x").build());
        }
        repo.save(account(false));
        repo.saveSystemSettings(new SystemMailSettings(false));
        try (Mailroom worker = mailroom(1)) {
            await(() -> logged(MailErrorCode.MAIL_DISABLED), "a held attempt");
            repo.saveSystemSettings(SystemMailSettings.defaults());
            await(() -> logged(MailErrorCode.ACCOUNT_DISABLED), "a held attempt");
            assertThat(transport.sent()).isEmpty();
            assertThat(outbox.find(q.outboxId()).orElseThrow().attempts()).as("the retry budget is kept").isZero();
            repo.save(account(true));
            await(() -> transport.sent().size() == 1, "delivery after re-enabling");
            await(() -> outbox.find(q.outboxId()).orElseThrow().status() == OutboxRepository.Status.SENT, "marked sent");
            assertThat(worker.health(AccountId.of("sys")).state()).isNotNull();
        }
        assertThat(transport.sent()).hasSize(1);
    }
}
