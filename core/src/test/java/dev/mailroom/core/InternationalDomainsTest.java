package dev.mailroom.core;

import dev.mailroom.testkit.RecordingTransport;
import dev.mailroom.Account;
import dev.mailroom.Authentication;
import dev.mailroom.Email;
import dev.mailroom.MailContext;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.Preview;
import dev.mailroom.Secret;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** #10.13: look-alike domains are warned about, or refused when the host says so; IDNA in the envelope. */
final class InternationalDomainsTest {
    /** "pаypal.com" with a Cyrillic "а" (U+0430). */
    private static final String CYRILLIC_PAYPAL = "kunde@p\u0430ypal.com";

    private final InMemoryAccountRepository repo = new InMemoryAccountRepository();
    private final RecordingTransport transport = new RecordingTransport();

    private Mailroom.Builder builder() {
        repo.save(Account.builder().id("system").description("System").email("app@bücher.example").smtpHost("smtp.test")
                .systemAccount(true).authentication(Authentication.password("app", Secret.of("pw"))).build());
        return Mailroom.builder().accountRepository(repo).transport(transport).discoverTransports(false);
    }

    private static Email to(String address) {
        return Email.builder().to(address).subject("Rechnung").text("Guten Tag").build();
    }

    @Test
    @DisplayName("#10.13: preview warns about a domain that mixes Latin and Cyrillic (pаypal.com); sending still works by default")
    void mixedScript_warned() {
        try (Mailroom m = builder().build()) {
            Preview p = m.preview(MailContext.system(), to(CYRILLIC_PAYPAL));
            assertThat(p.warnings()).anyMatch(w -> w.startsWith("to: ") && w.contains("mixes scripts") && w.contains("UTS #39"));
            m.send(MailContext.system(), to(CYRILLIC_PAYPAL));
            assertThat(transport.sent()).hasSize(1);
        }
    }

    @Test
    @DisplayName("#10.13: with refuseConfusableDomains, such a domain is refused with INVALID_EMAIL naming the field, nothing sent")
    void mixedScript_refusedBySetting() {
        try (Mailroom m = builder().refuseConfusableDomains().build()) {
            assertThatThrownBy(() -> m.send(MailContext.system(), to(CYRILLIC_PAYPAL)))
                    .isInstanceOfSatisfying(MailException.class, e -> {
                        assertThat(e.code()).isEqualTo(MailErrorCode.INVALID_EMAIL);
                        assertThat(e.getMessage()).startsWith("to: ").contains("refuseConfusableDomains");
                    });
            assertThat(transport.sent()).isEmpty();
            m.send(MailContext.system(), to("kunde@bücher.example")); // one script: fine
            assertThat(transport.sent()).hasSize(1);
        }
    }

    @Test
    @DisplayName("#10.13: a whole-script look-alike (Cyrillic сосо.com) is warned about too; an ordinary German domain is not")
    void wholeScript_warned() {
        try (Mailroom m = builder().build()) {
            assertThat(m.preview(MailContext.system(), to("a@\u0441\u043e\u0441\u043e.com")).warnings())
                    .anyMatch(w -> w.contains("look like Latin"));
            assertThat(m.preview(MailContext.system(), to("a@bücher.example")).warnings()).noneMatch(w -> w.contains("UTS #39"));
        }
    }

    @Test
    @DisplayName("#10.11: the envelope sender and the recipients of a preview are in punycode, as on the wire")
    void preview_envelopeInPunycode() {
        try (Mailroom m = builder().build()) {
            Preview p = m.preview(MailContext.system(), to("jörg@xn--bcher-kva.example".replace("jörg", "joerg")));
            assertThat(p.envelopeFrom().address()).isEqualTo("app@xn--bcher-kva.example");
            Preview q = m.preview(MailContext.system(), to("kunde@bücher.example"));
            assertThat(q.recipients()).extracting(a -> a.address()).containsExactly("kunde@xn--bcher-kva.example");
        }
    }
}
