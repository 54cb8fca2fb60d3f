package dev.mailroom.core;

import dev.mailroom.testkit.RecordingTransport;
import dev.mailroom.Account;
import dev.mailroom.Authentication;
import dev.mailroom.Email;
import dev.mailroom.MailContext;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.Queued;
import dev.mailroom.Secret;
import dev.mailroom.spi.OutboxRepository;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue #4: a failing account is held, not hammered, and never holds up the mail of other accounts. */
@SuppressWarnings("try") // the workers only need to run for the duration of the block
final class OutboxAccountHoldTest {
    private static final int WORKERS = 2;
    private final InMemoryAccountRepository repo = new InMemoryAccountRepository();
    private final InMemoryOutboxRepository outbox = new InMemoryOutboxRepository();
    private final InMemoryDeliveryLog log = new InMemoryDeliveryLog();
    private final RecordingTransport transport = new RecordingTransport();

    private Mailroom mailroom(int workers, Duration backoff) {
        return Mailroom.builder().accountRepository(repo).deliveryLogRepository(log).outboxRepository(outbox).transport(transport).discoverTransports(false)
                .outboxWorkers(workers).outboxPollInterval(Duration.ofMillis(10))
                .outboxRetry(backoff, backoff, Duration.ofDays(5), Duration.ofHours(1)).build();
    }

    private void tenantAccount(String tenant) {
        repo.save(Account.builder().id(tenant).description(tenant).email("app@" + tenant + ".test").tenant(tenant).systemAccount(true)
                .smtpHost("smtp." + tenant + ".test").authentication(Authentication.password("app@" + tenant + ".test", Secret.of("pw"))).build());
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("timed out waiting for " + what).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    /** Enqueues through a producer without workers, so that the whole queue exists before any worker starts. */
    private List<Queued> enqueue(String tenant, int n) {
        List<Queued> out = new ArrayList<>();
        try (Mailroom producer = mailroom(0, Duration.ofMillis(10))) {
            for (int i = 0; i < n; i++) {
                out.add(producer.enqueue(MailContext.tenant(tenant), Email.builder().to("kunde" + i + "@example.test").text("x").build()));
            }
        }
        return out;
    }

    private boolean allHeldBeyond(List<Queued> queued, Duration atLeast) {
        Instant limit = Instant.now().plus(atLeast);
        return queued.stream().map(q -> outbox.find(q.outboxId()).orElseThrow())
                .allMatch(e -> e.status() == OutboxRepository.Status.QUEUED && e.dueAt().isAfter(limit));
    }

    private long attemptsFor(String tenant) {
        return transport.attempts().stream().filter(a -> a.equals("app@" + tenant + ".test")).count();
    }

    @Test
    @DisplayName("#4: an account whose login fails is paused with its whole queue (one attempt per worker), other accounts' mail flows")
    void authFailure_holdsTheAccountNotTheWorkers() {
        repo.save(Account.builder().id("sys").description("System").email("sys@acme.test").systemAccount(true).smtpHost("smtp.test")
                .authentication(Authentication.none()).build());
        tenantAccount("broken");
        tenantAccount("healthy");
        transport.failFor("app@broken.test", new MailException(MailErrorCode.AUTH_FAILED, "login failed", "535 5.7.8 Error: authentication failed",
                null, List.of(), null));
        List<Queued> broken = enqueue("broken", 50);
        List<Queued> healthy = enqueue("healthy", 5);
        try (Mailroom ignored = mailroom(WORKERS, Duration.ofMillis(10))) {
            await(() -> transport.sent().size() == 5, "the healthy account's mail");
            await(() -> allHeldBeyond(broken, Duration.ofMinutes(50)), "the broken account's queue to be held for the pause");
        }
        assertThat(healthy).allSatisfy(q -> assertThat(outbox.find(q.outboxId()).orElseThrow().status()).isEqualTo(OutboxRepository.Status.SENT));
        assertThat(attemptsFor("broken")).as("login attempts against the failing server").isBetween(1L, (long) WORKERS);
        assertThat(broken).as("the retry budget is kept").allSatisfy(q -> assertThat(outbox.find(q.outboxId()).orElseThrow().attempts()).isZero());
    }

    @Test
    @DisplayName("#4: once the administrator saves the fixed account, its held mail goes out at once, not after the pause")
    void fixedAccount_releasesTheHold() {
        repo.save(Account.builder().id("sys").description("System").email("sys@acme.test").systemAccount(true).smtpHost("smtp.test")
                .authentication(Authentication.none()).build());
        tenantAccount("broken");
        transport.failFor("app@broken.test", new MailException(MailErrorCode.AUTH_FAILED, "login failed", "535 5.7.8 Error: authentication failed",
                null, List.of(), null));
        List<Queued> broken = enqueue("broken", 20);
        try (Mailroom ignored = mailroom(WORKERS, Duration.ofMillis(10))) {
            await(() -> allHeldBeyond(broken, Duration.ofMinutes(50)), "the queue to be held");
            transport.succeedFor("app@broken.test");
            tenantAccount("broken"); // the administrator saves the corrected password
            await(() -> transport.sent().size() == 20, "the held mail after the fix");
        }
        assertThat(broken).allSatisfy(q -> assertThat(outbox.find(q.outboxId()).orElseThrow().status()).isEqualTo(OutboxRepository.Status.SENT));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = MailErrorCode.class, names = {"CONNECT_TIMEOUT", "TIMEOUT", "CONNECTION_REFUSED", "UNKNOWN_HOST"})
    @DisplayName("#4: an unreachable or stalling server defers the account's queue by the backoff instead of timing out on each message")
    void unreachableServer_defersTheQueue(MailErrorCode failure) {
        repo.save(Account.builder().id("sys").description("System").email("sys@acme.test").systemAccount(true).smtpHost("smtp.test")
                .authentication(Authentication.none()).build());
        tenantAccount("down");
        transport.failFor("app@down.test", new MailException(failure, "smtp.down.test: " + failure));
        List<Queued> down = enqueue("down", 40);
        try (Mailroom ignored = mailroom(WORKERS, Duration.ofHours(1))) {
            await(() -> allHeldBeyond(down, Duration.ofMinutes(20)), "the queue to be deferred");
        }
        assertThat(attemptsFor("down")).isBetween(1L, (long) WORKERS);
        long counted = down.stream().mapToInt(q -> outbox.find(q.outboxId()).orElseThrow().attempts()).sum();
        assertThat(counted).as("#10.2: a mail never handed over to the server keeps its retry budget, also the one tried").isZero();
    }

    @Test
    @DisplayName("#4: a Retry-After from the server is honoured: no attempt before it, for the message and its account")
    void retryAfter_isHonoured() {
        repo.save(Account.builder().id("sys").description("System").email("sys@acme.test").systemAccount(true).smtpHost("smtp.test")
                .authentication(Authentication.none()).build());
        tenantAccount("throttled");
        transport.failFor("app@throttled.test", new MailException(MailErrorCode.TEMPORARY_FAILURE, "throttled",
                "429 Too Many Requests (Retry-After: 7200)", Duration.ofHours(2), null));
        List<Queued> throttled = enqueue("throttled", 10);
        try (Mailroom ignored = mailroom(WORKERS, Duration.ofMillis(10))) {
            await(() -> allHeldBeyond(throttled, Duration.ofMinutes(110)), "the queue to wait for the server's Retry-After");
        }
        assertThat(attemptsFor("throttled")).isBetween(1L, (long) WORKERS);
    }
}
