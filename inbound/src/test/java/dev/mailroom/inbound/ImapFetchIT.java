package dev.mailroom.inbound;

import dev.mailroom.AccountId;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.spi.InboundEntry;
import dev.mailroom.spi.InboundKey;
import dev.mailroom.testkit.MailServerExtension;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Store;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static dev.mailroom.inbound.Fixtures.deliver;
import static dev.mailroom.inbound.Fixtures.folder;
import static dev.mailroom.inbound.Fixtures.imapAccount;
import static dev.mailroom.inbound.Fixtures.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** F1/F2: the crash-safe IMAP pipeline against GreenMail. */
final class ImapFetchIT {
    @RegisterExtension
    final MailServerExtension mail = MailServerExtension.builder().user(Fixtures.USER, Fixtures.PASSWORD).build();

    private final InMemoryInboundState state = new InMemoryInboundState();
    private final Fixtures.Tickets tickets = new Fixtures.Tickets();
    private final Inbound inbound = Inbound.builder(state, tickets).build();

    private FetchReport fetch(FetchOptions options) {
        return inbound.fetch(imapAccount(mail), options);
    }

    @Test
    @DisplayName("F1/F2: new mail becomes one ticket each; a second fetch imports nothing; fetching never sets \\Seen")
    void importsOnceWithPeek() throws Exception {
        deliver(mail, message("a1", "Rechnung 4711", "Hallo"));
        deliver(mail, message("a2", "Lieferung", "Wo bleibt sie?"));
        FetchReport first = fetch(FetchOptions.defaults());
        assertThat(first.imported()).isEqualTo(2);
        assertThat(tickets.subjects()).containsExactly("Rechnung 4711", "Lieferung");
        assertThat(tickets.tickets.get(0).text()).hasValue("Hallo\r\n");
        assertThat(fetch(FetchOptions.defaults()).imported()).isZero();
        assertThat(tickets.tickets).hasSize(2);
        assertThat(folder(mail, "INBOX")).containsExactly("Rechnung 4711", "Lieferung");
    }

    @Test
    @DisplayName("F2: mail someone already read in another client is imported all the same (\\Seen is no cursor)")
    void seenIsNoCursor() throws Exception {
        deliver(mail, message("s1", "Gelesen", "x"));
        try (Store store = Fixtures.imap(mail)) {
            Folder f = store.getFolder("INBOX");
            f.open(Folder.READ_WRITE);
            f.getMessage(1).setFlag(Flags.Flag.SEEN, true);
            f.close(false);
        }
        fetch(FetchOptions.defaults());
        assertThat(tickets.subjects()).containsExactly("Gelesen");
    }

    @Test
    @DisplayName("F2: a handler that fails twice, then succeeds, makes exactly one ticket; the mail stays on the server meanwhile")
    void failsTwiceThenSucceeds() throws Exception {
        deliver(mail, message("f1", "Dreimal", "x"));
        tickets.failuresLeft = 2;
        FetchOptions delete = FetchOptions.builder().action(ServerAction.delete()).build();
        assertThat(fetch(delete).failed()).isEqualTo(1);
        assertThat(fetch(delete).failed()).isEqualTo(1);
        assertThat(folder(mail, "INBOX")).containsExactly("Dreimal");
        FetchReport third = fetch(delete);
        assertThat(third.imported()).isEqualTo(1);
        assertThat(tickets.subjects()).containsExactly("Dreimal");
        assertThat(folder(mail, "INBOX")).isEmpty();
        assertThat(fetch(delete).imported()).isZero();
    }

