package dev.mailroom.jdbc;

import dev.mailroom.core.Mailroom;
import org.postgresql.ds.PGSimpleDataSource;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/** A worker node in its own JVM, for the kill -9 test: delivers the outbox until it is killed. */
public final class KillableWorkerMain {
    private KillableWorkerMain() {
    }

    public static void main(String[] args) throws Exception {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(args[0]);
        ds.setCurrentSchema(args[1]);
        JdbcStore store = JdbcStore.builder(ds).cipher(TestKeys.cipher()).build();
        Mailroom mailroom = Mailroom.builder().accountRepository(store.accounts()).deliveryLogRepository(store.deliveryLog()).outboxRepository(store.outbox())
                .outboxWorkers(1).outboxLease(Duration.ofSeconds(2)).outboxPollInterval(Duration.ofMillis(20))
                .readTimeout(Duration.ofSeconds(60)).build();
        System.out.println("READY " + mailroom.transports());
        System.out.flush();
        new CountDownLatch(1).await(); // until killed
    }
}
