package dev.mailroom.jdbc;

import dev.mailroom.Account;
import dev.mailroom.AccountId;
import dev.mailroom.Authentication;
import dev.mailroom.DeliveryLogEntry;
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

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue #4's faults, proven against the JDBC outbox on each database. */
abstract class OutboxContract {
    abstract DataSource database();

    private static Mailroom mailroom(JdbcStore store, int workers) {
        return Mailroom.builder().accountRepository(store.accounts()).deliveryLogRepository(store.deliveryLog())
                .outboxRepository(store.outbox())
                .outboxWorkers(workers).outboxPollInterval(Duration.ofMillis(20))
                .outboxRetry(Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofHours(1), Duration.ofMillis(50))
                .readTimeout(Duration.ofSeconds(5)).build();
    }

    private static JdbcStore store(DataSource ds) {
        return JdbcStore.builder(ds).cipher(TestKeys.cipher()).changePollInterval(Duration.ofMillis(50)).build();
    }

    private static void account(JdbcStore store, int port) {
        store.accounts().save(Account.builder().id("sys").description("System").email("app@acme.test").systemAccount(true)
                .smtp("127.0.0.1", port, Security.NONE).authentication(Authentication.none()).build());
    }

    private static Email mail(int i) {
        return Email.builder().to("kunde" + i + "@example.test").subject("Nachricht " + i).text("Text " + i).build();
    }

