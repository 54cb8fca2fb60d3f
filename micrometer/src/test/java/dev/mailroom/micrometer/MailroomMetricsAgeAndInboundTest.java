package dev.mailroom.micrometer;

import dev.mailroom.Account;
import dev.mailroom.AccountId;
import dev.mailroom.Authentication;
import dev.mailroom.Email;
import dev.mailroom.MailContext;
import dev.mailroom.Secret;
import dev.mailroom.core.InMemoryAccountRepository;
import dev.mailroom.core.InMemoryOutboxRepository;
import dev.mailroom.core.Mailroom;
import dev.mailroom.inbound.FetchReport;
import dev.mailroom.testkit.RecordingTransport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

final class MailroomMetricsAgeAndInboundTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    /** A clock the test moves. */
    private static final class TestClock extends Clock {
        private volatile Instant now = Instant.parse("2026-11-29T12:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    @DisplayName("#15 meters: the oldest due entry's age is a time gauge: 0 with nothing due, then how long the oldest entry has waited")
    void oldestDueAge() {
        InMemoryAccountRepository repo = new InMemoryAccountRepository();
        repo.save(Account.builder().id("sys").description("System").email("app@acme.test").systemAccount(true)
                .smtpHost("smtp.test").authentication(Authentication.password("app@acme.test", Secret.of("pw"))).build());
        TestClock clock = new TestClock();
        MailroomMetrics metrics = MailroomMetrics.builder(registry).outboxRefresh(Duration.ofNanos(1)).build();
        try (Mailroom m = Mailroom.builder().accountRepository(repo).transport(new RecordingTransport()).discoverTransports(false)
                .outboxRepository(new InMemoryOutboxRepository(clock)).clock(clock).deferOutboxWorkers().listener(metrics).build()) {
            metrics.bindTo(m);
            assertThat(registry.get("mailroom.outbox.oldest.due.age").timeGauge().value(TimeUnit.SECONDS)).isZero();
            m.enqueue(MailContext.system(), Email.builder().to("kunde@example.test").text("x").build());
            clock.now = clock.now.plusSeconds(90);
            m.enqueue(MailContext.system(), Email.builder().to("kunde@example.test").text("y").build());
            assertThat(m.outbox().oldestDueAge()).contains(Duration.ofSeconds(90));
            assertThat(registry.get("mailroom.outbox.oldest.due.age").timeGauge().value(TimeUnit.SECONDS)).isEqualTo(90);
        }
    }

    @Test
    @DisplayName("#15 meters: inbound imported and quarantined counted from fetch reports; the account tag only when asked for")
    void inboundCounters() {
        InboundMetrics metrics = InboundMetrics.create(registry, false);
        metrics.accept(new FetchReport(AccountId.of("support"), 3, 1, 0, 0, 1, 0, 0, false, List.of()));
        metrics.accept(new FetchReport(AccountId.of("sales"), 2, 0, 0, 0, 0, 0, 0, false, List.of()));
        assertThat(registry.get("mailroom.inbound.imported").counter().count()).isEqualTo(5);
        assertThat(registry.get("mailroom.inbound.quarantined").counter().count()).isEqualTo(1);
        assertThat(registry.find("mailroom.inbound.imported").tagKeys("account").counters()).isEmpty();

        SimpleMeterRegistry tagged = new SimpleMeterRegistry();
        InboundMetrics perAccount = InboundMetrics.create(tagged, true);
        perAccount.accept(new FetchReport(AccountId.of("support"), 3, 0, 0, 0, 0, 0, 0, false, List.of()));
        assertThat(tagged.get("mailroom.inbound.imported").tag("account", "support").counter().count()).isEqualTo(3);
    }
}
