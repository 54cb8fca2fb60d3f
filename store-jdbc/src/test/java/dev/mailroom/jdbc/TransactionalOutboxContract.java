package dev.mailroom.jdbc;

import dev.mailroom.Account;
import dev.mailroom.Attachment;
import dev.mailroom.Authentication;
import dev.mailroom.Email;
import dev.mailroom.MailContext;
import dev.mailroom.MailException;
import dev.mailroom.Queued;
import dev.mailroom.Security;
import dev.mailroom.core.Mailroom;
import dev.mailroom.spi.OutboxRepository;
import dev.mailroom.testkit.ReceivedMail;
import dev.mailroom.testkit.ScriptedSmtpServer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The transactional outbox (ADR 026): enqueue joins the host's JDBC transaction; run on H2 and PostgreSQL. */
abstract class TransactionalOutboxContract {
    abstract DataSource database();

    private static JdbcStore store(DataSource ds, HostTransactions host) {
        return JdbcStore.builder(ds).cipher(TestKeys.cipher()).hostTransactions(host).changePollInterval(Duration.ofMillis(50)).build();
    }

    private static Mailroom mailroom(JdbcStore store) {
        return Mailroom.builder().store(store).outboxWorkers(1).outboxPollInterval(Duration.ofMillis(20))
                .readTimeout(Duration.ofSeconds(5)).build();
    }

    private static void account(JdbcStore store, int port) {
        store.accounts().save(Account.builder().id("sys").description("System").email("app@acme.test").systemAccount(true)
                .smtp("127.0.0.1", port, Security.NONE).authentication(Authentication.none()).build());
    }

    private static Email mail(String subject) {
        return Email.builder().to("kunde@example.test").subject(subject).text("Guten Tag").build();
    }

