package dev.mailroom.core;

import dev.mailroom.testkit.RecordingTransport;
import dev.mailroom.DeliveryLogEntry;
import dev.mailroom.MailErrorCode;
import dev.mailroom.Security;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class MailroomBuilderTest {

    @Test
    @DisplayName("Builder rejects options set twice, infinite timeouts and DEFAULT as the default security")
    void builder_rejectsBadOptions() {
        assertThatThrownBy(() -> Mailroom.builder().readTimeout(Duration.ofSeconds(1)).readTimeout(Duration.ofSeconds(2)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("readTimeout was already set");
        assertThatThrownBy(() -> Mailroom.builder().connectTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("never infinite");
        assertThatThrownBy(() -> Mailroom.builder().defaultSecurity(Security.DEFAULT)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Mailroom.builder().accountRepository(null)).isInstanceOf(NullPointerException.class);
    }

    public static final class Broken implements dev.mailroom.spi.TransportProvider {
        public Broken() {
            throw new IllegalStateException("boom");
        }

        @Override
        public String id() {
            return "broken";
        }

        @Override
        public boolean supports(dev.mailroom.ResolvedAccount account) {
            return false;
        }

        @Override
        public dev.mailroom.spi.Transport open(dev.mailroom.spi.TransportContext settings) {
            throw new UnsupportedOperationException();
        }
    }

    public static final class FakeA extends Delegating {
        public FakeA() {
            super("fake");
        }
    }

    public static final class FakeB extends Delegating {
        public FakeB() {
            super("fake");
        }
    }

    public static class Delegating implements dev.mailroom.spi.TransportProvider {
        private final RecordingTransport t;

        Delegating(String id) {
            t = new RecordingTransport(id);
        }

        @Override
        public String id() {
            return t.id();
        }

        @Override
        public boolean supports(dev.mailroom.ResolvedAccount account) {
            return t.supports(account);
        }

        @Override
        public dev.mailroom.spi.Transport open(dev.mailroom.spi.TransportContext settings) {
            return t;
        }
    }

    private static ClassLoader withServices(Path dir, String... classes) throws Exception {
        Path services = dir.resolve("META-INF/services");
        Files.createDirectories(services);
        Files.writeString(services.resolve("dev.mailroom.spi.TransportProvider"), String.join("\n", classes) + "\n");
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, MailroomBuilderTest.class.getClassLoader());
    }

    @Test
    @DisplayName("Discovery: a broken provider is reported and skipped; the others load")
    void discovery_skipsBroken(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        ClassLoader cl = withServices(dir, Broken.class.getName(), FakeA.class.getName(), "com.example.DoesNotExist");
        try (Mailroom m = Mailroom.builder().classLoader(cl).build()) {
            assertThat(m.transports()).containsExactly("fake");
        }
    }

    @Test
    @DisplayName("Discovery: two providers with one id fail fast naming both classes")
    void discovery_duplicateIds_failFast(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        ClassLoader cl = withServices(dir, FakeA.class.getName(), FakeB.class.getName());
        assertThatThrownBy(() -> Mailroom.builder().classLoader(cl).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(FakeA.class.getName()).hasMessageContaining(FakeB.class.getName());
    }

    @Test
    @DisplayName("C3: errors of the last 24 hours, per account and per tenant")
    void deliveryLog_last24Hours() {
        Instant now = Instant.parse("2026-11-23T12:00:00Z");
        InMemoryDeliveryLog log = new InMemoryDeliveryLog();
        log.record(entry(now.minus(Duration.ofHours(25)), "old@acme.test", DeliveryLogEntry.Outcome.FAILURE));
        log.record(entry(now.minus(Duration.ofHours(2)), "a@acme.test", DeliveryLogEntry.Outcome.FAILURE));
        log.record(entry(now.minus(Duration.ofHours(1)), "a@acme.test", DeliveryLogEntry.Outcome.SUCCESS));
        try (Mailroom m = Mailroom.builder().deliveryLogRepository(log).discoverTransports(false).clock(Clock.fixed(now, ZoneOffset.UTC)).build()) {
            assertThat(m.deliveryLog().errorsSince(Duration.ofHours(24))).singleElement()
                    .satisfies(e -> {
                        assertThat(e.accountAddress()).isEqualTo("a@acme.test");
                        assertThat(e.reply()).contains("451 4.3.0 Try again later");
                    });
            assertThat(m.deliveryLog().errorsSince(Duration.ofHours(24), "acme")).hasSize(1);
            assertThat(m.deliveryLog().errorsSince(Duration.ofHours(24), "globex")).isEmpty();
            assertThat(m.deliveryLog().errorsSince(Duration.ofHours(48))).hasSize(2);
        }
    }

    private static DeliveryLogEntry entry(Instant t, String address, DeliveryLogEntry.Outcome outcome) {
        return new DeliveryLogEntry(t, dev.mailroom.AccountId.of(address), address, "acme", DeliveryLogEntry.Operation.SEND, outcome,
                outcome == DeliveryLogEntry.Outcome.FAILURE ? MailErrorCode.TEMPORARY_FAILURE : null,
                outcome == DeliveryLogEntry.Outcome.FAILURE ? "451 4.3.0 Try again later" : "250 ok", "<id@acme.test>", "smtp", "x");
    }
}
