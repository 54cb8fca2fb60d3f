package dev.mailroom.core;

import dev.mailroom.testkit.RecordingTransport;
import dev.mailroom.Account;
import dev.mailroom.Authentication;
import dev.mailroom.Email;
import dev.mailroom.EmailAddress;
import dev.mailroom.MailContext;
import dev.mailroom.Person;
import dev.mailroom.Preview;
import dev.mailroom.Secret;
import dev.mailroom.SenderPolicy;
import dev.mailroom.Signature;
import dev.mailroom.SystemMailSettings;
import dev.mailroom.TenantMailSettings;
import jakarta.mail.internet.InternetAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

final class SenderPolicyAndSignatureTest {
    private final InMemoryAccountRepository repo = new InMemoryAccountRepository();
    private final RecordingTransport transport = new RecordingTransport();
    private final Person max = new Person("u-42", "Max <Mustermann> & Co", EmailAddress.of("max@acme.test"), "+49 30 1234", "+49 170 5678", null);
    private final Mailroom mailroom = Mailroom.builder().accountRepository(repo).transport(transport).discoverTransports(false)
            .directory((tenant, user) -> user.equals("u-42") ? Optional.of(max) : Optional.empty()).build();
    private final MailContext maxAtAcme = MailContext.tenant("acme").withUser("u-42");

    @BeforeEach
    void accounts() {
        repo.save(account("system", "noreply@company.test").systemAccount(true).displayName("Company").build());
        repo.save(account("acme", "mail@acme.test").tenant("acme").systemAccount(true).displayName("ACME GmbH").build());
        repo.save(account("sales", "sales@acme.test").tenant("acme").displayName("ACME Sales").build());
    }

    @AfterEach
    void close() {
        mailroom.close();
    }

    private static Account.Builder account(String id, String address) {
        return Account.builder().id(id).description(id).email(address).smtpHost("smtp.test")
                .authentication(Authentication.password(address, Secret.of("pw")));
    }

    private Email fromSales() {
        return Email.builder().from("sales@acme.test").to("kunde@example.test").subject("Angebot").text("Guten Tag").build();
    }

    @Test
    @DisplayName("A6: by default From routes to its owner and is kept")
    void ownerPolicy_keepsFrom() throws Exception {
        Preview p = mailroom.preview(maxAtAcme, fromSales());
        assertThat(p.account().id().value()).isEqualTo("sales");
        assertThat(p.from().address()).isEqualTo("sales@acme.test");
        assertThat(p.from().name()).isEqualTo("ACME Sales");
        assertThat(p.warnings()).isEmpty();
    }

    @Test
    @DisplayName("B1: force default sender: the default account's address and name, the requested From dropped, with a warning")
    void forceDefaultSender() throws Exception {
        repo.saveSystemSettings(SystemMailSettings.defaults().withSenderPolicy(SenderPolicy.FORCE_DEFAULT_SENDER));
        Preview p = mailroom.preview(maxAtAcme, fromSales());
        assertThat(p.account().id().value()).isEqualTo("acme");
        assertThat(p.from()).isEqualTo(EmailAddress.of("mail@acme.test", "ACME GmbH"));
        assertThat(p.replyTo()).isEmpty();
        assertThat(p.warnings()).singleElement().asString().contains("rewritten").contains("B1");
        mailroom.send(maxAtAcme, fromSales());
        var sent = transport.sent().get(0);
        assertThat(((InternetAddress) sent.mime().getFrom()[0]).getAddress()).isEqualTo("mail@acme.test");
        assertThat(sent.message().envelopeFrom().address()).isEqualTo("mail@acme.test");
    }

    @Test
    @DisplayName("B2: Reply-To for individual senders: default sender, the acting user's address as Reply-To")
    void replyToForIndividualSenders() throws Exception {
        repo.saveTenantSettings("acme", TenantMailSettings.defaults().withSenderPolicy(SenderPolicy.DEFAULT_SENDER_WITH_REPLY_TO));
        Email invoice = Email.builder().to("kunde@example.test").subject("Rechnung").text("x").build();
        Preview p = mailroom.preview(maxAtAcme, invoice);
        assertThat(p.from().address()).isEqualTo("mail@acme.test");
        assertThat(p.replyTo()).containsExactly(EmailAddress.of("max@acme.test"));
        Preview withFrom = mailroom.preview(maxAtAcme, fromSales());
        assertThat(withFrom.replyTo()).extracting(EmailAddress::address).containsExactly("sales@acme.test");
        mailroom.send(maxAtAcme, invoice);
        assertThat(((InternetAddress) transport.sent().get(0).mime().getReplyTo()[0]).getAddress()).isEqualTo("max@acme.test");
        assertThat(mailroom.preview(MailContext.tenant("globex").withUser("u-42"), invoice).replyTo())
                .as("another tenant keeps the system-wide policy").isEmpty();
    }

