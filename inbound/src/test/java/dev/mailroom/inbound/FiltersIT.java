package dev.mailroom.inbound;

import dev.mailroom.testkit.MailServerExtension;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Properties;

import static dev.mailroom.inbound.Fixtures.deliver;
import static dev.mailroom.inbound.Fixtures.folder;
import static dev.mailroom.inbound.Fixtures.imapAccount;
import static dev.mailroom.inbound.Fixtures.message;
import static org.assertj.core.api.Assertions.assertThat;

/** F3/F4: which mail an account takes. */
final class FiltersIT {
    @RegisterExtension
    final MailServerExtension mail = MailServerExtension.builder().user(Fixtures.USER, Fixtures.PASSWORD).build();

    private final InMemoryInboundState state = new InMemoryInboundState();
    private final Fixtures.Tickets tickets = new Fixtures.Tickets();
    private final Inbound inbound = Inbound.builder(state, tickets).build();

    private static String to(String id, String subject, String recipientHeaders) {
        return "From: kunde@example.test\r\n" + recipientHeaders + "Subject: " + subject + "\r\nMessage-ID: <" + id
                + "@example.test>\r\n\r\nx\r\n";
    }

    @Test
    @DisplayName("F4: with a mailbox address only mail to it (To, Cc, Delivered-To, X-Original-To) is taken; the rest stays on the"
            + " server and the report says why")
    void mailboxAddress() throws Exception {
        deliver(mail, to("m1", "An Vertrieb", "To: sales@acme.test\r\n"));
        deliver(mail, to("m2", "Cc Support", "To: sales@acme.test\r\nCc: Support <SUPPORT@acme.test>\r\n"));
        deliver(mail, to("m3", "Delivered", "To: liste@example.test\r\nDelivered-To: support@acme.test\r\n"));
        deliver(mail, to("m4", "Original", "To: alias@acme.test\r\nX-Original-To: support@acme.test\r\n"));
        FetchOptions options = FetchOptions.builder().mailboxAddress("support@acme.test").action(ServerAction.delete()).build();
        FetchReport r = inbound.fetch(imapAccount(mail), options);
        assertThat(tickets.subjects()).containsExactly("Cc Support", "Delivered", "Original");
        assertThat(r.skipped()).isEqualTo(1);
        assertThat(r.problems()).anySatisfy(p -> assertThat(p).contains("not addressed to support@acme.test"));
        assertThat(folder(mail, "INBOX")).containsExactly("An Vertrieb");
        assertThat(inbound.fetch(imapAccount(mail), options).skipped()).isZero(); // decided once, not re-read every fetch
    }

    @Test
    @DisplayName("F3: with an import date, older mail is not taken: the server's date search (one day earlier), then exactly on"
            + " INTERNALDATE")
    void since() throws Exception {
        Instant since = Instant.now().minus(Duration.ofHours(1));
        append(message("d1", "Letzte Woche", "x"), since.minus(Duration.ofDays(7)));
        append(message("d2", "Vor zwei Stunden", "x"), since.minus(Duration.ofHours(1)));
        deliver(mail, message("d3", "Jetzt", "x"));
        FetchReport r = inbound.fetch(imapAccount(mail), FetchOptions.builder().since(since).build());
        assertThat(tickets.subjects()).containsExactly("Jetzt");
        assertThat(r.skipped()).isEqualTo(1); // the one inside the search's extra day; last week's was not even listed
        assertThat(r.problems()).anySatisfy(p -> assertThat(p).contains("older than the import date"));
    }

    private void append(String raw, Instant internalDate) throws Exception {
        MimeMessage m = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw.getBytes(StandardCharsets.UTF_8))) {
            @Override
            public Date getReceivedDate() {
                return Date.from(internalDate);
            }
        };
        try (Store store = Fixtures.imap(mail)) {
            Folder f = store.getFolder("INBOX");
            f.appendMessages(new Message[] {m});
        }
    }
}
