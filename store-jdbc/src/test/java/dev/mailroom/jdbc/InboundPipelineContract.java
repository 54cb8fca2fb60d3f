package dev.mailroom.jdbc;

import dev.mailroom.Account;
import dev.mailroom.AccountId;
import dev.mailroom.Authentication;
import dev.mailroom.FetchSettings;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Secret;
import dev.mailroom.Security;
import dev.mailroom.inbound.FetchOptions;
import dev.mailroom.inbound.FetchReport;
import dev.mailroom.inbound.FetchedMail;
import dev.mailroom.inbound.Inbound;
import dev.mailroom.inbound.InboundHandler;
import dev.mailroom.inbound.InboundResult;
import dev.mailroom.inbound.InboundPoller;
import dev.mailroom.inbound.ServerAction;
import dev.mailroom.spi.InboundEntry;
import dev.mailroom.testkit.MailServerExtension;
import jakarta.mail.Folder;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;

/** F2: the fetch pipeline over a real database: state survives the process, the lease spans nodes. */
abstract class InboundPipelineContract {
    private static final String USER = "support@acme.test";
    private static final AccountId ID = AccountId.of("support");

    @RegisterExtension
    final MailServerExtension mail = MailServerExtension.builder().user(USER, "pw").build();

    private final List<String> tickets = new CopyOnWriteArrayList<>();
    private final InboundHandler handler = (FetchedMail m) -> {
        tickets.add(m.subject());
        return InboundResult.ticket(m.subject());
    };

    /** @return a data source on a fresh, empty database, the same one for every call in a test */
    protected abstract DataSource dataSource();

    private ResolvedAccount account() {
        return ResolvedAccount.of(Account.builder().id(ID).description("Support").email(USER)
                .authentication(Authentication.password(USER, Secret.of("pw")))
                .fetching(FetchSettings.imap(mail.host(), mail.imapPort(), Security.NONE)).build(), null, Security.NONE);
    }

    private void deliver(String id, String subject) throws Exception {
        String raw = "From: kunde@example.test\r\nTo: " + USER + "\r\nSubject: " + subject + "\r\nMessage-ID: <" + id + "@example.test>\r\n\r\nx\r\n";
        mail.greenMail().getUserManager().getUser(USER).deliver(new MimeMessage(Session.getInstance(new Properties()),
                new ByteArrayInputStream(raw.getBytes(StandardCharsets.UTF_8))));
    }

    private int count(String folder) throws Exception {
        try (Store store = Session.getInstance(new Properties()).getStore("imap")) {
            store.connect(mail.host(), mail.imapPort(), USER, "pw");
            Folder f = store.getFolder(folder);
            return f.exists() ? f.getMessageCount() : 0;
        }
    }

    @Test
    @DisplayName("F2: the process dies between STORED and ACKED; a new process on the same database completes the move, one ticket")
    void crashBetweenStoredAndAckedAcrossProcesses() throws Exception {
        deliver("j1", "Umzug");
        FetchOptions move = FetchOptions.builder().action(ServerAction.moveTo("Imported")).build();
        JdbcStore first = JdbcStore.builder(dataSource()).cipher(TestKeys.cipher()).build();
        FetchReport r1 = Inbound.builder(first.inbound(), handler).build().fetch(account(), move); // no folder "Imported" yet
        assertThat(r1.imported()).isEqualTo(1);
        assertThat(first.inbound().pendingAcks(ID, "INBOX")).hasSize(1);
        first.close(); // the process is gone
        try (Store store = Session.getInstance(new Properties()).getStore("imap")) {
            store.connect(mail.host(), mail.imapPort(), USER, "pw");
            store.getFolder("Imported").create(Folder.HOLDS_MESSAGES);
        }
        JdbcStore second = JdbcStore.builder(dataSource()).cipher(TestKeys.cipher()).build();
        try {
            FetchReport r2 = Inbound.builder(second.inbound(), handler).build().fetch(account(), move);
            assertThat(r2.imported()).isZero();
            assertThat(r2.acknowledged()).isEqualTo(1);
            assertThat(second.inbound().pendingAcks(ID, "INBOX")).isEmpty();
        } finally {
            second.close();
        }
        assertThat(tickets).containsExactly("Umzug");
        assertThat(count("INBOX")).isZero();
        assertThat(count("Imported")).isEqualTo(1);
    }