    @Test
    @DisplayName("B5: account signature with variables (German and English names), HTML-escaped in HTML, appended once")
    void accountSignature_variables_escaped_once() throws Exception {
        repo.save(repo.find(dev.mailroom.AccountId.of("acme")).orElseThrow().toBuilder()
                .signature("-- \r\n{MITARBEITER}\r\nTel. {EMPLOYEE_PHONE}, mobil {MITARBEITER_MOBIL}\r\n{MITARBEITER_EMAIL}",
                        "<p>{MITARBEITER}<br>Tel. {MITARBEITER_TELEFON}</p>").build());
        Email mail = Email.builder().to("kunde@example.test").subject("Hallo").text("Guten Tag").html("<html><body><p>Guten Tag</p></body></html>").build();
        Preview p = mailroom.preview(maxAtAcme, mail);
        assertThat(p.textBody()).hasValueSatisfying(t -> assertThat(t)
                .isEqualTo("Guten Tag\r\n\r\n-- \r\nMax <Mustermann> & Co\r\nTel. +49 30 1234, mobil +49 170 5678\r\nmax@acme.test"));
        assertThat(p.htmlBody()).hasValueSatisfying(h -> assertThat(h)
                .contains("<div class=\"mailroom-signature\"><p>Max &lt;Mustermann&gt; &amp; Co<br>Tel. +49 30 1234</p></div></body>")
                .doesNotContain("<Mustermann>"));
        assertThat(p.warnings()).isEmpty();

        Email resent = mail.toBuilder().text(p.textBody().orElseThrow()).html(p.htmlBody().orElseThrow()).build();
        Preview again = mailroom.preview(maxAtAcme, resent);
        assertThat(again.textBody()).isEqualTo(p.textBody());
        assertThat(again.htmlBody()).isEqualTo(p.htmlBody());
    }

    @Test
    @DisplayName("B5: account, then project, then central; unknown variables and missing values warn and never print raw")
    void signaturePrecedence_andWarnings() {
        repo.saveCentralSignature(null, new Signature("central {EMPLOYEE_NAME}", null));
        repo.saveProjectSignature("acme", "p-7", new Signature("project {FOO} fax {MITARBEITER_TELEFAX}", null));
        Email mail = Email.builder().to("kunde@example.test").subject("x").text("Body").build();
        assertThat(mailroom.preview(maxAtAcme, mail).textBody()).contains("Body\r\n\r\ncentral Max <Mustermann> & Co");
        Preview project = mailroom.preview(maxAtAcme.withProject("p-7"), mail);
        assertThat(project.textBody()).contains("Body\r\n\r\nproject  fax ");
        assertThat(project.textBody().orElseThrow()).doesNotContain("{");
        assertThat(project.warnings()).containsExactlyInAnyOrder("unknown signature variable {FOO}",
                "no value for signature variable {MITARBEITER_TELEFAX}");
        repo.saveCentralSignature("acme", new Signature("acme central", null));
        assertThat(mailroom.preview(maxAtAcme, mail).textBody()).contains("Body\r\n\r\nacme central");
        assertThat(mailroom.preview(maxAtAcme, mail.toBuilder().noSignature().build()).textBody()).contains("Body");
        assertThat(mailroom.preview(maxAtAcme, mail.toBuilder().noSignature().build()).appendedSignature()).isEmpty();
    }

    @Test
    @DisplayName("B5: a text-only signature also signs the HTML body, escaped")
    void textSignature_signsHtmlToo() {
        repo.saveCentralSignature(null, new Signature("Gruß\r\n<ACME>", null));
        Preview p = mailroom.preview(maxAtAcme, Email.builder().to("kunde@example.test").html("<p>Hi</p>").build());
        assertThat(p.htmlBody()).contains("<p>Hi</p><div class=\"mailroom-signature\">Gruß<br>&lt;ACME&gt;</div>");
    }
}
