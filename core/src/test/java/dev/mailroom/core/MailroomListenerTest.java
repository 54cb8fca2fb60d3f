package dev.mailroom.core;

import dev.mailroom.Account;
import dev.mailroom.Authentication;
import dev.mailroom.Email;
import dev.mailroom.MailContext;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.Queued;
import dev.mailroom.Secret;
import dev.mailroom.spi.OutboxRepository;
import dev.mailroom.testkit.RecordingTransport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

final class MailroomListenerTest {
    private final InMemoryAccountRepository repo = new InMemoryAccountRepository();
    private final RecordingTransport transport = new RecordingTransport();
    private final Email email = Email.builder().to("kunde@example.test").text("x").build();

    private void account() {
        repo.save(Account.builder().id("sys").description("System").email("app@acme.test").systemAccount(true)
                .smtpHost("smtp.test").authentication(Authentication.password("app@acme.test", Secret.of("pw"))).build());
    }

    private static DeliveryAttempt next(BlockingQueue<DeliveryAttempt> seen) throws InterruptedException {
        DeliveryAttempt a = seen.poll(10, TimeUnit.SECONDS);
        assertThat(a).as("an attempt within 10 s").isNotNull();
        return a;
    }

    @Test
    @DisplayName("#15 listener: every direct and queued attempt is reported with outcome, error code, transport and duration; a failing listener breaks no send")
    void attempts_reported_failingListenerIgnored() throws Exception {
        account();
        BlockingQueue<DeliveryAttempt> seen = new LinkedBlockingQueue<>();
        try (Mailroom m = Mailroom.builder().accountRepository(repo).transport(transport).discoverTransports(false)
                .outboxPollInterval(Duration.ofMillis(20)).outboxRetry(Duration.ofMinutes(1), Duration.ofHours(1), Duration.ofDays(5), Duration.ofMinutes(5))
                .listener(new MailroomListener() {
                    @Override
                    public void attempted(DeliveryAttempt a) {
                        throw new IllegalStateException("a broken listener");
                    }
                })
                .listener(new MailroomListener() {
                    @Override
                    public void attempted(DeliveryAttempt a) {
                        seen.add(a);
                    }
                }).build()) {
            m.send(MailContext.system(), email);
            DeliveryAttempt sent = next(seen);
            assertThat(sent.outcome()).isEqualTo(DeliveryAttempt.Outcome.SENT);
            assertThat(sent.queued()).isFalse();
            assertThat(sent.transport()).isEqualTo(transport.id());
            assertThat(sent.account().value()).isEqualTo("sys");
            assertThat(sent.duration()).isPositive();

            transport.failWith(new MailException(MailErrorCode.AUTH_FAILED, "scripted", "535 5.7.8 no", null, List.of(), null));
            assertThat(catchThrowable(() -> m.send(MailContext.system(), email))).isInstanceOf(MailException.class);
            DeliveryAttempt failed = next(seen);
            assertThat(failed.outcome()).isEqualTo(DeliveryAttempt.Outcome.FAILED);
            assertThat(failed.error()).isEqualTo(MailErrorCode.AUTH_FAILED);

            m.enqueue(MailContext.system(), email); // queued with a login problem: the account is held
            DeliveryAttempt held = next(seen);
            assertThat(held.outcome()).isEqualTo(DeliveryAttempt.Outcome.HELD);
            assertThat(held.queued()).isTrue();

            transport.failWith(new MailException(MailErrorCode.TEMPORARY_FAILURE, "scripted", "451 later", null, List.of(), null));
            m.accounts().update(repo.find(dev.mailroom.AccountId.of("sys")).orElseThrow()); // a change releases the hold
            assertThat(next(seen).outcome()).isEqualTo(DeliveryAttempt.Outcome.DEFERRED);
        }
    }

    @Test
    @DisplayName("#15 lifecycle: deferred workers send nothing until started; stopped they leave mail queued; started again they send it")
    void deferredWorkers_startStopStart() throws Exception {
        account();
        try (Mailroom m = Mailroom.builder().accountRepository(repo).transport(transport).discoverTransports(false)
                .outboxPollInterval(Duration.ofMillis(20)).deferOutboxWorkers().build()) {
            assertThat(m.outboxWorkersRunning()).isFalse();
            Queued first = m.enqueue(MailContext.system(), email);
            assertThat(transport.sent()).isEmpty();
            assertThat(m.outbox().find(first.outboxId()).orElseThrow().status()).isEqualTo(OutboxRepository.Status.QUEUED);
            m.startOutboxWorkers();
            assertThat(m.outboxWorkersRunning()).isTrue();
            awaitSent(m, first);
            m.stopOutboxWorkers();
            assertThat(m.outboxWorkersRunning()).isFalse();
            Queued second = m.enqueue(MailContext.system(), email);
            assertThat(m.outbox().find(second.outboxId()).orElseThrow().status()).isEqualTo(OutboxRepository.Status.QUEUED);
            assertThat(transport.sent()).hasSize(1);
            m.startOutboxWorkers();
            awaitSent(m, second);
            assertThat(transport.sent()).hasSize(2);
        }
    }

    private static void awaitSent(Mailroom m, Queued q) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (m.outbox().find(q.outboxId()).orElseThrow().status() != OutboxRepository.Status.SENT) {
            assertThat(System.nanoTime()).as("sent within 10 s").isLessThan(deadline);
            Thread.sleep(5); // polling the outbox: the workers signal nothing the test could wait on
        }
    }
}
