package dev.mailroom.core;

import dev.mailroom.testkit.RecordingTransport;
import dev.mailroom.Account;
import dev.mailroom.Authentication;
import dev.mailroom.DeliveryLogEntry;
import dev.mailroom.DeliveryLogQuery;
import dev.mailroom.Email;
import dev.mailroom.MailContext;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.NotificationEvent;
import dev.mailroom.NotificationType;
import dev.mailroom.Person;
import dev.mailroom.Secret;
import dev.mailroom.spi.OutboxRepository;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Issue #10.16: an outbox that fails to store (its database is down) gives callers a typed STORE_FAILED, never a bare exception. */
final class EnqueueStoreFailureTest {

    /** A host outbox whose database is gone: every write throws an untyped exception. */
    private static final class DownOutbox extends DelegatingOutbox {
        DownOutbox() {
            super(new InMemoryOutboxRepository());
        }

        @Override
        public Entry insert(NewEntry entry) {
            throw new IllegalStateException("connection refused: the database is down");
        }

        @Override
        public List<Entry> insertAll(List<NewEntry> entries) {
            throw new IllegalStateException("connection refused: the database is down");
        }
    }

    private static Mailroom mailroom(InMemoryDeliveryLog log) {
        InMemoryAccountRepository repo = new InMemoryAccountRepository();
        repo.save(Account.builder().id("sys").description("System").email("app@acme.test").systemAccount(true).smtpHost("smtp.test")
                .authentication(Authentication.password("app@acme.test", Secret.of("pw"))).build());
        return Mailroom.builder().accountRepository(repo).deliveryLogRepository(log).outboxRepository(new DownOutbox()).transport(new RecordingTransport())
                .discoverTransports(false).outboxWorkers(0)
                .directory((tenant, user) -> Optional.of(Person.of(user, "User " + user, dev.mailroom.EmailAddress.of(user + "@acme.test"),
                        Locale.ENGLISH)))
                .build();
    }

    @Test
    @DisplayName("#10.16: enqueue into a failing outbox throws STORE_FAILED (retryable) and logs it")
    void enqueue_outboxDown_storeFailed() {
        InMemoryDeliveryLog log = new InMemoryDeliveryLog();
        try (Mailroom m = mailroom(log)) {
            MailException e = catchThrowableOfType(MailException.class,
                    () -> m.enqueue(MailContext.system(), Email.builder().to("kunde@example.test").subject("Rechnung").text("x").build()));
            assertThat(e).isNotNull();
            assertThat(e.code()).isEqualTo(MailErrorCode.STORE_FAILED);
            assertThat(e.isRetryable()).isTrue();
            assertThat(e.getMessage()).contains("database is down");
            assertThat(e.getCause()).isInstanceOf(IllegalStateException.class);
            assertThat(log.query(DeliveryLogQuery.since(Instant.EPOCH).failures())).singleElement()
                    .satisfies(entry -> assertThat(entry.errorCode()).isEqualTo(MailErrorCode.STORE_FAILED))
                    .satisfies(entry -> assertThat(entry.operation()).isEqualTo(DeliveryLogEntry.Operation.SEND));
        }
    }

    @Test
    @DisplayName("#10.16/E1: a notification into a failing outbox throws STORE_FAILED instead of reporting every recipient skipped")
    void notify_outboxDown_storeFailed() {
        try (Mailroom m = mailroom(new InMemoryDeliveryLog())) {
            MailException e = catchThrowableOfType(MailException.class, () -> m.notifications().notify(
                    NotificationEvent.builder(NotificationType.TASK).concerns("u-1", "u-2").data("title", "Angebot prüfen").build()));
            assertThat(e).isNotNull();
            assertThat(e.code()).isEqualTo(MailErrorCode.STORE_FAILED);
        }
    }

    @Test
    @DisplayName("#10.16/#10.19: an outbox that stores fine is untouched by the wrapping; the administrator sees the entry in the outbox view")
    void enqueue_outboxUp_queued() {
        InMemoryAccountRepository repo = new InMemoryAccountRepository();
        repo.save(Account.builder().id("sys").description("System").email("app@acme.test").systemAccount(true).smtpHost("smtp.test")
                .authentication(Authentication.password("app@acme.test", Secret.of("pw"))).build());
        InMemoryOutboxRepository outbox = new InMemoryOutboxRepository();
        try (Mailroom m = Mailroom.builder().accountRepository(repo).outboxRepository(outbox).transport(new RecordingTransport()).discoverTransports(false)
                .outboxWorkers(0).build()) {
            var q = m.enqueue(MailContext.system(), Email.builder().to("kunde@example.test").subject("Rechnung").text("x").build());
            assertThat(outbox.find(q.outboxId())).map(OutboxRepository.Entry::status).contains(OutboxRepository.Status.QUEUED);
            // the administrator's view (#10.19): read-only, by status and account
            assertThat(m.outbox().find(q.outboxId())).isPresent();
            assertThat(m.outbox().query(OutboxRepository.Query.all().status(OutboxRepository.Status.QUEUED)
                    .account(dev.mailroom.AccountId.of("sys")))).extracting(OutboxRepository.Entry::id).containsExactly(q.outboxId());
            assertThat(m.outbox().counts()).containsEntry(OutboxRepository.Status.QUEUED, 1L).containsEntry(OutboxRepository.Status.SENT, 0L);
        }
    }
}
