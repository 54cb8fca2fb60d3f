package dev.mailroom.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.mailroom.Account;
import dev.mailroom.Attachment;
import dev.mailroom.Authentication;
import dev.mailroom.Email;
import dev.mailroom.MailContext;
import dev.mailroom.Queued;
import dev.mailroom.Security;
import dev.mailroom.core.AesGcmSecretCipher;
import dev.mailroom.core.Mailroom;
import dev.mailroom.jdbc.JdbcStore;
import dev.mailroom.spi.OutboxRepository;
import org.h2.jdbcx.JdbcDataSource;

import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * Issue #10.8: {@code enqueue} and outbox delivery of a 50 MB attachment must not need the message in the heap
 * (target: live heap growth ≤ 10 MB), on H2 and PostgreSQL. Per database: a warm-up mail, then the large one
 * enqueued (no workers running) and then delivered by one worker to the out-of-process sink; a full GC every
 * 25 ms gives the live heap, whose highest value in each phase is compared with the live heap before.
 * H2 is a file database ({@code -Dbench.h2Options=;CACHE_SIZE=1024} etc. are appended to its URL);
 * PostgreSQL runs when {@code -Dbench.pgUrl} names one; {@code -Dbench.h2=false} leaves H2 out.
 */
public final class OutboxLargeAttachmentBench {
    private OutboxLargeAttachmentBench() {
    }

    public static void main(String[] args) throws Exception {
        int megabytes = Integer.getInteger("bench.attachmentMb", 50);
        Path dir = Files.createTempDirectory("mailroom-bench-outbox-");
        Path file = dir.resolve("attachment.bin");
        try (OutputStream out = Files.newOutputStream(file)) {
            byte[] chunk = new byte[1 << 20];
            Random random = new Random(1);
            for (int i = 0; i < megabytes; i++) {
                random.nextBytes(chunk);
                out.write(chunk);
            }
        }
        SmtpThroughputBench.Sink sink = SmtpThroughputBench.Sink.start(System.getProperty("bench.postfix"));
        try {
            if (!"false".equals(System.getProperty("bench.h2"))) {
                JdbcDataSource h2 = new JdbcDataSource();
                h2.setURL("jdbc:h2:file:" + dir.resolve("outbox") + System.getProperty("bench.h2Options", ""));
                run("H2 (file" + System.getProperty("bench.h2Options", "") + ")", h2, sink.port(), file, megabytes);
            }
            String pgUrl = System.getProperty("bench.pgUrl");
            if (pgUrl != null) {
                try (HikariDataSource pg = BenchDatabases.postgres(pgUrl, 4)) {
                    run("PostgreSQL", pg, sink.port(), file, megabytes);
                }
            }
        } finally {
            sink.close();
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
        System.exit(0);
    }

    @SuppressWarnings("try") // the worker only needs to run for the duration of the block
    private static void run(String database, DataSource ds, int port, Path file, int megabytes) throws Exception {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) 7);
        try (JdbcStore store = JdbcStore.builder(ds).cipher(AesGcmSecretCipher.builder().key("bench", key).build()).build()) {
            store.accounts().save(Account.builder().id("bench").description("Bench").email("app@bench.test").systemAccount(true)
                    .smtp("127.0.0.1", port, Security.NONE).authentication(Authentication.none()).build());
            try (Mailroom warmUp = worker(store)) {
                sent(store, warmUp.enqueue(MailContext.system(), Email.builder().to("sink@bench.test").subject("warm-up").text("x").build()));
            }
            System.gc();
            long baseline = live();
            AtomicLong highest = new AtomicLong(baseline);
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    System.gc();
                    highest.accumulateAndGet(live(), Math::max);
                    try {
                        Thread.sleep(25);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "full-gc-sampler");
            sampler.setDaemon(true);
            sampler.start();
            long t0 = System.nanoTime();
            Queued q;
            try (Mailroom producer = Mailroom.builder().accountRepository(store.accounts()).outboxRepository(store.outbox()).outboxWorkers(0)
                    .maxMessageSize(1L << 30).build()) {
                q = producer.enqueue(MailContext.system(), Email.builder().to("sink@bench.test").subject(megabytes + " MB")
                        .text("see attachment").attach(Attachment.of(file, "application/octet-stream")).build());
            }
            double enqueueSecs = (System.nanoTime() - t0) / 1e9;
            long enqueued = highest.getAndSet(live());
            long t1 = System.nanoTime();
            try (Mailroom worker = worker(store)) {
                if (!sent(store, q)) {
                    throw new IllegalStateException("not sent within 5 minutes");
                }
            }
            double deliverSecs = (System.nanoTime() - t1) / 1e9;
            sampler.interrupt();
            sampler.join();
            long delivered = highest.get();
            System.out.printf("%s: %d MB attachment, max heap %d MB; live heap before %.1f MB; enqueue %.2f s, highest live heap %.1f MB"
                            + " (growth %.1f MB); delivery %.2f s, highest live heap %.1f MB (growth %.1f MB)%n", database, megabytes,
                    Runtime.getRuntime().maxMemory() >> 20, baseline / 1048576.0, enqueueSecs, enqueued / 1048576.0,
                    (enqueued - baseline) / 1048576.0, deliverSecs, delivered / 1048576.0, (delivered - baseline) / 1048576.0);
        }
    }

    private static Mailroom worker(JdbcStore store) {
        return Mailroom.builder().accountRepository(store.accounts()).deliveryLogRepository(store.deliveryLog()).outboxRepository(store.outbox()).outboxWorkers(1)
                .outboxPollInterval(Duration.ofMillis(20)).maxMessageSize(1L << 30).readTimeout(Duration.ofSeconds(60)).build();
    }

    private static boolean sent(JdbcStore store, Queued q) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (store.outbox().find(q.outboxId()).orElseThrow().status() != OutboxRepository.Status.SENT) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    private static long live() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