    @Test
    @DisplayName("F2: poison mail is quarantined in the database with its raw bytes after 3 failures; the next mail is imported")
    void poisonInDatabase() throws Exception {
        deliver("q1", "Gift");
        deliver("q2", "Gut");
        JdbcStore store = JdbcStore.builder(dataSource()).cipher(TestKeys.cipher()).build();
        try {
            Inbound inbound = Inbound.builder(store.inbound(), m -> {
                if (m.subject().equals("Gift")) {
                    throw new IllegalStateException("kaputt");
                }
                return handler.accept(m);
            }).build();
            for (int i = 0; i < 3; i++) {
                inbound.fetch(account(), FetchOptions.defaults());
            }
            assertThat(store.inbound().quarantined(ID)).singleElement().satisfies(q -> {
                assertThat(new String(q.raw(), StandardCharsets.UTF_8)).contains("Subject: Gift");
                assertThat(q.reason()).contains("kaputt");
                assertThat(store.inbound().find(q.key()).orElseThrow().state()).isEqualTo(InboundEntry.State.QUARANTINED);
            });
            assertThat(tickets).containsExactly("Gut");
        } finally {
            store.close();
        }
    }

    @Test
    @DisplayName("F1: two nodes on one database share the account's fetch lease")
    void leaseAcrossNodes() {
        JdbcStore a = JdbcStore.builder(dataSource()).cipher(TestKeys.cipher()).build();
        JdbcStore b = JdbcStore.builder(dataSource()).cipher(TestKeys.cipher()).build();
        try {
            assertThat(a.inbound().tryLease(ID, "node-a", java.time.Duration.ofMinutes(5))).isTrue();
            assertThat(b.inbound().tryLease(ID, "node-b", java.time.Duration.ofMinutes(5))).isFalse();
            try (InboundPoller poller = InboundPoller.builder(Inbound.builder(b.inbound(), handler).build(), b.inbound()).node("node-b")
                    .account(ID, this::account, FetchOptions.defaults()).build()) {
                assertThat(poller.fetchNow(ID)).isEmpty();
            }
            a.inbound().releaseLease(ID, "node-a");
            assertThat(b.inbound().tryLease(ID, "node-b", java.time.Duration.ofMinutes(5))).isTrue();
        } finally {
            a.close();
            b.close();
        }
    }

    // ---- Ticket routing over the database (docs/adr/030) ----

    @Test
    @DisplayName("F5/F7: two nodes on one database: one auto-reply per sender and day; a reply to a known Message-ID joins its ticket")
    void routingAcrossNodes() throws Exception {
        List<String> replies = new CopyOnWriteArrayList<>();
        List<dev.mailroom.inbound.Routing> routings = new CopyOnWriteArrayList<>();
        InboundHandler recording = m -> {
            routings.add(m.routing());
            return InboundResult.ticket(m.routing().ticket().orElse(m.subject()));
        };
        dev.mailroom.inbound.Outbox outbox = (context, email, key) -> replies.add(email.to().get(0).address() + ": " + email.subject());
        FetchOptions options = FetchOptions.builder().routing(dev.mailroom.inbound.TicketRouting.builder()
                .autoReply(dev.mailroom.inbound.AutoReply.builder("Ticket {TICKET}", "Danke").build()).build()).build();
        JdbcStore a = JdbcStore.builder(dataSource()).cipher(TestKeys.cipher()).build();
        JdbcStore b = JdbcStore.builder(dataSource()).cipher(TestKeys.cipher()).build();
        try {
            deliver("e1", "Erste");
            Inbound.builder(a.inbound(), recording).outbox(outbox).build().fetch(account(), options);
            deliver("e2", "Zweite");
            String reply = "From: kunde@example.test\r\nTo: " + USER + "\r\nSubject: Re: Erste\r\nMessage-ID: <e3@example.test>\r\n"
                    + "In-Reply-To: <e1@example.test>\r\n\r\nx\r\n";
            mail.greenMail().getUserManager().getUser(USER).deliver(new MimeMessage(Session.getInstance(new Properties()),
                    new ByteArrayInputStream(reply.getBytes(StandardCharsets.UTF_8))));
            Inbound.builder(b.inbound(), recording).outbox(outbox).build().fetch(account(), options);
            assertThat(replies).containsExactly("kunde@example.test: Ticket Erste");
            assertThat(routings).extracting(dev.mailroom.inbound.Routing::kind).containsExactly(dev.mailroom.inbound.Routing.Kind.NEW,
                    dev.mailroom.inbound.Routing.Kind.NEW, dev.mailroom.inbound.Routing.Kind.FOLLOW_UP);
            assertThat(routings.get(2).ticket()).hasValue("Erste");
        } finally {
            a.close();
            b.close();
        }
    }
}