    @Test
    @DisplayName("F2: poison mail goes to quarantine with its raw bytes after 3 failures; the fetch goes on with the next mail")
    void poisonToQuarantine() throws Exception {
        String poison = message("p1", "Gift", "x");
        deliver(mail, poison);
        deliver(mail, message("p2", "Gut", "y"));
        InboundHandler picky = m -> {
            if (m.subject().equals("Gift")) {
                throw new IllegalArgumentException("cannot parse");
            }
            return tickets.accept(m);
        };
        Inbound in = Inbound.builder(state, picky).build();
        ResolvedAccount account = imapAccount(mail);
        in.fetch(account, FetchOptions.defaults());
        assertThat(tickets.subjects()).containsExactly("Gut");
        in.fetch(account, FetchOptions.defaults());
        FetchReport third = in.fetch(account, FetchOptions.defaults());
        assertThat(third.quarantined()).isEqualTo(1);
        assertThat(state.quarantined(AccountId.of("support"))).singleElement().satisfies(q -> {
            assertThat(new String(q.raw(), StandardCharsets.UTF_8)).contains("Subject: Gift");
            assertThat(q.reason()).contains("cannot parse");
        });
        FetchReport fourth = in.fetch(account, FetchOptions.defaults());
        assertThat(fourth.failed()).isZero();
        assertThat(tickets.subjects()).containsExactly("Gut");
        long validity = state.quarantined(AccountId.of("support")).get(0).key().uidValidity();
        assertThat(state.cursor(AccountId.of("support"), "INBOX", validity)).hasValue(2); // the cursor passed the poison mail
    }

    @Test
    @DisplayName("F2: the server action fails after the host stored the mail (a crash between STORED and ACKED): the next fetch"
            + " completes the action, one ticket, nothing lost")
    void crashBetweenStoredAndAcked() throws Exception {
        deliver(mail, message("k1", "Umzug", "x"));
        FetchOptions move = FetchOptions.builder().action(ServerAction.moveTo("Imported")).build();
        FetchReport first = fetch(move); // "Imported" does not exist yet: UID MOVE is refused
        assertThat(first.imported()).isEqualTo(1);
        assertThat(first.acknowledged()).isZero();
        assertThat(first.problems()).anySatisfy(p -> assertThat(p).contains("MOVE"));
        List<InboundEntry> pending = state.pendingAcks(AccountId.of("support"), "INBOX");
        assertThat(pending).singleElement().extracting(InboundEntry::state).isEqualTo(InboundEntry.State.STORED);
        assertThat(folder(mail, "INBOX")).containsExactly("Umzug");
        try (Store store = Fixtures.imap(mail)) {
            store.getFolder("Imported").create(Folder.HOLDS_MESSAGES);
        }
        FetchReport second = fetch(move);
        assertThat(second.imported()).isZero();
        assertThat(second.acknowledged()).isEqualTo(1);
        assertThat(tickets.subjects()).containsExactly("Umzug");
        assertThat(folder(mail, "INBOX")).isEmpty();
        assertThat(folder(mail, "Imported")).containsExactly("Umzug");
        assertThat(state.find(pending.get(0).key()).orElseThrow().state()).isEqualTo(InboundEntry.State.ACKED);
    }

    @Test
    @DisplayName("F2: the process dies after the server action but before recording it: the next fetch finds the mail gone,"
            + " records it done, and makes no second ticket")
    void crashAfterActionBeforeAck() throws Exception {
        deliver(mail, message("k2", "Weg", "x"));
        FetchOptions delete = FetchOptions.builder().action(ServerAction.delete()).build();
        Inbound dying = Inbound.builder(new DyingState(state), tickets).build();
        assertThrows(IllegalStateException.class, () -> dying.fetch(imapAccount(mail), delete));
        assertThat(folder(mail, "INBOX")).isEmpty();
        InboundEntry stored = state.pendingAcks(AccountId.of("support"), "INBOX").get(0);
        FetchReport next = inbound.fetch(imapAccount(mail), delete); // a new process over the same durable state
        assertThat(next.acknowledged()).isEqualTo(1);
        assertThat(state.find(stored.key()).orElseThrow().state()).isEqualTo(InboundEntry.State.ACKED);
        assertThat(tickets.subjects()).containsExactly("Weg");
    }

