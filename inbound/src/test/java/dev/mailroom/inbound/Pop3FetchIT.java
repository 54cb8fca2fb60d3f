package dev.mailroom.inbound;

import dev.mailroom.testkit.MailServerExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.mailroom.inbound.Fixtures.deliver;
import static dev.mailroom.inbound.Fixtures.folder;
import static dev.mailroom.inbound.Fixtures.message;
import static dev.mailroom.inbound.Fixtures.pop3Account;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** F1/F2: POP3 with UIDL against GreenMail. */
final class Pop3FetchIT {
    @RegisterExtension
    final MailServerExtension mail = MailServerExtension.builder().user(Fixtures.USER, Fixtures.PASSWORD).build();

    private final InMemoryInboundState state = new InMemoryInboundState();
    private final Fixtures.Tickets tickets = new Fixtures.Tickets();
    private final Inbound inbound = Inbound.builder(state, tickets).build();
    private final FetchOptions delete = FetchOptions.builder().action(ServerAction.delete()).build();

    @Test
    @DisplayName("F1/F2: POP3 mail is recognized by UIDL: kept mail is imported once over several sessions")
    void keepsAndRecognizes() throws Exception {
        deliver(mail, message("p1", "Eins", "x"));
        deliver(mail, message("p2", "Zwei", "y"));
        assertThat(inbound.fetch(pop3Account(mail), FetchOptions.defaults()).imported()).isEqualTo(2);
        assertThat(inbound.fetch(pop3Account(mail), FetchOptions.defaults()).imported()).isZero();
        assertThat(tickets.subjects()).containsExactly("Eins", "Zwei");
        assertThat(folder(mail, "INBOX")).hasSize(2);
    }

    @Test
    @DisplayName("F2: POP3 deletes only what the host stored; a refused mail stays on the server and is offered again")
    void deletesOnlyStored() throws Exception {
        deliver(mail, message("d1", "Gut", "x"));
        deliver(mail, message("d2", "Spaeter", "y"));
        InboundHandler picky = m -> {
            if (m.subject().equals("Spaeter")) {
                throw new IllegalStateException("not now");
            }
            return tickets.accept(m);
        };
        FetchReport first = Inbound.builder(state, picky).build().fetch(pop3Account(mail), delete);
        assertThat(first.imported()).isEqualTo(1);
        assertThat(first.acknowledged()).isEqualTo(1);
        assertThat(folder(mail, "INBOX")).containsExactly("Spaeter*"); // GreenMail flags what POP3 retrieved; POP3 has no peek
        inbound.fetch(pop3Account(mail), delete);
        assertThat(tickets.subjects()).containsExactly("Gut", "Spaeter");
        assertThat(folder(mail, "INBOX")).isEmpty();
    }

    @Test
    @DisplayName("F2: POP3 takes at most 50 mails per session; the next session takes the rest")
    void fiftyPerSession() {
        for (int i = 0; i < 55; i++) {
            deliver(mail, message("m" + i, "Nr " + i, "x"));
        }
        assertThat(inbound.fetch(pop3Account(mail), delete).imported()).isEqualTo(50);
        assertThat(inbound.fetch(pop3Account(mail), delete).imported()).isEqualTo(5);
        assertThat(tickets.tickets).hasSize(55);
    }

    @Test
    @DisplayName("F2: POP3 can only keep or delete: marking read or moving is refused before connecting")
    void refusesImapActions() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> inbound.fetch(pop3Account(mail),
                FetchOptions.builder().action(ServerAction.moveTo("Archiv")).build()));
        assertThat(e).hasMessageContaining("ServerAction.delete()");
    }
}