    /** A bounded wait for a condition the workers bring about. */
    private static void await(BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(5); // polling the database; the workers signal nothing the test could wait on
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static Set<String> uniqueIds(List<ReceivedMail> received) {
        Set<String> ids = new HashSet<>();
        for (ReceivedMail m : received) {
            assertThat(ids.add(m.header("Message-ID"))).as("sent twice: " + m.header("Message-ID")).isTrue();
        }
        return ids;
    }

    @Test
    @DisplayName("Outbox: the server is down while 1,000 mails are enqueued; it comes back; all 1,000 delivered, none twice")
    void serverDown_thenUp_allDeliveredOnce() {
        int port;
        try (ScriptedSmtpServer probe = ScriptedSmtpServer.builder().build().start()) {
            port = probe.port(); // then closed: nothing listens there now
        }
        try (JdbcStore store = store(database()); Mailroom m = mailroom(store, 2)) {
            account(store, port);
            List<Queued> queued = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                queued.add(m.enqueue(MailContext.system(), mail(i)));
            }
            // not counted as attempts (#10.2: never handed over), but recorded as the entries' last error
            await(() -> store.outbox().find(queued.get(0).outboxId()).orElseThrow().lastError() != null, Duration.ofSeconds(20),
                    "a failed attempt while the server is down");
            try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().port(port).build().start()) {
                List<ReceivedMail> received = server.received().await(1000, Duration.ofSeconds(120));
                assertThat(uniqueIds(received)).hasSize(1000);
                await(() -> queued.stream().allMatch(q -> store.outbox().find(q.outboxId()).orElseThrow().status()
                        == OutboxRepository.Status.SENT), Duration.ofSeconds(30), "all entries marked sent");
            }
            assertThat(m.deliveryLog().query(DeliveryLogQuery.since(Instant.EPOCH).failures().limit(100_000)))
                    .allMatch(e -> e.errorCode() == dev.mailroom.MailErrorCode.CONNECTION_REFUSED);
        }
    }

    @Test
    @DisplayName("Outbox: 451 then 250 is delivered on the retry; 550 fails once and is not retried; 421 on connect is retried")
    void scriptedReplies() {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                .reply(Command.GREETING, "421 4.7.0 mail.example.test Try again later", "220 scripted.test ESMTP")
                .reply(Command.MAIL, "451 4.3.0 Temporary lookup failure", "250 2.1.0 Ok")
                .build().start();
             JdbcStore store = store(database()); Mailroom m = mailroom(store, 1)) {
            account(store, server.port());
            Queued q = m.enqueue(MailContext.system(), mail(1));
            server.received().await(1, Duration.ofSeconds(20));
            await(() -> store.outbox().find(q.outboxId()).orElseThrow().status() == OutboxRepository.Status.SENT, Duration.ofSeconds(10), "sent");
            // the 421 greeting is SERVER_BUSY: the mail was never handed over, so only the 451 and the success count (#10.2)
            assertThat(store.outbox().find(q.outboxId()).orElseThrow().attempts()).isEqualTo(2);
            // successes are written when the worker's batch is done, just after the entry is marked sent
            await(() -> m.deliveryLog().query(DeliveryLogQuery.since(Instant.EPOCH)).size() == 3, Duration.ofSeconds(10), "three log entries");
            assertThat(m.deliveryLog().query(DeliveryLogQuery.since(Instant.EPOCH))).extracting(DeliveryLogEntry::outcome)
                    .containsExactly(DeliveryLogEntry.Outcome.SUCCESS, DeliveryLogEntry.Outcome.FAILURE, DeliveryLogEntry.Outcome.FAILURE);
            assertThat(m.deliveryLog().query(DeliveryLogQuery.since(Instant.EPOCH).failures())).extracting(DeliveryLogEntry::errorCode)
                    .containsExactly(dev.mailroom.MailErrorCode.TEMPORARY_FAILURE, dev.mailroom.MailErrorCode.SERVER_BUSY);
        }
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                .reply(Command.RCPT, "550 5.1.1 <kunde1@example.test>: Recipient address rejected: User unknown").build().start();
             JdbcStore store = store(database()); Mailroom m = mailroom(store, 1)) {
            account(store, server.port());
            Queued q = m.enqueue(MailContext.system(), mail(1));
            await(() -> store.outbox().find(q.outboxId()).orElseThrow().status() == OutboxRepository.Status.FAILED, Duration.ofSeconds(10), "failed");
            assertThat(store.outbox().find(q.outboxId()).orElseThrow().lastError()).contains("550 5.1.1");
            assertThat(server.commands().stream().filter(c -> c.startsWith("RCPT")).count()).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("Outbox: per-recipient outcomes: accepted ones get it once, a 4xx one is retried alone, a 5xx one is logged and not retried")
    void perRecipientOutcomes() {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                .reply(Command.RCPT, "250 2.1.5 Ok", "451 4.2.0 <b@example.test>: Mailbox busy", "550 5.1.1 <c@example.test>: User unknown",
                        "250 2.1.5 Ok")
                .build().start();
             JdbcStore store = store(database()); Mailroom m = mailroom(store, 1)) {
            account(store, server.port());
            Queued q = m.enqueue(MailContext.system(), Email.builder().to("a@example.test", "b@example.test", "c@example.test")
                    .subject("Rundschreiben").text("Text").build());
            List<ReceivedMail> received = server.received().await(2, Duration.ofSeconds(20));
            await(() -> store.outbox().find(q.outboxId()).orElseThrow().status() == OutboxRepository.Status.SENT, Duration.ofSeconds(10), "sent");
            assertThat(received).extracting(ReceivedMail::envelopeRecipients)
                    .containsExactly(List.of("a@example.test"), List.of("b@example.test"));
            assertThat(received).extracting(r -> r.header("Message-ID")).containsOnly(q.messageId());
            assertThat(server.commands()).filteredOn(c -> c.startsWith("RCPT")).hasSize(4); // a, b, c, then b alone
            OutboxRepository.Entry e = store.outbox().find(q.outboxId()).orElseThrow();
            assertThat(e.attempts()).isEqualTo(2);
            assertThat(e.recipients()).extracting(dev.mailroom.EmailAddress::address).containsExactly("b@example.test");
            assertThat(e.partlySent()).as("the others got it: the retry makes no second Sent copy (B6)").isTrue();
            List<DeliveryLogEntry> log = m.deliveryLog().query(DeliveryLogQuery.since(Instant.EPOCH));
            assertThat(log).filteredOn(l -> l.errorCode() == dev.mailroom.MailErrorCode.RECIPIENT_REJECTED).singleElement()
                    .satisfies(l -> assertThat(l.serverReply()).startsWith("550 5.1.1").contains("c@example.test"));
            assertThat(log).filteredOn(l -> l.errorCode() == dev.mailroom.MailErrorCode.TEMPORARY_FAILURE).singleElement()
                    .satisfies(l -> assertThat(l.detail()).contains("b@example.test"));
            assertThat(log).filteredOn(l -> l.outcome() == DeliveryLogEntry.Outcome.SUCCESS).extracting(DeliveryLogEntry::detail)
                    .anyMatch(d -> d.contains("to 1 of 3 recipients"));
        }
    }

    @Test
    @DisplayName("Outbox: a drop after the final '.' is retried with the same bytes and marked a possible duplicate")
    void uncertainDelivery_retriedAndMarked() {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                .reply(Command.END_OF_DATA, ScriptedSmtpServer.DROP, "250 2.0.0 Ok: queued").build().start();
             JdbcStore store = store(database()); Mailroom m = mailroom(store, 1)) {
            account(store, server.port());
            Queued q = m.enqueue(MailContext.system(), mail(1));
            await(() -> store.outbox().find(q.outboxId()).orElseThrow().status() == OutboxRepository.Status.SENT, Duration.ofSeconds(10), "sent");
            OutboxRepository.Entry e = store.outbox().find(q.outboxId()).orElseThrow();
            assertThat(e.possibleDuplicate()).isTrue();
            assertThat(server.received().single().header("Message-ID")).isEqualTo(q.messageId());
            assertThat(m.deliveryLog().query(DeliveryLogQuery.since(Instant.EPOCH))).anyMatch(l -> l.detail().contains("possible duplicate"));
        }
    }

    @Test
    @DisplayName("Outbox: entries claimed by a node that died are claimed again when the lease expires, and marked possible duplicates")
    void expiredLease_reclaimed() {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().build().start(); JdbcStore store = store(database())) {
            account(store, server.port());
            List<Queued> queued = new ArrayList<>();
            try (Mailroom enqueueOnly = mailroom(store, 0)) {
                for (int i = 0; i < 5; i++) {
                    queued.add(enqueueOnly.enqueue(MailContext.system(), mail(i)));
                }
            }
            // a node claims them and dies before sending: it never marks them
            assertThat(store.outbox().claim("dead-node", 10, Duration.ofMillis(300))).hasSize(5);
            assertThat(store.outbox().claim("other", 10, Duration.ofMinutes(5))).as("held by the lease").isEmpty();
            try (Mailroom survivor = mailroom(store, 1)) {
                assertThat(survivor.transports()).contains("smtp");
                assertThat(uniqueIds(server.received().await(5, Duration.ofSeconds(20)))).hasSize(5);
                await(() -> queued.stream().allMatch(q -> store.outbox().find(q.outboxId()).orElseThrow().status()
                        == OutboxRepository.Status.SENT), Duration.ofSeconds(10), "sent");
            }
            assertThat(queued).allMatch(q -> store.outbox().find(q.outboxId()).orElseThrow().possibleDuplicate());
            assertThat(store.outbox().markSent(queued.get(0).outboxId(), "dead-node")).as("the dead node's lease is fenced off").isFalse();
        }
    }

    @Test
    @DisplayName("Outbox: postponing an account defers its queued mail only, without counting attempts; other accounts stay due")
    void postpone_defersOneAccount() {
        try (JdbcStore store = store(database())) {
            OutboxRepository outbox = store.outbox();
            AccountId broken = AccountId.of("broken-" + System.nanoTime());
            AccountId healthy = AccountId.of("healthy-" + System.nanoTime());
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ids.add(outbox.insert(entry(broken, i)).id());
            }
            long other = outbox.insert(entry(healthy, 9)).id();
            assertThat(outbox.postpone(broken, Duration.ofHours(1), "held: 535 5.7.8")).isEqualTo(3);
            assertThat(outbox.postpone(broken, Duration.ofMinutes(1), "shorter")).as("never brought forward").isZero();
            List<OutboxRepository.Entry> claimed = outbox.claim("w", 100, Duration.ofMinutes(1));
            assertThat(claimed).extracting(OutboxRepository.Entry::accountId).doesNotContain(broken).contains(healthy);
            assertThat(claimed).extracting(OutboxRepository.Entry::id).contains(other);
            for (long id : ids) {
                OutboxRepository.Entry e = outbox.find(id).orElseThrow();
                assertThat(e.status()).isEqualTo(OutboxRepository.Status.QUEUED);
                assertThat(e.attempts()).isZero();
                assertThat(e.lastError()).isEqualTo("held: 535 5.7.8");
                assertThat(e.dueAt()).isAfter(e.createdAt().plus(Duration.ofMinutes(59)));
            }
            assertThat(outbox.resumeHeld()).as("a settings change releases the held entries").isEqualTo(3);
            assertThat(outbox.claim("w2", 100, Duration.ofMinutes(1))).extracting(OutboxRepository.Entry::id).containsExactlyInAnyOrderElementsOf(ids);
            assertThat(outbox.resumeHeld()).as("released once").isZero();
        }
    }

    @Test
    @DisplayName("Outbox: insertAll stores a fan-out in batches, in order, keeps each entry's operation and returns stored keys as stored")
    void insertAll_batched() {
        try (JdbcStore store = store(database())) {
            OutboxRepository outbox = store.outbox();
            AccountId account = AccountId.of("fan-" + System.nanoTime());
            OutboxRepository.Entry earlier = outbox.insert(keyed(account, 7, "evt-1/u-7"));
            List<OutboxRepository.NewEntry> batch = new ArrayList<>();
            for (int i = 0; i < 1_200; i++) {
                batch.add(i == 7 ? keyed(account, 7, "evt-1/u-7") : i % 2 == 0 ? keyed(account, i, "evt-1/u-" + i) : entry(account, i));
            }
            List<OutboxRepository.Entry> stored = outbox.insertAll(batch);
            assertThat(stored).hasSize(1_200);
            for (int i = 0; i < stored.size(); i++) {
                assertThat(stored.get(i).messageId()).isEqualTo(batch.get(i).messageId());
            }
            assertThat(stored.get(7).id()).as("a stored key is returned as stored").isEqualTo(earlier.id());
            assertThat(stored).extracting(OutboxRepository.Entry::operation).containsOnly(dev.mailroom.DeliveryLogEntry.Operation.NOTIFICATION);
            assertThat(stored.stream().map(OutboxRepository.Entry::id).distinct()).hasSize(1_200);
            assertThat(new String(outbox.payload(stored.get(1_199).id()), java.nio.charset.StandardCharsets.US_ASCII)).contains("x");
            assertThat(outbox.insertAll(batch)).as("the same batch again stores nothing new for its keys")
                    .filteredOn(e -> e.idempotencyKey() != null).extracting(OutboxRepository.Entry::id)
                    .containsExactlyElementsOf(stored.stream().filter(e -> e.idempotencyKey() != null).map(OutboxRepository.Entry::id).toList());
        }
    }

    @Test
    @DisplayName("E1/E2/E3 on the store: a notification to 200 users is delivered once each; a refused one is in the error log as NOTIFICATION")
    void notification_endToEnd() {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                .reply(Command.RCPT, "250 2.1.5 Ok", "550 5.1.1 <user1@example.test>: Recipient address rejected: User unknown", "250 2.1.5 Ok")
                .build().start();
             JdbcStore store = store(database());
             Mailroom m = Mailroom.builder().accountRepository(store.accounts()).deliveryLogRepository(store.deliveryLog())
                     .outboxRepository(store.outbox())
                     .notificationPreferences(store.preferences())
                     .directory((tenant, user) -> java.util.Optional.of(dev.mailroom.Person.of(user, "User " + user,
                             user.equals("u-150") ? null : dev.mailroom.EmailAddress.of(user.replace("u-", "user") + "@example.test"),
                             java.util.Locale.GERMAN)))
                     .outboxWorkers(2).outboxPollInterval(Duration.ofMillis(20))
                     .outboxRetry(Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofHours(1), Duration.ofMillis(50)).build()) {
            account(store, server.port());
            store.preferences().save(null, "u-3", dev.mailroom.NotificationType.TASK, dev.mailroom.NotificationPreference.NONE);
            List<String> users = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                users.add("u-" + i);
            }
            dev.mailroom.NotificationResult r = m.notifications().notify(dev.mailroom.NotificationEvent.builder(dev.mailroom.NotificationType.TASK)
                    .concerns(users).data("title", "Inventur").build());
            assertThat(r.queued()).hasSize(198);
            assertThat(r.skipped()).extracting(dev.mailroom.NotificationResult.Skipped::reason).containsExactlyInAnyOrder(
                    dev.mailroom.NotificationResult.SkipReason.OPTED_OUT, dev.mailroom.NotificationResult.SkipReason.NO_ADDRESS);
            List<ReceivedMail> received = server.received().await(197, Duration.ofSeconds(60));
            assertThat(uniqueIds(received)).hasSize(197);
            assertThat(received).allSatisfy(mail -> assertThat(mail.header("Auto-Submitted")).isEqualTo("auto-generated"));
            await(() -> !m.deliveryLog().errorsSince(Duration.ofHours(1)).isEmpty(), Duration.ofSeconds(10), "the refused notification in the log");
            assertThat(m.deliveryLog().errorsSince(Duration.ofHours(1))).singleElement().satisfies(e -> {
                assertThat(e.operation()).isEqualTo(dev.mailroom.DeliveryLogEntry.Operation.NOTIFICATION);
                assertThat(e.accountAddress()).isEqualTo("app@acme.test");
                assertThat(e.serverReply()).contains("550 5.1.1");
            });
        }
    }

    @Test
    @DisplayName("Outbox: a claimed batch's small payloads are read in one query, exactly; a multi-chunk payload is left to payload(id)")
    void smallPayloads_onlySingleChunk() {
        try (JdbcStore store = store(database())) {
            OutboxRepository outbox = store.outbox();
            AccountId account = AccountId.of("pay-" + System.nanoTime());
            OutboxRepository.NewEntry small = entry(account, 1);
            byte[] big = new byte[600 * 1024];
            java.util.Arrays.fill(big, (byte) 'x');
            OutboxRepository.NewEntry large = OutboxRepository.NewEntry.builder().messageId("<big@acme.test>").accountId(account)
                    .transport("smtp").envelopeFrom(small.envelopeFrom()).recipients(small.recipients()).payload(big).build();
            List<OutboxRepository.Entry> stored = outbox.insertAll(List.of(small, large));
            java.util.Map<Long, byte[]> read = outbox.smallPayloads(stored.stream().map(OutboxRepository.Entry::id).toList(), 512 * 1024);
            assertThat(read).containsOnlyKeys(stored.get(0).id());
            assertThat(read.get(stored.get(0).id())).isEqualTo(small.payload());
            assertThat(outbox.payload(stored.get(1).id())).isEqualTo(big);
        }
    }

    @Test
    @SuppressWarnings("try") // the worker only needs to run for the duration of the block
    @DisplayName("#4 end to end: one tenant's 300-mail burst does not hold back another tenant's mail; accounts take turns at the server")
    void burst_doesNotHoldBackAnotherTenant() {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().build().start(); JdbcStore store = store(database())) {
            account(store, server.port()); // the system-wide account, which every tenant falls back to
            for (String tenant : List.of("bulk", "urgent")) {
                store.accounts().save(Account.builder().id(tenant).description(tenant).email("app@" + tenant + ".test").tenant(tenant)
                        .systemAccount(true).smtp("127.0.0.1", server.port(), Security.NONE).authentication(Authentication.none()).build());
            }
            try (Mailroom producer = mailroom(store, 0)) { // the whole queue exists before a worker starts
                for (int i = 0; i < 300; i++) {
                    producer.enqueue(MailContext.tenant("bulk"), mail(i));
                }
                producer.enqueue(MailContext.tenant("urgent"), Email.builder().to("kunde@example.test").subject("Passwort zurücksetzen")
                        .text("Ihr Code: 4711").build());
            }
            try (Mailroom ignored = mailroom(store, 1)) {
                List<String> senders = server.received().await(20, Duration.ofSeconds(30)).stream().map(ReceivedMail::envelopeFrom).toList();
                assertThat(senders).as("the urgent mail is among the first 20 of 301, not the last (FIFO)").contains("app@urgent.test");
            }
        }
    }

    @Test
    @DisplayName("#4 retention: purging deletes a sent entry's payload chunks too (a 600 KiB message in two chunks), not a queued one's")
    void purge_deletesPayloadChunks() throws Exception {
        DataSource ds = database();
        try (JdbcStore store = store(ds)) {
            OutboxRepository outbox = store.outbox();
            AccountId account = AccountId.of("purge-" + System.nanoTime());
            byte[] big = new byte[600 * 1024];
            java.util.Arrays.fill(big, (byte) 'x');
            OutboxRepository.NewEntry small = entry(account, 1);
            List<OutboxRepository.Entry> stored = outbox.insertAll(List.of(OutboxRepository.NewEntry.builder()
                    .messageId("<big-purge@acme.test>").accountId(account).transport("smtp").envelopeFrom(small.envelopeFrom())
                    .recipients(small.recipients()).payload(big).build(), small));
            OutboxRepository.Entry sent = outbox.claim("w1", 1, Duration.ofMinutes(5)).get(0);
            assertThat(sent.id()).isEqualTo(stored.get(0).id());
            assertThat(outbox.markSent(sent.id(), "w1")).isTrue();
            long key = chunkKey(ds, sent.id()); // a large payload is staged under a key of its own (#10.8)
            assertThat(chunks(ds, key)).isEqualTo(2);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (outbox.purgeFinished(Duration.ofMillis(1)) == 0) { // the database clock must pass the 1 ms retention
                assertThat(System.nanoTime()).as("purged within 10 s").isLessThan(deadline);
            }
            assertThat(chunks(ds, key)).isZero();
            assertThat(chunks(ds, stored.get(1).id())).isEqualTo(1);
            assertThat(outbox.payload(stored.get(1).id())).isEqualTo(small.payload());
        }
    }

    /** The key of an entry's payload chunks: its id, or its staging key (#10.8). */
    private static long chunkKey(DataSource ds, long id) throws java.sql.SQLException {
        return count(ds, "SELECT COALESCE(payload_ref, id) FROM mailroom_outbox WHERE id = ?", id);
    }

    private static int chunks(DataSource ds, long id) throws java.sql.SQLException {
        return (int) count(ds, "SELECT COUNT(*) FROM mailroom_outbox_payload WHERE outbox_id = ?", id);
    }

    private static OutboxRepository.NewEntry keyed(AccountId account, int i, String key) {
        OutboxRepository.NewEntry e = entry(account, i);
        return OutboxRepository.NewEntry.builder().idempotencyKey(key).messageId(e.messageId()).accountId(e.accountId())
                .tenant(e.tenant()).transport(e.transport()).envelopeFrom(e.envelopeFrom()).recipients(e.recipients())
                .smtpUtf8(e.smtpUtf8()).payload(e.payload()).operation(dev.mailroom.DeliveryLogEntry.Operation.NOTIFICATION)
                .build();
    }

    private static OutboxRepository.NewEntry entry(AccountId account, int i) {
        return OutboxRepository.NewEntry.builder().messageId("<" + account.value() + "." + i + "@acme.test>").accountId(account)
                .transport("smtp").envelopeFrom(dev.mailroom.EmailAddress.of("app@acme.test"))
                .recipients(List.of(dev.mailroom.EmailAddress.of("kunde@example.test")))
                .payload("Subject: x\r\n\r\nx\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                .operation(dev.mailroom.DeliveryLogEntry.Operation.NOTIFICATION).build();
    }

    @Test
    @DisplayName("Outbox: a repeated idempotency key returns the stored entry and sends once")
    void idempotencyKey_sendsOnce() {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().build().start();
             JdbcStore store = store(database()); Mailroom m = mailroom(store, 1)) {
            account(store, server.port());
            Queued first = m.enqueue(MailContext.system(), mail(1), "invoice-4711");
            Queued again = m.enqueue(MailContext.system(), mail(1), "invoice-4711");
            assertThat(again.existing()).isTrue();
            assertThat(again.outboxId()).isEqualTo(first.outboxId());
            assertThat(again.messageId()).isEqualTo(first.messageId());
            await(() -> store.outbox().find(first.outboxId()).orElseThrow().status() == OutboxRepository.Status.SENT, Duration.ofSeconds(10), "sent");
            assertThat(server.received().all()).hasSize(1);
        }
    }

    @Test
    @DisplayName("Outbox: two nodes (two worker pools on one database) drain one outbox; no mail sent twice")
    void twoNodes_noDuplicates() {
        DataSource ds = database();
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().build().start();
             JdbcStore storeA = store(ds); JdbcStore storeB = store(ds);
             Mailroom nodeA = mailroom(storeA, 2); Mailroom nodeB = mailroom(storeB, 2)) {
            account(storeA, server.port());
            for (int i = 0; i < 300; i++) {
                (i % 2 == 0 ? nodeA : nodeB).enqueue(MailContext.system(), mail(i));
            }
            assertThat(uniqueIds(server.received().await(300, Duration.ofSeconds(60)))).hasSize(300);
        }
    }

    /** A working server across a slow network: takes every message after a delay, and records its Message-ID. */
    private static final class SlowSink implements dev.mailroom.spi.TransportProvider, dev.mailroom.spi.Transport {
        final List<String> delivered = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final long millis;

        SlowSink(long millis) {
            this.millis = millis;
        }

        @Override
        public String id() {
            return "slow";
        }

        @Override
        public boolean supports(dev.mailroom.ResolvedAccount account) {
            return true;
        }

        @Override
        public dev.mailroom.spi.Transport open(dev.mailroom.spi.TransportContext settings) {
            return this;
        }

        @Override
        public dev.mailroom.spi.SendResult send(dev.mailroom.ResolvedAccount account, dev.mailroom.spi.OutgoingMessage message) {
            try {
                Thread.sleep(millis); // the simulated server's latency, not a synchronisation
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new dev.mailroom.MailException(dev.mailroom.MailErrorCode.TIMEOUT, "interrupted");
            }
            delivered.add(message.messageId());
            return dev.mailroom.spi.SendResult.builder("250 2.0.0 Ok: queued").accepted(message.recipients()).build();
        }

        @Override
        public dev.mailroom.Diagnosis diagnose(dev.mailroom.ResolvedAccount account) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
        }
    }

    @Test
    @DisplayName("#10.5: a slow but working server (300 ms per mail, lease 1.2 s, batches of 10, two nodes on one database): each Message-ID delivered exactly once")
    void slowServer_shortLease_eachMessageOnce() {
        DataSource ds = database();
        SlowSink sink = new SlowSink(300);
        try (JdbcStore storeA = store(ds); JdbcStore storeB = store(ds)) {
            account(storeA, 25);
            List<Queued> queued = new ArrayList<>();
            try (Mailroom producer = Mailroom.builder().accountRepository(storeA.accounts()).outboxRepository(storeA.outbox())
                    .transport(sink).discoverTransports(false)
                    .outboxWorkers(0).build()) {
                for (int i = 0; i < 30; i++) {
                    queued.add(producer.enqueue(MailContext.system(), mail(i)));
                }
            }
            List<Mailroom> nodes = new ArrayList<>();
            try {
                for (JdbcStore store : List.of(storeA, storeB)) {
                    nodes.add(Mailroom.builder().accountRepository(store.accounts()).deliveryLogRepository(store.deliveryLog())
                            .outboxRepository(store.outbox()).transport(sink)
                            .discoverTransports(false).outboxWorkers(2).outboxPollInterval(Duration.ofMillis(20)).outboxLease(Duration.ofMillis(1200))
                            .outboxRetry(Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofHours(1), Duration.ofMillis(50)).build());
                }
                await(() -> queued.stream().allMatch(q -> storeA.outbox().find(q.outboxId()).orElseThrow().status() == OutboxRepository.Status.SENT),
                        Duration.ofSeconds(30), "all 30 sent");
            } finally {
                nodes.forEach(Mailroom::close);
            }
            Set<String> once = new HashSet<>();
            assertThat(sink.delivered).allSatisfy(id -> assertThat(once.add(id)).as("delivered twice: " + id).isTrue());
            assertThat(once).hasSize(30);
        }
    }

    @Test
    @DisplayName("#10.4: the maximum age is measured on the database's clock: a node whose clock runs a day ahead does not give up a new mail after a 451")
    void maxAge_onTheDatabaseClock() {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                .reply(Command.MAIL, "451 4.3.0 Temporary lookup failure", "250 2.1.0 Ok")
                .build().start();
             JdbcStore store = store(database());
             Mailroom m = Mailroom.builder().accountRepository(store.accounts()).deliveryLogRepository(store.deliveryLog())
                     .outboxRepository(store.outbox())
                     .clock(java.time.Clock.offset(java.time.Clock.systemUTC(), Duration.ofDays(1)))
                     .outboxWorkers(1).outboxPollInterval(Duration.ofMillis(20))
                     .outboxRetry(Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofHours(1), Duration.ofMillis(50)).build()) {
            account(store, server.port());
            Queued q = m.enqueue(MailContext.system(), mail(1));
            await(() -> { // one read per poll: two reads could see IN_FLIGHT, then QUEUED after the first attempt
                OutboxRepository.Status s = store.outbox().find(q.outboxId()).orElseThrow().status();
                return s != OutboxRepository.Status.QUEUED && s != OutboxRepository.Status.IN_FLIGHT;
            }, Duration.ofSeconds(10), "an outcome");
            OutboxRepository.Entry e = store.outbox().find(q.outboxId()).orElseThrow();
            assertThat(e.status()).as("not given up: " + e.lastError()).isEqualTo(OutboxRepository.Status.SENT);
            assertThat(e.attempts()).isEqualTo(2);
        }
    }

    @Test
    @DisplayName("#10.9 end to end: one worker, a server that never greets and a healthy one in the same batch: the healthy account's mail arrives while the other still hangs")
    void silentServer_doesNotDelayHealthyAccount() {
        try (ScriptedSmtpServer healthy = ScriptedSmtpServer.builder().build().start(); JdbcStore store = store(database())) {
            ScriptedSmtpServer silent = ScriptedSmtpServer.builder().reply(Command.GREETING, ScriptedSmtpServer.SILENT).build().start();
            try {
                account(store, healthy.port()); // the system-wide account, which tenants fall back to
                for (String tenant : List.of("silent", "healthy")) {
                    store.accounts().save(Account.builder().id(tenant).description(tenant).email("app@" + tenant + ".test").tenant(tenant)
                            .systemAccount(true).smtp("127.0.0.1", (tenant.equals("silent") ? silent : healthy).port(), Security.NONE)
                            .authentication(Authentication.none()).build());
                }
                Queued hanging;
                try (Mailroom producer = mailroom(store, 0)) { // both in the first claimed batch, the silent server's mail first
                    hanging = producer.enqueue(MailContext.tenant("silent"), mail(1));
                    producer.enqueue(MailContext.tenant("healthy"), mail(2));
                }
                try (Mailroom worker = Mailroom.builder().accountRepository(store.accounts())
                        .deliveryLogRepository(store.deliveryLog()).outboxRepository(store.outbox())
                        .outboxWorkers(1).outboxPollInterval(Duration.ofMillis(20)).connectTimeout(Duration.ofSeconds(30))
                        .readTimeout(Duration.ofSeconds(30)).build()) {
                    assertThat(worker.transports()).contains("smtp");
                    assertThat(healthy.received().await(1, Duration.ofSeconds(10))).singleElement()
                            .satisfies(mail -> assertThat(mail.envelopeFrom()).isEqualTo("app@healthy.test"));
                    assertThat(store.outbox().find(hanging.outboxId()).orElseThrow().status()).as("the silent server still hangs")
                            .isEqualTo(OutboxRepository.Status.IN_FLIGHT);
                    silent.close(); // the hanging connection ends: its mail goes back to the queue
                    await(() -> store.outbox().find(hanging.outboxId()).orElseThrow().status() == OutboxRepository.Status.QUEUED,
                            Duration.ofSeconds(10), "the silent server's mail back in the queue");
                }
            } finally {
                silent.close();
            }
        }
    }

    @Test
    @DisplayName("Outbox: a stored entry that cannot be read back fails alone; the claim returns the others and the outbox goes on")
    void unreadableEntry_failsAlone() throws Exception {
        DataSource ds = database();
        try (JdbcStore store = store(ds)) {
            OutboxRepository outbox = store.outbox();
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ids.add(outbox.insert(OutboxRepository.NewEntry.builder().messageId("<" + i + "@acme.test>")
                        .accountId(AccountId.of("sys")).transport("smtp")
                        .envelopeFrom(dev.mailroom.EmailAddress.of("app@acme.test"))
                        .recipients(List.of(dev.mailroom.EmailAddress.of("kunde" + i + "@example.test")))
                        .payload(("Subject: " + i + "\r\n\r\nText\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                        .build()).id());
            }
            try (java.sql.Connection c = ds.getConnection();
                 java.sql.PreparedStatement p = c.prepareStatement("UPDATE mailroom_outbox SET recipients = ? WHERE id = ?")) {
                p.setString(1, "not an address"); // as an older version, or a damaged row, may have left it
                p.setLong(2, ids.get(1));
                p.executeUpdate();
            }
            List<OutboxRepository.Entry> claimed = outbox.claim("w-1", 10, Duration.ofMinutes(1));
            assertThat(claimed).extracting(OutboxRepository.Entry::id).containsExactly(ids.get(0), ids.get(2));
            try (java.sql.Connection c = ds.getConnection();
                 java.sql.PreparedStatement p = c.prepareStatement("SELECT status, last_error, lease_owner FROM mailroom_outbox WHERE id = ?")) {
                p.setLong(1, ids.get(1));
                try (java.sql.ResultSet rs = p.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("FAILED");
                    assertThat(rs.getString(2)).contains("cannot be read back").contains("not an address");
                    assertThat(rs.getString(3)).isNull();
                }
            }
            assertThat(outbox.claim("w-1", 10, Duration.ofMinutes(1))).as("nothing left, and the claim does not throw").isEmpty();
        }
    }

    @Test
    @DisplayName("#10.8: a large payload is staged outside the entry's transaction, chunk by chunk; a failed insert (repeated key"
            + " in one batch) leaves no chunk behind; staged chunks nobody refers to are swept after a day, recent ones kept")
    void stagedPayloads_linkedCleanedAndSwept() throws Exception {
        DataSource ds = database();
        try (JdbcStore store = store(ds)) {
            OutboxRepository outbox = store.outbox();
            AccountId account = AccountId.of("stage-" + System.nanoTime());
            OutboxRepository.NewEntry small = entry(account, 1);
            byte[] big = new byte[1_300_000];
            new java.util.Random(8).nextBytes(big);
            OutboxRepository.Entry stored = outbox.insert(OutboxRepository.NewEntry.builder().messageId("<staged@acme.test>")
                    .accountId(account).transport("smtp").envelopeFrom(small.envelopeFrom()).recipients(small.recipients())
                    .payload(big).build());
            long key = chunkKey(ds, stored.id());
            assertThat(key).as("staged under a negative key").isNegative();
            assertThat(chunks(ds, key)).isEqualTo(3);
            assertThat(outbox.payload(stored.id())).isEqualTo(big);
            try (java.io.InputStream in = outbox.openPayload(stored.id())) {
                assertThat(in.readAllBytes()).isEqualTo(big);
            }

            long before = count(ds, "SELECT COUNT(*) FROM mailroom_outbox_payload");
            OutboxRepository.NewEntry twice = OutboxRepository.NewEntry.builder().messageId("<twice@acme.test>")
                    .accountId(account).transport("smtp").envelopeFrom(small.envelopeFrom()).recipients(small.recipients())
                    .payload(big).build();
            try (java.sql.Connection c = ds.getConnection(); java.sql.Statement s = c.createStatement()) {
                // every insert into the entry table fails from here on: the staged chunks must go again
                s.execute("ALTER TABLE mailroom_outbox ADD CONSTRAINT mailroom_test_no_more CHECK (message_id <> '<twice@acme.test>')");
            }
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> outbox.insert(twice)).isInstanceOf(RuntimeException.class);
            assertThat(count(ds, "SELECT COUNT(*) FROM mailroom_outbox_payload")).as("no staged chunk left").isEqualTo(before);

            long old = -(System.currentTimeMillis() - Duration.ofDays(2).toMillis()) * 1_000_000L;
            long recent = -(System.currentTimeMillis() - Duration.ofHours(1).toMillis()) * 1_000_000L;
            try (java.sql.Connection c = ds.getConnection();
                 java.sql.PreparedStatement p = c.prepareStatement("INSERT INTO mailroom_outbox_payload (outbox_id, seq, chunk) VALUES (?, 0, ?)")) {
                for (long orphan : new long[] {old, recent}) {
                    p.setLong(1, orphan);
                    p.setBytes(2, new byte[] {1, 2, 3});
                    p.executeUpdate();
                }
            }
            outbox.purgeFinished(Duration.ofDays(1));
            assertThat(chunks(ds, old)).as("an orphan of two days ago").isZero();
            assertThat(chunks(ds, recent)).as("an hour old: perhaps an insert still running").isEqualTo(1);
            assertThat(chunks(ds, key)).as("a queued entry's staged chunks").isEqualTo(3);
        }
    }

    /** The single number a query answers, with its parameters. */
    private static long count(DataSource ds, String sql, long... params) throws java.sql.SQLException {
        try (java.sql.Connection c = ds.getConnection(); java.sql.PreparedStatement p = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                p.setLong(i + 1, params[i]);
            }
            try (java.sql.ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    @DisplayName("#10.3 end to end: Postfix's 553 'Sender address rejected: not owned by user' at RCPT holds the account (budget kept), not a failed recipient; health is not OK")
    void senderRejectedAtRcpt_holdsAccount() {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                .reply(Command.RCPT, "553 5.7.1 <app@acme.test>: Sender address rejected: not owned by user app@acme.test").build().start();
             JdbcStore store = store(database()); Mailroom m = mailroom(store, 1)) {
            account(store, server.port());
            Queued q = m.enqueue(MailContext.system(), mail(1));
            await(() -> !m.deliveryLog().errorsSince(Duration.ofHours(1)).isEmpty(), Duration.ofSeconds(10), "the failed attempt in the log");
            await(() -> store.outbox().find(q.outboxId()).orElseThrow().status() == OutboxRepository.Status.QUEUED, Duration.ofSeconds(10),
                    "the entry back in the queue, held");
            OutboxRepository.Entry e = store.outbox().find(q.outboxId()).orElseThrow();
            assertThat(e.attempts()).as("an account problem uses no retry budget").isZero();
            assertThat(e.lastError()).contains("SENDER_REJECTED").contains("553 5.7.1");
            assertThat(m.deliveryLog().errorsSince(Duration.ofHours(1))).first()
                    .satisfies(entry -> assertThat(entry.errorCode()).isEqualTo(dev.mailroom.MailErrorCode.SENDER_REJECTED));
            assertThat(m.health(AccountId.of("sys")).state()).isNotEqualTo(dev.mailroom.AccountHealth.State.OK);
            assertThat(server.received().all()).isEmpty();
        }
    }

    @Test
    @DisplayName("#10.6 end to end: a 421 and hang-up after the final dot is ambiguous: retried with the same Message-ID and flagged a possible duplicate")
    void closing421AfterDot_possibleDuplicate() {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                .reply(Command.END_OF_DATA, ScriptedSmtpServer.andDrop("421 4.3.2 Service shutting down"), "250 2.0.0 Ok: queued as 42").build().start();
             JdbcStore store = store(database()); Mailroom m = mailroom(store, 1)) {
            account(store, server.port());
            Queued q = m.enqueue(MailContext.system(), mail(1));
            await(() -> store.outbox().find(q.outboxId()).orElseThrow().status() == OutboxRepository.Status.SENT, Duration.ofSeconds(10), "sent");
            OutboxRepository.Entry e = store.outbox().find(q.outboxId()).orElseThrow();
            assertThat(e.possibleDuplicate()).isTrue();
            assertThat(m.outbox().query(OutboxRepository.Query.all().possibleDuplicates())).extracting(OutboxRepository.Entry::id)
                    .containsExactly(q.outboxId());
            assertThat(m.deliveryLog().errorsSince(Duration.ofHours(1))).extracting(DeliveryLogEntry::errorCode)
                    .containsExactly(dev.mailroom.MailErrorCode.DELIVERY_UNCERTAIN);
            assertThat(server.received().all()).extracting(r -> r.header("Message-ID")).allMatch(id -> id.equals(q.messageId()));
        }
    }
}