    @Test
    @DisplayName("F2: server actions: mark read sets \\Seen; move uses UID MOVE; delete expunges only this mail by UID, not"
            + " mail another client flagged \\Deleted")
    void serverActions() throws Exception {
        deliver(mail, message("v1", "Lesen", "x"));
        fetch(FetchOptions.builder().action(ServerAction.markRead()).build());
        assertThat(folder(mail, "INBOX")).containsExactly("Lesen*");

        deliver(mail, message("v2", "Andere", "x"));
        try (Store store = Fixtures.imap(mail)) {
            Folder f = store.getFolder("INBOX");
            f.open(Folder.READ_WRITE);
            Message other = f.getMessage(2);
            other.setFlag(Flags.Flag.DELETED, true); // another client's pending deletion
            f.close(false);
            store.getFolder("Archiv").create(Folder.HOLDS_MESSAGES);
        }
        deliver(mail, message("v3", "Loeschen", "x"));
        tickets.alwaysFail = false;
        Inbound deleting = Inbound.builder(state, m -> {
            if (!m.subject().equals("Andere")) {
                return tickets.accept(m);
            } else {
                throw new IllegalStateException("not this one");
            }
        }).build();
        deleting.fetch(imapAccount(mail), FetchOptions.builder().action(ServerAction.delete()).build());
        assertThat(folder(mail, "INBOX")).containsExactly("Lesen*", "Andere!");

        deliver(mail, message("v4", "Verschieben", "x"));
        fetch(FetchOptions.builder().action(ServerAction.moveTo("Archiv")).build());
        // the mail refused before is offered again (and accepted now); both are moved
        assertThat(folder(mail, "Archiv")).containsExactly("Andere!", "Verschieben");
        assertThat(tickets.subjects()).containsExactly("Lesen", "Loeschen", "Andere", "Verschieben");
    }

    @Test
    @DisplayName("F2: a new UIDVALIDITY (server rebuilt its index) re-reads the folder by content keys and imports only what is new")
    void uidValidityChange() throws Exception {
        String a = message("u1", "Alt 1", "x");
        String b = message("u2", "Alt 2", "y");
        deliver(mail, a);
        deliver(mail, b);
        assertThat(fetch(FetchOptions.defaults()).imported()).isEqualTo(2);
        long start = System.nanoTime();
        long before = uidValidity();
        do { // GreenMail derives UIDVALIDITY from the clock in seconds: a restart within the same second keeps it
            mail.close();
            mail.start();
        } while (uidValidity() == before && System.nanoTime() - start < 5_000_000_000L);
        assertThat(uidValidity()).isNotEqualTo(before);
        deliver(mail, a);
        deliver(mail, b);
        deliver(mail, message("u3", "Neu", "z"));
        FetchReport after = fetch(FetchOptions.defaults());
        assertThat(after.uidValidityChanged()).isTrue();
        assertThat(after.imported()).isEqualTo(1);
        assertThat(after.duplicates()).isEqualTo(2);
        assertThat(tickets.subjects()).containsExactly("Alt 1", "Alt 2", "Neu");
        assertThat(fetch(FetchOptions.defaults()).imported()).isZero();
    }

    @Test
    @DisplayName("F1: a refused login fails the fetch with AUTH_FAILED and the server's exact reply")
    void refusedLogin() {
        ResolvedAccount wrong = Fixtures.resolved(imapAccount(mail).account().toBuilder()
                .authentication(dev.mailroom.Authentication.password(Fixtures.USER, dev.mailroom.Secret.of("wrong"))));
        MailException e = assertThrows(MailException.class, () -> inbound.fetch(wrong, FetchOptions.defaults()));
        assertThat(e.code()).isEqualTo(MailErrorCode.AUTH_FAILED);
        assertThat(e.serverReply()).isPresent();
        assertThat(e.getMessage()).doesNotContain("wrong");
    }

    private long uidValidity() throws Exception {
        try (Store store = Fixtures.imap(mail)) {
            jakarta.mail.UIDFolder f = (jakarta.mail.UIDFolder) store.getFolder("INBOX");
            return f.getUIDValidity();
        }
    }
}
