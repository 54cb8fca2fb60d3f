package dev.mailroom.inbound;

import dev.mailroom.testkit.IncomingMail;
import dev.mailroom.testkit.MailServerExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** F1/F5: what a host's test of its inbound handler looks like with the testkit: seed a mailbox, run one fetch, assert tickets. */
final class HostTestKitIT {
    @RegisterExtension
    final MailServerExtension mail = MailServerExtension.builder().user("support@acme.test", "pw").build();

    /** The host's handler under test: its tickets in a map instead of a database. */
    private final Map<String, List<String>> tickets = new LinkedHashMap<>();
    private final InboundHandler handler = m -> {
        String ticket = m.routing().ticket().orElseGet(() -> "T" + (tickets.size() + 1));
        tickets.computeIfAbsent(ticket, k -> new ArrayList<>()).add(m.subject());
        return InboundResult.ticket(ticket);
    };

    @Test
    @DisplayName("F1/F5: seed a mailbox, run one fetch, assert the tickets; a reply joins its ticket; POP3 too")
    void seedFetchAssert() {
        Inbound inbound = Inbound.builder(new InMemoryInboundState(), handler).build();
        String id = mail.deliverTo("support@acme.test", IncomingMail.from("Kunde <kunde@example.test>").subject("Drucker defekt für Büro")
                .text("Hallo"));
        FetchReport first = inbound.fetch(mail.imapAccount("support@acme.test"), FetchOptions.defaults());
        assertThat(first.imported()).isEqualTo(1);
        mail.deliverTo("support@acme.test", IncomingMail.from("kunde@example.test").subject("Re: Drucker defekt").inReplyTo(id));
        inbound.fetch(mail.imapAccount("support@acme.test"), FetchOptions.defaults());
        assertThat(tickets).containsExactly(Map.entry("T1", List.of("Drucker defekt für Büro", "Re: Drucker defekt")));
        assertThat(mail.subjectsIn("support@acme.test", "INBOX")).hasSize(2);

        mail.deliverTo("support@acme.test", IncomingMail.from("chef@example.test").subject("Per POP3"));
        Inbound pop3 = Inbound.builder(new InMemoryInboundState(), handler).build();
        assertThat(pop3.fetch(mail.pop3Account("support@acme.test"), FetchOptions.defaults()).imported()).isEqualTo(3);
    }
}
