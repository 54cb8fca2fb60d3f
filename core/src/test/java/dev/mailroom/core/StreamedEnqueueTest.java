package dev.mailroom.core;

import dev.mailroom.testkit.RecordingTransport;
import dev.mailroom.Account;
import dev.mailroom.Attachment;
import dev.mailroom.Authentication;
import dev.mailroom.Email;
import dev.mailroom.MailContext;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.Secret;
import dev.mailroom.spi.OutboxRepository;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Issue #10.8: enqueue renders into a spool and checks the size limit while writing. */
final class StreamedEnqueueTest {
    private final InMemoryAccountRepository repo = new InMemoryAccountRepository();
    private final InMemoryOutboxRepository outbox = new InMemoryOutboxRepository();

    /** An attachment of {@code size} bytes made on the fly, counting what was read. */
    private static Attachment counted(long size, AtomicLong read) {
        return Attachment.of("big.bin", "application/octet-stream", () -> new InputStream() {
            private long left = size;

            @Override
            public int read() {
                if (left <= 0) {
                    return -1;
                }
                left--;
                read.incrementAndGet();
                return 'x';
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                java.util.Arrays.fill(b, off, off + n, (byte) 'x');
                left -= n;
                read.addAndGet(n);
                return n;
            }
        });
    }

    @Test
    @DisplayName("#10.8: a message over maxMessageSize stops rendering at the limit (a 64 MB attachment is read for about 1 MB only):"
            + " MESSAGE_TOO_LARGE, nothing stored")
    void tooLarge_stopsAtTheLimitAndStoresNothing() {
        repo.save(Account.builder().id("sys").description("System").email("app@acme.test").systemAccount(true).smtpHost("smtp.test")
                .authentication(Authentication.password("app@acme.test", Secret.of("pw"))).build());
        AtomicLong read = new AtomicLong();
        try (Mailroom m = Mailroom.builder().accountRepository(repo).outboxRepository(outbox).transport(new RecordingTransport()).discoverTransports(false)
                .outboxWorkers(0).maxMessageSize(1L << 20).build()) {
            assertThatThrownBy(() -> m.enqueue(MailContext.system(), Email.builder().to("kunde@example.test").subject("big").text("x")
                    .attach(counted(64L << 20, read)).build()))
                    .isInstanceOfSatisfying(MailException.class, e -> {
                        assertThat(e.code()).isEqualTo(MailErrorCode.MESSAGE_TOO_LARGE);
                        assertThat(e.getMessage()).contains("1048576 bytes").contains("nothing was stored");
                    });
        }
        assertThat(read.get()).as("attachment bytes read before stopping").isLessThan(2L << 20);
        assertThat(outbox.claim("w", 10, Duration.ofMinutes(1))).isEmpty();
    }

    @Test
    @DisplayName("#10.8: a 3 MB message goes through the spool into the outbox byte for byte (read back as a stream)")
    void largeMessage_storedWhole() throws Exception {
        repo.save(Account.builder().id("sys").description("System").email("app@acme.test").systemAccount(true).smtpHost("smtp.test")
                .authentication(Authentication.password("app@acme.test", Secret.of("pw"))).build());
        AtomicLong read = new AtomicLong();
        OutboxRepository.Entry entry;
        try (Mailroom m = Mailroom.builder().accountRepository(repo).outboxRepository(outbox).transport(new RecordingTransport()).discoverTransports(false)
                .outboxWorkers(0).build()) {
            long id = m.enqueue(MailContext.system(), Email.builder().to("kunde@example.test").subject("big").text("x")
                    .attach(counted(3L << 20, read)).build()).outboxId();
            entry = outbox.find(id).orElseThrow();
        }
        byte[] stored;
        try (InputStream in = outbox.openPayload(entry.id())) {
            stored = in.readAllBytes();
        }
        assertThat(read.get()).isEqualTo(3L << 20);
        assertThat(stored.length).as("base64 of 3 MB plus headers").isGreaterThan(4 << 20);
        assertThat(new String(stored, 0, 2000, java.nio.charset.StandardCharsets.US_ASCII)).contains("Message-ID: " + entry.messageId());
    }

    /** Its first read of a payload as a stream fails, as when the database goes away. */
    private static final class FirstReadFails extends DelegatingOutbox {
        private final java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();

        FirstReadFails(OutboxRepository delegate) {
            super(delegate);
        }

        @Override
        public java.util.Map<Long, byte[]> smallPayloads(java.util.List<Long> ids, int maxBytes) {
            return java.util.Map.of(); // every payload is read as a stream
        }

        @Override
        public InputStream openPayload(long id) {
            if (failed.compareAndSet(false, true)) {
                throw new IllegalStateException("Mailroom outbox: connection refused");
            }
            return super.openPayload(id);
        }
    }

    @Test
    @DisplayName("#10.8: reading a stored message fails (database gone): STORE_FAILED, retried and then sent, not given up as INTERNAL")
    void readingThePayloadFails_retried() {
        repo.save(Account.builder().id("sys").description("System").email("app@acme.test").systemAccount(true).smtpHost("smtp.test")
                .authentication(Authentication.password("app@acme.test", Secret.of("pw"))).build());
        FirstReadFails flaky = new FirstReadFails(outbox);
        RecordingTransport transport = new RecordingTransport();
        InMemoryDeliveryLog log = new InMemoryDeliveryLog();
        try (Mailroom m = Mailroom.builder().accountRepository(repo).outboxRepository(flaky).deliveryLogRepository(log).transport(transport).discoverTransports(false)
                .outboxWorkers(1).outboxPollInterval(Duration.ofMillis(10))
                .outboxRetry(Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofHours(1), Duration.ofHours(1)).build()) {
            long id = m.enqueue(MailContext.system(), Email.builder().to("kunde@example.test").subject("Rechnung").text("x").build()).outboxId();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (outbox.find(id).orElseThrow().status() != OutboxRepository.Status.SENT) {
                assertThat(outbox.find(id).orElseThrow().status()).as("not given up").isNotEqualTo(OutboxRepository.Status.FAILED);
                assertThat(System.nanoTime()).as("sent within 10 s").isLessThan(deadline);
                Thread.onSpinWait();
            }
        }
        assertThat(transport.sent()).hasSize(1);
        assertThat(log.query(dev.mailroom.DeliveryLogQuery.since(java.time.Instant.EPOCH)))
                .anySatisfy(l -> assertThat(l.errorCode()).isEqualTo(MailErrorCode.STORE_FAILED));
    }
}