    private static void createInvoices(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE invoice (id INT PRIMARY KEY)");
        }
    }

    private static long count(DataSource ds, String table) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void insertInvoice(Connection c, int id) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("INSERT INTO invoice (id) VALUES (?)")) {
            p.setInt(1, id);
            p.executeUpdate();
        }
    }

    /** A bounded wait for a condition the workers bring about. */
    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(5); // polling the database; the workers signal nothing the test could wait on
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    @Test
    @DisplayName("#15 transactional outbox: the host rolls back its invoice; the mail enqueued with it is neither stored nor sent")
    void rollback_nothingStored_nothingSent() throws Exception {
        DataSource ds = database();
        createInvoices(ds);
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().build().start();
             JdbcStore store = store(ds, HostTransactions.NONE); Mailroom m = mailroom(store)) {
            account(store, server.port());
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                insertInvoice(c, 4711);
                Queued q = store.joinTransaction(c, () -> m.enqueue(MailContext.system(), mail("Rechnung 4711"), "invoice-4711"));
                assertThat(q.outboxId()).isPositive();
                assertThat(count(ds, "mailroom_outbox")).as("not visible before the host commits").isZero();
                c.rollback();
            }
            assertThat(count(ds, "invoice")).isZero();
            assertThat(count(ds, "mailroom_outbox")).isZero();
            assertThat(count(ds, "mailroom_outbox_payload")).isZero();
            // a later mail goes out alone: the rolled-back one was never there for the workers
            m.enqueue(MailContext.system(), mail("Marker"));
            List<ReceivedMail> received = server.received().await(1, Duration.ofSeconds(20));
            assertThat(received).singleElement().satisfies(r -> assertThat(r.header("Subject")).isEqualTo("Marker"));
            // the key of the rolled-back mail was never stored: enqueuing it again stores it
            assertThat(m.enqueue(MailContext.system(), mail("Rechnung 4711"), "invoice-4711").existing()).isFalse();
        }
    }

    @Test
    @DisplayName("#15 transactional outbox: the host commits; the mail is sent exactly once, after the commit")
    void commit_sentOnce() throws Exception {
        DataSource ds = database();
        createInvoices(ds);
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().build().start();
             JdbcStore store = store(ds, HostTransactions.NONE); Mailroom m = mailroom(store)) {
            account(store, server.port());
            Queued q;
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                insertInvoice(c, 4711);
                q = store.joinTransaction(c, () -> m.enqueue(MailContext.system(), mail("Rechnung 4711"), "invoice-4711"));
                // the same key again in the same transaction: the entry it already wrote
                Queued again = store.joinTransaction(c, () -> m.enqueue(MailContext.system(), mail("Rechnung 4711"), "invoice-4711"));
                assertThat(again.existing()).isTrue();
                assertThat(again.outboxId()).isEqualTo(q.outboxId());
                assertThat(server.received().count()).isZero();
                c.commit();
            }
            List<ReceivedMail> received = server.received().await(1, Duration.ofSeconds(20));
            assertThat(received.get(0).header("Message-ID")).isEqualTo(q.messageId());
            await(() -> store.outbox().find(q.outboxId()).orElseThrow().status() == OutboxRepository.Status.SENT, "the entry marked sent");
            assertThat(store.outbox().find(q.outboxId()).orElseThrow().possibleDuplicate()).isFalse();
            assertThat(server.received().count()).isEqualTo(1);
            assertThat(count(ds, "invoice")).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("#15 transactional outbox: a 2 MB attachment rolled back with the host leaves no payload chunk; committed, it is sent whole")
    void largePayload_joinsTheTransaction() throws Exception {
        DataSource ds = database();
        createInvoices(ds);
        byte[] pdf = new byte[2 * 1024 * 1024];
        new java.util.Random(7).nextBytes(pdf);
        Email big = Email.builder().to("kunde@example.test").subject("Rechnung mit Anhang").text("Anbei")
                .attach(Attachment.of("rechnung.pdf", "application/pdf", pdf)).build();
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().build().start();
             JdbcStore store = store(ds, HostTransactions.NONE); Mailroom m = mailroom(store)) {
            account(store, server.port());
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                store.joinTransaction(c, () -> m.enqueue(MailContext.system(), big));
                c.rollback();
            }
            assertThat(count(ds, "mailroom_outbox_payload")).isZero();
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                store.joinTransaction(c, () -> m.enqueue(MailContext.system(), big));
                c.commit();
            }
            ReceivedMail received = server.received().await(1, Duration.ofSeconds(30)).get(0);
            assertThat(received.header("Subject")).isEqualTo("Rechnung mit Anhang");
            assertThat(received.raw().length).isGreaterThan(pdf.length);
        }
    }

    @Test
    @DisplayName("#15 transactional outbox: a host's transaction manager (HostTransactions) is joined without joinTransaction; outside it, enqueue commits alone")
    void hostTransactions_joinedWhileActive() throws Exception {
        DataSource ds = database();
        createInvoices(ds);
        ThreadLocal<Connection> current = new ThreadLocal<>();
        HostTransactions host = () -> Optional.ofNullable(current.get());
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().build().start();
             JdbcStore store = store(ds, host); Mailroom m = mailroom(store)) {
            account(store, server.port());
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                current.set(c);
                try {
                    m.enqueue(MailContext.system(), mail("Rolled back"));
                    c.rollback();
                } finally {
                    current.remove();
                }
            }
            assertThat(count(ds, "mailroom_outbox")).isZero();
            m.enqueue(MailContext.system(), mail("Alone")); // no transaction on this thread: the store's own, committed at once
            assertThat(count(ds, "mailroom_outbox")).isEqualTo(1);
            assertThat(server.received().await(1, Duration.ofSeconds(20)).get(0).header("Subject")).isEqualTo("Alone");
        }
    }

    @Test
    @DisplayName("#15 transactional outbox: a refused enqueue leaves the host's transaction usable; an auto-commit connection is refused with the fix")
    void refusedEnqueue_hostTransactionGoesOn() throws Exception {
        DataSource ds = database();
        createInvoices(ds);
        try (JdbcStore store = store(ds, HostTransactions.NONE); Mailroom m = mailroom(store)) {
            // no account: nothing may send
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                insertInvoice(c, 1);
                assertThatThrownBy(() -> store.joinTransaction(c, () -> m.enqueue(MailContext.system(), mail("x"))))
                        .isInstanceOf(MailException.class);
                insertInvoice(c, 2);
                c.commit();
            }
            assertThat(count(ds, "invoice")).isEqualTo(2);
            try (Connection c = ds.getConnection()) {
                assertThatThrownBy(() -> store.joinTransaction(c, () -> "x")).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("setAutoCommit(false)");
            }
        }
    }
}
