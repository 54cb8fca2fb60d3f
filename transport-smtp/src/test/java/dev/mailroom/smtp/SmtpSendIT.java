package dev.mailroom.smtp;

import dev.mailroom.Account;
import dev.mailroom.Attachment;
import dev.mailroom.DeliveryLogEntry;
import dev.mailroom.DeliveryLogQuery;
import dev.mailroom.Email;
import dev.mailroom.MailContext;
import dev.mailroom.Receipt;
import dev.mailroom.Security;
import dev.mailroom.core.InMemoryAccountRepository;
import dev.mailroom.core.Mailroom;
import dev.mailroom.testkit.MailServerExtension;
import dev.mailroom.testkit.ReceivedMail;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

final class SmtpSendIT {
    @RegisterExtension
    final MailServerExtension mail = MailServerExtension.builder().user("app@acme.test", "app-secret").build();

    private final InMemoryAccountRepository repo = new InMemoryAccountRepository();
    private Mailroom mailroom;

    @AfterEach
    void close() {
        if (mailroom != null) {
            mailroom.close();
        }
    }

    @Test
    @DisplayName("B7/B8: a mail with text, HTML and an attachment arrives through the resolved SMTP account")
    void send_arrivesWithEverything() {
        repo.save(SmtpFixtures.withLogin(SmtpFixtures.systemAccount(mail.host(), mail.smtpPort(), Security.NONE), "app@acme.test", "app-secret").build());
        mailroom = SmtpFixtures.mailroom(repo);
        assertThat(mailroom.transports()).as("found through ServiceLoader").contains("smtp");
        Email email = Email.builder().to("kunde@example.test").cc("buchhaltung@example.test").bcc("archiv@acme.test")
                .subject("Rechnung 4711 – Müller").text("Guten Tag").html("<p>Guten Tag</p>")
                .attach(Attachment.of("Rechnung 4711.pdf", "application/pdf", "%PDF-1.4 fake".getBytes(StandardCharsets.US_ASCII)))
                .header("X-Ticket", "4711").build();
        Receipt receipt = mailroom.send(MailContext.system(), email);

        List<ReceivedMail> received = mail.awaitReceived(3);
        ReceivedMail m = received.get(0);
        m.assertSubject("Rechnung 4711 – Müller").assertTextContains("Guten Tag").assertEnvelopeFrom("app@acme.test");
        assertThat(m.html()).contains("<p>Guten Tag</p>");
        assertThat(m.attachmentNames()).containsExactly("Rechnung 4711.pdf");
        assertThat(m.header("Message-ID")).isEqualTo(receipt.messageId());
        assertThat(m.header("X-Ticket")).isEqualTo("4711");
        assertThat(m.header("Bcc")).isNull();
        assertThat(m.from()).contains("ACME App").contains("app@acme.test");
        assertThat(receipt.serverReply()).startsWith("250");
        assertThat(receipt.transport()).isEqualTo("smtp");
        assertThat(receipt.recipients()).hasSize(3);
        List<DeliveryLogEntry> log = mailroom.deliveryLog().query(DeliveryLogQuery.since(Instant.EPOCH));
        assertThat(log).singleElement().satisfies(e -> {
            assertThat(e.outcome()).isEqualTo(DeliveryLogEntry.Outcome.SUCCESS);
            assertThat(e.messageId()).isEqualTo(receipt.messageId());
            assertThat(e.accountAddress()).isEqualTo("app@acme.test");
        });
    }

    @Test
    @DisplayName("B8: local relay mode sends through the host's MTA without login")
    void localRelay_sendsWithoutLogin() {
        Account relay = Account.builder().id("relay").description("Local MTA").email("app@acme.test").systemAccount(true)
                .localRelay(mail.smtpPort()).build();
        repo.save(relay);
        mailroom = SmtpFixtures.mailroom(repo);
        mailroom.send(MailContext.system(), SmtpFixtures.email());
        mail.awaitReceived(1).get(0).assertSubject("Rechnung 4711");
    }

    @Test
    @DisplayName("C2: a test mail with unsaved settings goes to the account's own mailbox and stores nothing")
    void sendTestMail_draft_storesNothing() {
        mailroom = SmtpFixtures.mailroom(repo);
        Account draft = SmtpFixtures.withLogin(SmtpFixtures.systemAccount(mail.host(), mail.smtpPort(), Security.NONE), "app@acme.test", "app-secret")
                .id("draft").build();
        Receipt r = mailroom.sendTestMail(draft);
        ReceivedMail m = mail.awaitReceived(1).get(0);
        assertThat(m.envelopeRecipients()).containsExactly("app@acme.test");
        assertThat(m.subject()).contains("Mailroom test mail");
        assertThat(r.accountId().value()).isEqualTo("draft");
        assertThat(repo.findAll()).as("the draft was not stored").isEmpty();
        assertThat(mailroom.deliveryLog().query(DeliveryLogQuery.since(Instant.EPOCH))).singleElement()
                .satisfies(e -> assertThat(e.operation()).isEqualTo(DeliveryLogEntry.Operation.TEST_MAIL));
    }

    @Test
    @DisplayName("C2: a test mail to any address, editing a stored account whose password the UI never saw")
    void sendTestMail_editedAccount_usesStoredSecret() {
        Account stored = SmtpFixtures.withLogin(SmtpFixtures.systemAccount(mail.host(), mail.smtpPort(), Security.NONE), "app@acme.test", "app-secret").build();
        repo.save(stored);
        mailroom = SmtpFixtures.mailroom(repo);
        Account edited = mailroom.accounts().get(stored.id()).orElseThrow().toBuilder().description("Edited, unsaved").build();
        mailroom.sendTestMail(edited, "admin@example.test");
        assertThat(mail.awaitReceived(1).get(0).envelopeRecipients()).containsExactly("admin@example.test");
        assertThat(repo.findAll().get(0).description()).isEqualTo("System");
    }
}
