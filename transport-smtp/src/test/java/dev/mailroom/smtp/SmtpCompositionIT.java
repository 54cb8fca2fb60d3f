package dev.mailroom.smtp;

import dev.mailroom.Attachment;
import dev.mailroom.Email;
import dev.mailroom.EmailAddress;
import dev.mailroom.MailContext;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.Person;
import dev.mailroom.Receipt;
import dev.mailroom.Security;
import dev.mailroom.SenderPolicy;
import dev.mailroom.Signature;
import dev.mailroom.SystemMailSettings;
import dev.mailroom.core.InMemoryAccountRepository;
import dev.mailroom.core.Mailroom;
import dev.mailroom.testkit.MailServerExtension;
import dev.mailroom.testkit.ReceivedMail;
import dev.mailroom.testkit.TestCertificates;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Issue #3 end to end: what the server received, parsed. */
final class SmtpCompositionIT {
    @RegisterExtension
    final MailServerExtension mail = MailServerExtension.builder().build();

    private final InMemoryAccountRepository repo = new InMemoryAccountRepository();

    private Mailroom mailroom() {
        return Mailroom.builder().accountRepository(repo).sslContext(TestCertificates.clientContext())
                .directory((tenant, user) -> Optional.of(new Person(user, "Erika Muster", EmailAddress.of("erika@acme.test"), "+49 30 99", null, null)))
                .build();
    }

    @Test
    @DisplayName("B2/B5/B7: default sender, the user's Reply-To, signature in text and HTML, inline logo; as received by the server")
    void replyToPolicy_signature_inline_received() throws Exception {
        repo.save(SmtpFixtures.systemAccount(mail.host(), mail.smtpPort(), Security.NONE)
                .signature("-- \r\n{MITARBEITER}, Tel. {MITARBEITER_TELEFON}", "<p>{EMPLOYEE_NAME} &middot; {EMPLOYEE_PHONE}</p>").build());
        repo.saveSystemSettings(SystemMailSettings.defaults().withSenderPolicy(SenderPolicy.DEFAULT_SENDER_WITH_REPLY_TO));
        Email email = Email.builder().from("erika@acme.test").to("kunde@example.test").subject("Ihre Rechnung")
                .text("Guten Tag").html("<html><body><p>Guten Tag <img src=\"cid:logo\"></p></body></html>")
                .attach(Attachment.of("logo.png", "image/png", new byte[] {1, 2, 3}).inline("logo"))
                .attach(Attachment.of("Rechnung.pdf", "application/pdf", "%PDF".getBytes(StandardCharsets.US_ASCII)))
                .messageId("<rechnung-4711@acme.test>").build();
        Receipt r;
        try (Mailroom m = mailroom()) {
            r = m.send(MailContext.system().withUser("u-1"), email);
        }
        ReceivedMail got = mail.awaitReceived(1).get(0);
        assertThat(r.messageId()).isEqualTo("<rechnung-4711@acme.test>");
        assertThat(got.header("Message-ID")).isEqualTo("<rechnung-4711@acme.test>");
        assertThat(got.from()).contains("app@acme.test").doesNotContain("erika");
        assertThat(got.header("Reply-To")).isEqualTo("erika@acme.test");
        assertThat(got.envelopeFrom()).isEqualTo("app@acme.test");
        assertThat(got.text()).isEqualTo("Guten Tag\r\n\r\n-- \r\nErika Muster, Tel. +49 30 99");
        assertThat(got.html()).contains("<div class=\"mailroom-signature\"><p>Erika Muster &middot; +49 30 99</p></div></body>");
        assertThat(got.attachmentNames()).containsExactlyInAnyOrder("logo.png", "Rechnung.pdf");
        assertThat(got.header("MIME-Version")).isEqualTo("1.0");
        assertThat(got.header("Date")).isNotBlank();
    }

    @Test
    @DisplayName("B1: force default sender, as received")
    void forceDefaultSender_received() {
        repo.save(SmtpFixtures.systemAccount(mail.host(), mail.smtpPort(), Security.NONE).build());
        repo.saveSystemSettings(SystemMailSettings.defaults().withSenderPolicy(SenderPolicy.FORCE_DEFAULT_SENDER));
        try (Mailroom m = mailroom()) {
            m.send(MailContext.system(), SmtpFixtures.email().toBuilder().from("Erika <erika@acme.test>").build());
        }
        ReceivedMail got = mail.awaitReceived(1).get(0);
        assertThat(got.from()).isEqualTo("ACME App <app@acme.test>");
        assertThat(got.header("Reply-To")).isNull();
    }

    @Test
    @DisplayName("A6: From an address no account owns: refused, nothing reaches the server")
    void foreignFrom_nothingSent() {
        repo.save(SmtpFixtures.systemAccount(mail.host(), mail.smtpPort(), Security.NONE).build());
        try (Mailroom m = mailroom()) {
            assertThatThrownBy(() -> m.send(MailContext.system(), SmtpFixtures.email().toBuilder().from("ceo@other.test").build()))
                    .isInstanceOfSatisfying(MailException.class, e -> assertThat(e.code()).isEqualTo(MailErrorCode.SENDER_NOT_ALLOWED));
        }
        assertThat(mail.received()).isEmpty();
    }
}
