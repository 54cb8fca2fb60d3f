package dev.mailroom.jdbc;

import dev.mailroom.Account;
import dev.mailroom.Attachment;
import dev.mailroom.Authentication;
import dev.mailroom.Email;
import dev.mailroom.MailContext;
import dev.mailroom.Queued;
import dev.mailroom.Security;
import dev.mailroom.core.Mailroom;
import dev.mailroom.spi.OutboxRepository;
import org.h2.jdbcx.JdbcDataSource;
import org.postgresql.ds.PGSimpleDataSource;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * Issue #10.8, in its own small-heap JVM: enqueues a message with a large attachment (read from a file) into
 * a JDBC outbox and lets a worker deliver it to an SMTP server on {@code port}. Prints
 * {@code GROWTH <bytes>}: the highest live heap (after full GCs every 20 ms) during enqueue and delivery,
 * minus the live heap before. Exits 0 once the entry is sent, 2 when it is not sent within two minutes.
 * Arguments: {@code h2 <database file> <port> <megabytes> <attachment file>} or
 * {@code pg <url> <schema> <port> <megabytes> <attachment file>}.
 */
public final class LargeMessageMain {
    private LargeMessageMain() {
    }

    /** The attachment's bytes: the same for a given size, so the test can check what arrived. */
    static void writeAttachment(Path file, int megabytes) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            byte[] chunk = new byte[1 << 20];
            Random random = new Random(10_8);
            for (int i = 0; i < megabytes; i++) {
                random.nextBytes(chunk);
                out.write(chunk);
            }
        }
    }

    @SuppressWarnings("try") // the worker only needs to run for the duration of the block
    public static void main(String[] args) throws Exception {
        boolean pg = args[0].equals("pg");
        DataSource ds;
        int next;
        if (pg) {
            PGSimpleDataSource p = new PGSimpleDataSource();
            p.setURL(args[1]);
            p.setCurrentSchema(args[2]);
            ds = p;
            next = 3;
        } else {
            JdbcDataSource h = new JdbcDataSource();
            h.setURL("jdbc:h2:file:" + args[1]);
            ds = h;
            next = 2;
        }
        int port = Integer.parseInt(args[next]);
        int megabytes = Integer.parseInt(args[next + 1]);
        Path attachment = Path.of(args[next + 2]);
        writeAttachment(attachment, megabytes);
        try (JdbcStore store = JdbcStore.builder(ds).cipher(TestKeys.cipher()).build()) {
            store.accounts().save(Account.builder().id("sys").description("System").email("app@acme.test").systemAccount(true)
                    .smtp("127.0.0.1", port, Security.NONE).authentication(Authentication.none()).build());
            // warm-up: classes loaded, connections open, before the baseline
            try (Mailroom warmUp = worker(store)) {
                sent(store, warmUp.enqueue(MailContext.system(), Email.builder().to("kunde@example.test").subject("warm-up").text("x").build()));
            }
            System.gc();
            long baseline = live();
            AtomicLong highest = new AtomicLong(baseline);
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    System.gc();
                    highest.accumulateAndGet(live(), Math::max);
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "full-gc-sampler");
            sampler.setDaemon(true);
            sampler.start();
            Queued q;
            try (Mailroom producer = Mailroom.builder().accountRepository(store.accounts()).deliveryLogRepository(store.deliveryLog()).outboxRepository(store.outbox())
                    .outboxWorkers(0).build()) {
                q = producer.enqueue(MailContext.system(), Email.builder().to("kunde@example.test").subject("large")
                        .text("see attachment").attach(Attachment.of(attachment, "application/octet-stream")).build());
            }
            long enqueued = highest.getAndSet(baseline);
            System.out.println("ENQUEUED");
            System.out.flush();
            boolean sent;
            try (Mailroom worker = worker(store)) {
                sent = sent(store, q);
            }
            sampler.interrupt();
            sampler.join();
            long delivered = highest.get();
            System.out.println("ENQUEUE " + (enqueued - baseline) + " DELIVERY " + (delivered - baseline));
            System.out.println("GROWTH " + (Math.max(enqueued, delivered) - baseline));
            System.out.flush();
            System.exit(sent ? 0 : 2);
        }
    }

    private static Mailroom worker(JdbcStore store) {
        return Mailroom.builder().accountRepository(store.accounts()).deliveryLogRepository(store.deliveryLog()).outboxRepository(store.outbox())
                .outboxWorkers(1).outboxPollInterval(Duration.ofMillis(20)).readTimeout(Duration.ofSeconds(60)).build();
    }

    private static boolean sent(JdbcStore store, Queued q) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (store.outbox().find(q.outboxId()).orElseThrow().status() != OutboxRepository.Status.SENT) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20); // polling a database row from another process's point of view; no event to wait for
        }
        return true;
    }

    private static long live() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
