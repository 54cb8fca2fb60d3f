package dev.mailroom.micrometer;

import dev.mailroom.Account;
import dev.mailroom.Authentication;
import dev.mailroom.Email;
import dev.mailroom.MailContext;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.Secret;
import dev.mailroom.core.InMemoryAccountRepository;
import dev.mailroom.core.Mailroom;
import dev.mailroom.testkit.RecordingTransport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

final class MailroomMetricsTest {
    private final InMemoryAccountRepository repo = new InMemoryAccountRepository();
    private final RecordingTransport transport = new RecordingTransport();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Email email = Email.builder().to("kunde@example.test").text("x").build();

    private void account() {
        repo.save(Account.builder().id("sys").description("System").email("app@acme.test").systemAccount(true)
                .smtpHost("smtp.test").authentication(Authentication.password("app@acme.test", Secret.of("pw"))).build());
    }

    private double deliveries(String outcome, String error) {
        var c = registry.find("mailroom.deliveries").tag("outcome", outcome).tag("error", error).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    @DisplayName("#15 meters: sent and failed attempts counted by outcome and error category, timed, no account tag by default")
    void directSends_countedAndTimed() {
        account();
        MailroomMetrics metrics = MailroomMetrics.builder(registry).build();
        try (Mailroom m = Mailroom.builder().accountRepository(repo).transport(transport).discoverTransports(false).outboxWorkers(0)
                .listener(metrics).build()) {
            m.send(MailContext.system(), email);
            m.send(MailContext.system(), email);
            transport.failWith(new MailException(MailErrorCode.AUTH_FAILED, "scripted", "535 no", null, List.of(), null));
            assertThat(catchThrowable(() -> m.send(MailContext.system(), email))).isInstanceOf(MailException.class);
        }
        assertThat(deliveries("sent", "none")).isEqualTo(2);
        assertThat(deliveries("failed", "authentication")).isEqualTo(1);
        assertThat(registry.find("mailroom.delivery.duration").tag("outcome", "sent").tag("transport", transport.id()).timer().count())
                .isEqualTo(2);
        assertThat(registry.find("mailroom.deliveries").tagKeys("account").counters()).isEmpty();
    }

    @Test
    @DisplayName("#15 meters: outbox depth by status and held accounts as gauges; the account tag only when asked for")
    void outboxGauges_heldAccounts_accountTag() throws Exception {
        account();
        MailroomMetrics metrics = MailroomMetrics.builder(registry).accountTag(true).outboxRefresh(Duration.ofMillis(1)).build();
        transport.failWith(new MailException(MailErrorCode.AUTH_FAILED, "scripted", "535 no", null, List.of(), null));
        try (Mailroom m = Mailroom.builder().accountRepository(repo).transport(transport).discoverTransports(false)
                .outboxPollInterval(Duration.ofMillis(20)).deferOutboxWorkers().listener(metrics).build()) {
            metrics.bindTo(m);
            m.enqueue(MailContext.system(), email);
            m.enqueue(MailContext.system(), email);
            assertThat(registry.get("mailroom.outbox.entries").tag("status", "queued").gauge().value()).isEqualTo(2);
            assertThat(registry.get("mailroom.outbox.entries").tag("status", "sent").gauge().value()).isZero();
            m.startOutboxWorkers();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (registry.get("mailroom.accounts.held").gauge().value() < 1) {
                assertThat(System.nanoTime()).as("held within 10 s").isLessThan(deadline);
                Thread.sleep(5); // the workers signal nothing the test could wait on
            }
            assertThat(registry.find("mailroom.deliveries").tag("outcome", "held").tag("account", "sys").counter().count()).isEqualTo(1);
        }
        assertThatThrownBy(() -> MailroomMetrics.builder(registry).outboxRefresh(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }
}
