package dev.mailroom.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.mailroom.Account;
import dev.mailroom.Authentication;
import dev.mailroom.Email;
import dev.mailroom.EmailAddress;
import dev.mailroom.MailContext;
import dev.mailroom.NotificationEvent;
import dev.mailroom.NotificationResult;
import dev.mailroom.NotificationType;
import dev.mailroom.Person;
import dev.mailroom.Security;
import dev.mailroom.core.AesGcmSecretCipher;
import dev.mailroom.core.Mailroom;
import dev.mailroom.jdbc.JdbcStore;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * Issue #5: one event for 10,000 recipients enqueues 10,000 mails in batched inserts. Side by side in one
 * run, on the same store: {@code notifications().notify(event)} (one directory and preference lookup,
 * inserts in batches of 500) against the baseline a host writes without it, 10,000 × {@code enqueue} of
 * the same mail (one insert round trip each). Workers are off: this measures getting mail durably queued.
 */
public final class NotificationFanoutBench {
    private static final int RECIPIENTS = Integer.getInteger("bench.recipients", 10_000);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);

    private NotificationFanoutBench() {
    }

    public static void main(String[] args) throws Exception {
        String pgUrl = System.getProperty("bench.pgUrl");
        System.out.println("| database | round | notify (batched) | " + RECIPIENTS + " × enqueue | ratio |");
        System.out.println("|---|---:|---:|---:|---:|");
        run("H2 " + org.h2.engine.Constants.VERSION, NotificationFanoutBench::h2);
        if (pgUrl != null && !pgUrl.isBlank()) {
            run("PostgreSQL", () -> BenchDatabases.postgres(pgUrl, 4));
        } else {
            System.out.println("(PostgreSQL skipped: pass -Dbench.pgUrl=jdbc:postgresql://127.0.0.1:5432/test?user=postgres)");
        }
        System.exit(0);
    }

    interface Db {
        HikariDataSource open() throws Exception;
    }

    private static void run(String name, Db db) throws Exception {
        try (HikariDataSource ds = db.open();
             JdbcStore store = JdbcStore.builder(ds).cipher(AesGcmSecretCipher.builder().key("bench", new byte[32]).build()).build();
             Mailroom mailroom = Mailroom.builder().accountRepository(store.accounts()).deliveryLogRepository(store.deliveryLog()).outboxRepository(store.outbox())
                     .notificationPreferences(store.preferences()).outboxWorkers(0)
                     .directory((tenant, user) -> Optional.of(Person.of(user, "User " + user, EmailAddress.of(user + "@bench.test"), Locale.GERMAN)))
                     .build()) {
            store.accounts().save(Account.builder().id("sys").description("System").email("system@bench.test").systemAccount(true)
                    .smtp("127.0.0.1", 2525, Security.NONE).authentication(Authentication.none()).build());
            List<String> users = new ArrayList<>();
            for (int i = 0; i < RECIPIENTS; i++) {
                users.add("u" + i);
            }
            notify(mailroom, users); // warm-up: JIT, statement caches
            enqueueEach(mailroom, users);
            for (int round = 1; round <= ROUNDS; round++) {
                double batched = notify(mailroom, users);
                double single = enqueueEach(mailroom, users);
                System.out.printf(Locale.ROOT, "| %s | %d | %,.0f mails/s (%.0f ms) | %,.0f mails/s (%.0f ms) | %.2f× |%n", name, round,
                        RECIPIENTS / batched, batched * 1000, RECIPIENTS / single, single * 1000, single / batched);
            }
            try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT COUNT(*), COUNT(DISTINCT message_id) FROM mailroom_outbox")) {
                rs.next();
                if (rs.getLong(1) != rs.getLong(2) || rs.getLong(1) != 2L * RECIPIENTS * (ROUNDS + 1)) {
                    throw new IllegalStateException("expected " + 2L * RECIPIENTS * (ROUNDS + 1) + " distinct queued mails, found "
                            + rs.getLong(1) + " rows / " + rs.getLong(2) + " Message-IDs");
                }
            }
        }
    }

    /** @return seconds */
    private static double notify(Mailroom mailroom, List<String> users) {
        long t0 = System.nanoTime();
        NotificationResult r = mailroom.notifications().notify(NotificationEvent.builder(NotificationType.APPROVAL).concerns(users)
                .data("title", "Urlaubsantrag 2027").build());
        double s = (System.nanoTime() - t0) / 1e9;
        if (r.queued().size() != users.size()) {
            throw new IllegalStateException("queued " + r.queued().size() + ", skipped " + r.skipped());
        }
        return s;
    }

    /** The baseline: the same mails, one {@code enqueue} (one insert round trip) each. */
    private static double enqueueEach(Mailroom mailroom, List<String> users) {
        long t0 = System.nanoTime();
        for (String u : users) {
            mailroom.enqueue(MailContext.system().systemMail(), Email.builder().to(EmailAddress.of(u + "@bench.test", "User " + u))
                    .subject("Freigabe: Urlaubsantrag 2027").noSignature().header("Auto-Submitted", "auto-generated")
                    .text("Hallo User " + u + ",\n\netwas wartet auf Ihre Freigabe:\n\nUrlaubsantrag 2027\n").build());
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private static HikariDataSource h2() {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl("jdbc:h2:mem:fanout-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        c.setMaximumPoolSize(4);
        return new HikariDataSource(c);
    }
}
