package dev.mailroom.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.mailroom.Account;
import dev.mailroom.Authentication;
import dev.mailroom.Email;
import dev.mailroom.MailContext;
import dev.mailroom.Security;
import dev.mailroom.core.AesGcmSecretCipher;
import dev.mailroom.core.Mailroom;
import dev.mailroom.jdbc.JdbcStore;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Issue #4: mails through the outbox on PostgreSQL to an out-of-process sink, drained by one and by two
 * worker pools (two Mailroom instances, as two nodes), against direct sending. Enqueueing is not timed;
 * the drain is, from starting the workers to the last entry marked sent. Afterwards every entry must be
 * SENT after exactly one attempt, none a possible duplicate.
 */
public final class OutboxThroughputBench {
    private OutboxThroughputBench() {
    }

    public static void main(String[] args) throws Exception {
        String url = System.getProperty("bench.pgUrl", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
        int n = Integer.getInteger("bench.outboxMails", 20_000);
        int threads = Integer.getInteger("bench.outboxThreads", 2);
        int rounds = Integer.getInteger("bench.rounds", 3);
        // A SubEthaSMTP sink in a second JVM that keeps every Message-ID: each must arrive exactly once.
        // -Dbench.countAtSink=false: Postfix's smtp-sink instead (lighter, but it cannot count Message-IDs).
        // -Dbench.sinkDelayMs=5: the counting sink takes 5 ms before it accepts each message (a server across a network).
        boolean count = Boolean.parseBoolean(System.getProperty("bench.countAtSink", "true"));
        long delayMs = Long.getLong("bench.sinkDelayMs", 0);
        try (SmtpThroughputBench.Sink sink = count ? SmtpThroughputBench.Sink.java(true, delayMs)
                : SmtpThroughputBench.Sink.start(System.getProperty("bench.postfix"))) {
            // Interleaved rounds, medians: JIT warm-up and PostgreSQL's background work move single runs by ±20 %.
            double[] direct = new double[rounds];
            double[] one = new double[rounds];
            double[] two = new double[rounds];
            double[][] cpu = new double[3][rounds];
            for (int r = 0; r < rounds; r++) {
                long[] c0 = cpu();
                direct[r] = direct(url, sink.port(), n, threads);
                cpu[0][r] = busy(c0);
                exactlyOnce(sink, n, "direct");
                one[r] = drain(url, sink.port(), n, 1, threads, cpu[1], r);
                exactlyOnce(sink, n, "1 pool");
                two[r] = drain(url, sink.port(), n, 2, threads, cpu[2], r);
                exactlyOnce(sink, n, "2 pools");
                System.out.printf(Locale.ROOT, "round %d: direct %.0f, 1 pool %.0f (%.2f×), 2 pools %.0f (%.2f×); CPU busy %.0f %%, %.0f %%, %.0f %%%n",
                        r + 1, direct[r], one[r], one[r] / direct[r], two[r], two[r] / one[r], cpu[0][r], cpu[1][r], cpu[2][r]);
            }
            double d = median(direct);
            double o = median(one);
            double t = median(two);
            System.out.printf(Locale.ROOT, "%n%d mails of ~1 KB per path and round, %d rounds (medians), PostgreSQL, %d worker threads per pool, sink: %s%n",
                    n, rounds, threads, sink.postfix() ? "Postfix smtp-sink (Message-IDs not counted at the sink)"
                            : "SubEthaSMTP sink in a second JVM" + (delayMs > 0 ? " answering each message after " + delayMs + " ms" : "")
                            + ", every Message-ID received exactly once (checked)");
            System.out.printf(Locale.ROOT, "machine: %d CPUs; CPU busy (all processes, medians): direct %.0f %%, 1 pool %.0f %%, 2 pools %.0f %%%n",
                    Runtime.getRuntime().availableProcessors(), median(cpu[0]), median(cpu[1]), median(cpu[2]));
            System.out.println("| path | msg/s | ratio |");
            System.out.println("|---|---:|---:|");
            System.out.printf(Locale.ROOT, "| direct `send`, %d threads | %.0f | |%n", threads, d);
            System.out.printf(Locale.ROOT, "| outbox, 1 worker pool | %.0f | %.2f× direct |%n", o, o / d);
            System.out.printf(Locale.ROOT, "| outbox, 2 worker pools (two nodes) | %.0f | %.2f× one pool |%n", t, t / o);
        }
        System.exit(0);
    }

    /** The sink received n messages with n distinct Message-IDs since the last check, or the bench fails. */
    private static void exactlyOnce(SmtpThroughputBench.Sink sink, int n, String path) throws Exception {
        if (sink.postfix()) {
            return; // smtp-sink does not keep Message-IDs; the outbox rows are still checked
        }
        long[] r = sink.report();
        if (r[0] != n || r[1] != n) {
            throw new IllegalStateException(path + ": the sink received " + r[0] + " messages with " + r[1] + " distinct Message-IDs, expected "
                    + n + " and " + n);
        }
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        java.util.Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static double direct(String url, int port, int n, int threads) throws Exception {
        try (Db db = Db.create(url); JdbcStore store = store(db.ds); Mailroom m = mailroom(store, 0, port)) {
            AtomicInteger next = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            long t0 = System.nanoTime();
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                fs.add(pool.submit(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < n) {
                        m.send(MailContext.system(), mail(i));
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get(30, TimeUnit.MINUTES);
            }
            pool.shutdown();
            return n / ((System.nanoTime() - t0) / 1e9);
        }
    }

    /** Busy and total jiffies of all CPUs from /proc/stat (Linux), or zeros elsewhere. */
    private static long[] cpu() {
        try {
            String[] f = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]); // idle + iowait
            return new long[] {total - idle, total};
        } catch (Exception e) {
            return new long[] {0, 0};
        }
    }

    /** Percentage of CPU time busy since the sample. */
    private static double busy(long[] since) {
        long[] now = cpu();
        long total = now[1] - since[1];
        return total == 0 ? 0 : 100.0 * (now[0] - since[0]) / total;
    }

    private static double drain(String url, int port, int n, int pools, int threads, double[] cpu, int round) throws Exception {
        try (Db db = Db.create(url); JdbcStore store = store(db.ds)) {
            try (Mailroom producer = mailroom(store, 0, port)) {
                for (int i = 0; i < n; i++) {
                    producer.enqueue(MailContext.system(), mail(i));
                }
            }
            List<Mailroom> nodes = new ArrayList<>();
            long t0 = System.nanoTime();
            long[] c0 = cpu();
            for (int p = 0; p < pools; p++) {
                nodes.add(mailroom(store, threads, port));
            }
            while (count(db.ds, "status IN ('QUEUED', 'WAITING', 'IN_FLIGHT')") > 0) { // index range: unsent rows only
                Thread.sleep(50); // polling the database for the end of the drain; bench only
            }
            double rate = n / ((System.nanoTime() - t0) / 1e9);
            cpu[round] = busy(c0);
            for (Mailroom m : nodes) {
                m.close();
            }
            if (count(db.ds, "status = 'SENT' AND attempts = 1 AND NOT possible_duplicate") != n) {
                throw new IllegalStateException("not every mail was sent exactly once");
            }
            return rate;
        }
    }

    private static long count(javax.sql.DataSource ds, String where) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM mailroom_outbox WHERE " + where)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Email mail(int i) {
        return Email.builder().to("sink@bench.test").subject("outbox " + i).text("x".repeat(900)).build();
    }

    private static JdbcStore store(HikariDataSource ds) {
        JdbcStore store = JdbcStore.builder(ds).cipher(AesGcmSecretCipher.builder().key("bench", new byte[32]).build()).build();
        return store;
    }

    private static Mailroom mailroom(JdbcStore store, int workers, int port) {
        if (store.accounts().findAll().isEmpty()) {
            store.accounts().save(Account.builder().id("bench").description("Bench").email("app@bench.test").systemAccount(true)
                    .smtp("127.0.0.1", port, Security.NONE).authentication(Authentication.none()).build());
        }
        return Mailroom.builder().accountRepository(store.accounts()).deliveryLogRepository(store.deliveryLog()).outboxRepository(store.outbox())
                .outboxWorkers(workers).outboxPollInterval(Duration.ofMillis(50)).build();
    }

    /** A fresh schema on the PostgreSQL behind a pool, dropped on close. */
    private record Db(HikariDataSource ds) implements AutoCloseable {
        static Db create(String url) throws java.sql.SQLException {
            return new Db(BenchDatabases.postgres(url, 12));
        }

        @Override
        public void close() {
            ds.close();
        }
    }
}
