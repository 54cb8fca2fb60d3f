package dev.mailroom.jdbc;

import dev.mailroom.Account;
import dev.mailroom.Authentication;
import dev.mailroom.DeliveryLogQuery;
import dev.mailroom.Email;
import dev.mailroom.MailContext;
import dev.mailroom.Queued;
import dev.mailroom.Security;
import dev.mailroom.core.Mailroom;
import dev.mailroom.spi.OutboxRepository;
import dev.mailroom.testkit.ReceivedMail;
import dev.mailroom.testkit.ScriptedSmtpServer;
import dev.mailroom.testkit.ScriptedSmtpServer.Command;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue #4: a worker JVM killed with kill -9 in the middle of a batch. */
final class PostgresKillWorkerIT {

    @Test
    @DisplayName("Outbox: kill -9 of a worker JVM mid-batch (3 sent, the 4th in flight); after a restart every mail is delivered, only the in-flight one"
            + " may be a duplicate, and it is marked; every sent mail has its success line in the delivery log")
    void killedWorker_everyMailDelivered() throws Exception {
        PGSimpleDataSource ds = Databases.postgres();
        Process child = null;
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                .reply(Command.END_OF_DATA, "250 2.0.0 Ok: queued as 1", "250 2.0.0 Ok: queued as 2", "250 2.0.0 Ok: queued as 3",
                        ScriptedSmtpServer.SILENT, "250 2.0.0 Ok: queued").build().start();
             JdbcStore store = JdbcStore.builder(ds).cipher(TestKeys.cipher()).build()) {
            store.accounts().save(Account.builder().id("sys").description("System").email("app@acme.test").systemAccount(true)
                    .smtp("127.0.0.1", server.port(), Security.NONE).authentication(Authentication.none()).build());
            List<Queued> queued = new ArrayList<>();
            try (Mailroom producer = Mailroom.builder().accountRepository(store.accounts()).outboxRepository(store.outbox()).outboxWorkers(0).build()) {
                for (int i = 0; i < 20; i++) {
                    queued.add(producer.enqueue(MailContext.system(), Email.builder().to("k" + i + "@example.test").subject("m" + i).text("x").build()));
                }
            }
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), KillableWorkerMain.class.getName(),
                    System.getenv(Databases.PG_URL_VARIABLE), ds.getCurrentSchema())
                    .redirectErrorStream(true).redirectOutput(new File("target/killable-worker.log")).start();
            // The child sent three mails and its fourth, and waits for the reply that never comes.
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (server.commands().stream().filter(c -> c.equals(".")).count() < 4) {
                assertThat(System.nanoTime()).as("the child's fourth mail in time").isLessThan(until);
                Thread.onSpinWait();
            }
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();

            try (Mailroom survivor = Mailroom.builder().accountRepository(store.accounts()).deliveryLogRepository(store.deliveryLog()).outboxRepository(store.outbox())
                    .outboxWorkers(1).outboxLease(Duration.ofSeconds(30)).outboxPollInterval(Duration.ofMillis(50))
                    .readTimeout(Duration.ofSeconds(10)).build()) {
                List<ReceivedMail> received = server.received().await(20, Duration.ofSeconds(60));
                Set<String> ids = new HashSet<>();
                for (ReceivedMail m : received) {
                    assertThat(ids.add(m.header("Message-ID"))).as("delivered twice").isTrue();
                }
                assertThat(ids).hasSize(20);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (queued.stream().anyMatch(q -> store.outbox().find(q.outboxId()).orElseThrow().status() != OutboxRepository.Status.SENT)) {
                    assertThat(System.nanoTime()).as("all marked sent in time").isLessThan(deadline);
                    Thread.onSpinWait();
                }
                List<dev.mailroom.DeliveryLogEntry> log = survivor.deliveryLog().query(DeliveryLogQuery.since(Instant.EPOCH));
                assertThat(log).anyMatch(e -> e.detail().contains("possible duplicate"));
                // The three the killed worker sent were logged with their status, not at the end of its batch.
                for (Queued q : queued) {
                    assertThat(log).as("success line of " + q.messageId())
                            .anyMatch(e -> q.messageId().equals(e.messageId()) && e.outcome() == dev.mailroom.DeliveryLogEntry.Outcome.SUCCESS);
                }
            }
            long flagged = queued.stream().filter(q -> store.outbox().find(q.outboxId()).orElseThrow().possibleDuplicate()).count();
            assertThat(flagged).as("only mails the dead worker had claimed (its batch of at most 10) are flagged").isBetween(1L, 10L);
        } finally {
            if (child != null) {
                child.destroyForcibly();
            }
            Databases.dropSchema(ds);
        }
    }
}
