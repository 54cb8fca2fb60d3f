package dev.mailroom.smtp;

import dev.mailroom.Account;
import dev.mailroom.DeliveryLogEntry;
import dev.mailroom.MailContext;
import dev.mailroom.Receipt;
import dev.mailroom.Security;
import dev.mailroom.core.InMemoryAccountRepository;
import dev.mailroom.core.Mailroom;
import dev.mailroom.testkit.MailServerExtension;
import dev.mailroom.testkit.ScriptedSmtpServer;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** B6: copy to the IMAP Sent folder after sending. */
final class SmtpSentCopyIT {
    @RegisterExtension
    final MailServerExtension mail = MailServerExtension.builder().user("app@acme.test", "pw").build();

    private final InMemoryAccountRepository repo = new InMemoryAccountRepository();

    private Account.Builder account(int imapPort) {
        return SmtpFixtures.withLogin(SmtpFixtures.systemAccount(mail.host(), mail.smtpPort(), Security.NONE), "app@acme.test", "pw")
                .imap(mail.host(), imapPort, Security.NONE);
    }

    private Store imap() throws Exception {
        Store store = Session.getInstance(new Properties()).getStore("imap");
        store.connect(mail.host(), mail.imapPort(), "app@acme.test", "pw");
        return store;
    }

    @Test
    @DisplayName("B6: the sent message lands in the configured Sent folder, marked as read; the receipt says where")
    void configuredFolder_receivesCopy() throws Exception {
        repo.save(account(mail.imapPort()).copyToSent(true, "Gesendet").build());
        Receipt r;
        try (Mailroom m = SmtpFixtures.mailroom(repo)) {
            r = m.send(MailContext.system(), SmtpFixtures.email());
        }
        assertThat(r.sentCopyFolder()).contains("Gesendet");
        assertThat(r.sentCopyFailure()).isEmpty();
        try (Store store = imap()) {
            Folder sent = store.getFolder("Gesendet");
            sent.open(Folder.READ_ONLY);
            Message[] messages = sent.getMessages();
            assertThat(messages).hasSize(1);
            assertThat(messages[0].getSubject()).isEqualTo("Rechnung 4711");
            assertThat(messages[0].getHeader("Message-ID")[0]).isEqualTo(r.messageId());
            assertThat(messages[0].isSet(Flags.Flag.SEEN)).isTrue();
            sent.close(false);
        }
    }

    @Test
    @DisplayName("B6: without a configured name the copy goes to an existing folder with a usual name")
    void noName_usualFolder() throws Exception {
        try (Store store = imap()) {
            store.getFolder("Sent Items").create(Folder.HOLDS_MESSAGES);
        }
        repo.save(account(mail.imapPort()).copyToSent(true, null).build());
        try (Mailroom m = SmtpFixtures.mailroom(repo)) {
            assertThat(m.send(MailContext.system(), SmtpFixtures.email()).sentCopyFolder()).contains("Sent Items");
        }
    }

    @Test
    @DisplayName("B6: a failed copy never fails the send; it is on the receipt and in the delivery log")
    void failedCopy_sendStillSucceeds() {
        int closed = SmtpFixtures.closedPort();
        repo.save(account(closed).copyToSent(true, "Sent").build());
        try (Mailroom m = SmtpFixtures.mailroom(repo)) {
            Receipt r = m.send(MailContext.system(), SmtpFixtures.email());
            assertThat(r.serverReply()).startsWith("250");
            assertThat(r.sentCopyFailure()).hasValueSatisfying(f -> assertThat(f).contains("copy to the Sent folder").contains("Connection refused"));
            assertThat(m.deliveryLog().errorsSince(Duration.ofHours(1))).singleElement().satisfies(e -> {
                assertThat(e.operation()).isEqualTo(DeliveryLogEntry.Operation.SENT_COPY);
                assertThat(e.messageId()).isEqualTo(r.messageId());
            });
        }
        mail.awaitReceived(1);
    }

    @Test
    @DisplayName("A2/B6: an account that copies to Sent needs IMAP settings, reported by field before sending")
    void copyWithoutImap_incomplete() {
        repo.save(SmtpFixtures.withLogin(SmtpFixtures.systemAccount(mail.host(), mail.smtpPort(), Security.NONE), "app@acme.test", "pw")
                .copyToSent(true, null).build());
        try (Mailroom m = SmtpFixtures.mailroom(repo)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> m.send(MailContext.system(), SmtpFixtures.email()))
                    .isInstanceOfSatisfying(dev.mailroom.MailException.class, e -> assertThat(e.fieldProblems())
                            .extracting(p -> p.field()).containsExactly(dev.mailroom.AccountField.IMAP_HOST));
        }
    }

    @Test
    @DisplayName("B6/#4: an outbox mail that needs a second attempt for a 451 recipient is copied to the Sent folder once")
    void partialRetry_copiedOnce() throws Exception {
        try (ScriptedSmtpServer smtp = ScriptedSmtpServer.builder()
                .reply(ScriptedSmtpServer.Command.RCPT, "250 2.1.5 Ok", "451 4.2.0 <b@example.test>: Mailbox busy", "250 2.1.5 Ok")
                .build().start()) {
            repo.save(SmtpFixtures.withLogin(SmtpFixtures.systemAccount("127.0.0.1", smtp.port(), Security.NONE), "app@acme.test", "pw")
                    .imap(mail.host(), mail.imapPort(), Security.NONE).copyToSent(true, "Gesendet").build());
            dev.mailroom.core.InMemoryOutboxRepository outbox = new dev.mailroom.core.InMemoryOutboxRepository();
            String messageId;
            try (Mailroom m = Mailroom.builder().accountRepository(repo).outboxRepository(outbox).outboxWorkers(1).outboxPollInterval(Duration.ofMillis(10))
                    .outboxRetry(Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofHours(1), Duration.ofHours(1))
                    .connectTimeout(Duration.ofSeconds(5)).readTimeout(Duration.ofSeconds(5)).writeTimeout(Duration.ofSeconds(5)).build()) {
                dev.mailroom.Queued q = m.enqueue(MailContext.system(), dev.mailroom.Email.builder().to("a@example.test", "b@example.test")
                        .subject("Rundschreiben").text("Text").build());
                messageId = q.messageId();
                assertThat(smtp.received().await(2, Duration.ofSeconds(20))).extracting(r -> r.envelopeRecipients())
                        .containsExactly(java.util.List.of("a@example.test"), java.util.List.of("b@example.test"));
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (outbox.find(q.outboxId()).orElseThrow().status() != dev.mailroom.spi.OutboxRepository.Status.SENT) {
                    assertThat(System.nanoTime()).as("marked sent in time").isLessThan(deadline);
                    Thread.onSpinWait();
                }
            }
            try (Store store = imap()) {
                Folder sent = store.getFolder("Gesendet");
                sent.open(Folder.READ_ONLY);
                Message[] messages = sent.getMessages();
                assertThat(messages).as("one copy, not one per attempt").hasSize(1);
                assertThat(messages[0].getHeader("Message-ID")[0]).isEqualTo(messageId);
                sent.close(false);
            }
        }
    }
}
