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
    @DisplayName("Outbox: kill -9 of a worker JVM mid-batch; after a restart every mail is delivered, only the in-flight one may be a duplicate, and it is marked")
    void killedWorker_everyMailDelivered() throws Exception {
        PGSimpleDataSource ds = Databases.postgres();
        Process child = null;
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                .reply(Command.END_OF_DATA, ScriptedSmtpServer.SILENT, "250 2.0.0 Ok: queued").build().start();
             JdbcStore store = JdbcStore.builder(ds).cipher(TestKeys.cipher()).build()) {
            store.accounts().save(Account.builder().id("sys").description("System").email("app@acme.test").systemAccount(true)
                    .smtp("127.0.0.1", server.port(), Security.NONE).authentication(Authentication.none()).build());
            List<Queued> queued = new ArrayList<>();
            try (Mailroom producer = Mailroom.builder().accounts(store.accounts()).outbox(store.outbox()).outboxWorkers(0).build()) {
                for (int i = 0; i < 20; i++) {
                    queued.add(producer.enqueue(MailContext.system(), Email.builder().to("k" + i + "@example.test").subject("m" + i).text("x").build()));
                }
            }
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), KillableWorkerMain.class.getName(),
                    System.getenv(Databases.PG_URL_VARIABLE), ds.getCurrentSchema())
                    .redirectErrorStream(true).redirectOutput(new File("target/killable-worker.log")).start();
            server.awaitCommand(".", Duration.ofSeconds(60)); // the child sent its first mail and waits for the reply that never comes
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();

            try (Mailroom survivor = Mailroom.builder().accounts(store.accounts()).deliveryLog(store.deliveryLog()).outbox(store.outbox())
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
                assertThat(survivor.deliveryLog().query(DeliveryLogQuery.since(Instant.EPOCH))).anyMatch(e -> e.detail().contains("possible duplicate"));
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
