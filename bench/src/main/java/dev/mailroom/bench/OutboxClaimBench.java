package dev.mailroom.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.mailroom.core.AesGcmSecretCipher;
import dev.mailroom.jdbc.JdbcOutboxRepository;
import dev.mailroom.jdbc.JdbcStore;
import dev.mailroom.spi.OutboxRepository;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Issue #4: claiming 10 due mails must cost at most 2× more with 100,000 waiting than with 1,000, on H2
 * (optimistic claim) and on PostgreSQL ({@code FOR UPDATE SKIP LOCKED}). Each claimed batch is put back
 * due at once, so the backlog stays the same while 300 claims are timed after 50 warm-up claims.
 */
public final class OutboxClaimBench {
    private OutboxClaimBench() {
    }

    public static void main(String[] args) throws Exception {
        String pgUrl = System.getProperty("bench.pgUrl");
        System.out.println("| database | backlog | claim of 10: median | p90 | ratio 100k / 1k |");
        System.out.println("|---|---:|---:|---:|---:|");
        run("H2 " + org.h2.engine.Constants.VERSION, () -> h2());
        if (pgUrl != null && !pgUrl.isBlank()) {
            run("PostgreSQL", () -> postgres(pgUrl));
        } else {
            System.out.println("(PostgreSQL skipped: pass -Dbench.pgUrl=jdbc:postgresql://127.0.0.1:5432/test?user=postgres)");
        }
        System.exit(0);
    }

    interface Db {
        HikariDataSource open() throws Exception;
    }

    private static void run(String name, Db db) throws Exception {
        double[] small = measure(db, 1_000);
        double[] large = measure(db, 100_000);
        System.out.printf(Locale.ROOT, "| %s | 1,000 | %.3f ms | %.3f ms | |%n", name, small[0], small[1]);
        System.out.printf(Locale.ROOT, "| %s | 100,000 | %.3f ms | %.3f ms | %.2f× |%n", name, large[0], large[1], large[0] / small[0]);
    }

    private static double[] measure(Db db, int backlog) throws Exception {
        try (HikariDataSource ds = db.open()) {
            byte[] key = new byte[32];
            try (JdbcStore store = JdbcStore.builder(ds).cipher(AesGcmSecretCipher.builder().key("bench", key).build()).build()) {
                fill(ds, backlog);
                JdbcOutboxRepository outbox = store.outbox();
                for (int i = 0; i < 50; i++) {
                    claimAndReturn(outbox, null);
                }
                long[] times = new long[300];
                for (int i = 0; i < times.length; i++) {
                    claimAndReturn(outbox, times);
                }
                Arrays.sort(times);
                return new double[] {times[times.length / 2] / 1e6, times[times.length * 9 / 10] / 1e6};
            }
        }
    }

    private static int calls;

    private static void claimAndReturn(OutboxRepository outbox, long[] times) {
        long t0 = System.nanoTime();
        List<OutboxRepository.Entry> claimed = outbox.claim("bench", 10, Duration.ofMinutes(5));
        long t = System.nanoTime() - t0;
        if (claimed.size() != 10) {
            throw new IllegalStateException("claimed " + claimed.size());
        }
        if (times != null) {
            times[calls++ % times.length] = t;
        }
        for (OutboxRepository.Entry e : claimed) {
            outbox.markRetry(e.id(), "bench", Duration.ZERO, "bench", false, false);
        }
    }

    private static void fill(HikariDataSource ds, int n) throws Exception {
        boolean pg = ds.getJdbcUrl().startsWith("jdbc:postgresql");
        String rows = pg ? "generate_series(1, ?) AS r(x)" : "SYSTEM_RANGE(1, ?) AS r(x)";
        try (Connection c = ds.getConnection();
             PreparedStatement p = c.prepareStatement("INSERT INTO mailroom_outbox (message_id, account_id, transport, envelope_from,"
                     + " recipients, smtp_utf8, status, attempts, created_at, due_at, possible_duplicate, lane_at) SELECT '<b' || x || '@bench>',"
                     + " 'sys', 'smtp', 'a@bench.test', 'c@bench.test', FALSE, 'QUEUED', 0, 0, x, FALSE, x FROM " + rows)) {
            p.setInt(1, n);
            p.executeUpdate();
            if (pg) {
                try (Statement s = c.createStatement()) {
                    s.execute("ANALYZE mailroom_outbox");
                }
            }
        }
    }

    private static HikariDataSource h2() {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl("jdbc:h2:mem:claim-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        c.setMaximumPoolSize(4);
        return new HikariDataSource(c);
    }

    private static HikariDataSource postgres(String url) throws Exception {
        return BenchDatabases.postgres(url, 4);
    }
}
