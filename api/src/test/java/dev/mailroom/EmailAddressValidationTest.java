package dev.mailroom;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** #10.13 and #10.16: addresses validated in octets after IDNA, and refused with a typed error. */
final class EmailAddressValidationTest {

    private static void refused(String address, String reason) {
        assertThatThrownBy(() -> EmailAddress.of(address)).as(address)
                .isInstanceOfSatisfying(MailException.class, e -> {
                    assertThat(e.code()).isEqualTo(MailErrorCode.INVALID_EMAIL);
                    assertThat(e.getMessage()).contains(reason);
                });
        assertThat(EmailAddress.isValid(address)).as(address).isFalse();
    }

    @Test
    @DisplayName("#10.16: the value factories refuse a malformed address with INVALID_EMAIL naming the address, not IllegalArgumentException")
    void factories_throwInvalidEmail() {
        assertThatThrownBy(() -> EmailAddress.of("no-at-sign")).isInstanceOfSatisfying(MailException.class,
                e -> assertThat(e.code()).isEqualTo(MailErrorCode.INVALID_EMAIL));
        assertThatThrownBy(() -> EmailAddress.of("a@b.test", "Evil\r\nBcc: x@y.test")).isInstanceOfSatisfying(MailException.class,
                e -> assertThat(e.getMessage()).contains("display name"));
        assertThatThrownBy(() -> EmailAddress.parse("Name <a@@b.test>")).isInstanceOfSatisfying(MailException.class,
                e -> assertThat(e.code()).isEqualTo(MailErrorCode.INVALID_EMAIL));
        assertThatThrownBy(() -> EmailAddress.of(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    @DisplayName("#10.16: attachment names, types and files are refused with INVALID_EMAIL naming the field")
    void attachments_throwInvalidEmail() {
        assertThatThrownBy(() -> Attachment.of("../etc/passwd", "text/plain", new byte[1])).isInstanceOfSatisfying(MailException.class,
                e -> assertThat(e.code()).isEqualTo(MailErrorCode.INVALID_EMAIL));
        assertThatThrownBy(() -> Attachment.of("a.txt", "no type", new byte[1])).isInstanceOfSatisfying(MailException.class,
                e -> assertThat(e.getMessage()).contains("contentType"));
        assertThatThrownBy(() -> Attachment.of(Path.of("/nonexistent/file.pdf"), "application/pdf")).isInstanceOfSatisfying(MailException.class,
                e -> assertThat(e.getMessage()).contains("file"));
        assertThatThrownBy(() -> Attachment.of("a.txt", "text/plain", new byte[1]).inline("bad id")).isInstanceOfSatisfying(MailException.class,
                e -> assertThat(e.getMessage()).contains("contentId"));
        assertThatThrownBy(() -> Attachment.of("zero\u200Bwidth.pdf", "application/pdf", new byte[1])).isInstanceOfSatisfying(MailException.class,
                e -> assertThat(e.getMessage()).contains("fileName"));
        assertThatThrownBy(() -> Attachment.of(null, "text/plain", new byte[1])).isInstanceOf(NullPointerException.class);
    }

    @Test
    @DisplayName("#10.13: the local part is limited to 64 octets, not characters")
    void localPart_octets() {
        assertThat(EmailAddress.of("a".repeat(64) + "@example.test").localPart()).hasSize(64);
        refused("ü".repeat(33) + "@example.test", "64 octets");
    }

    @Test
    @DisplayName("#10.13: the address is limited to 254 octets, counted as it goes on the wire")
    void address_octets() {
        String domain = ("ö".repeat(20) + ".").repeat(6) + "test"; // 126 characters, 246 octets in UTF-8
        refused("a".repeat(40) + "@" + domain, "254 octets");
    }

    @Test
    @DisplayName("#10.13: a DNS label is limited to 63 octets after IDNA")
    void label_afterIdna() {
        refused("a@" + "a".repeat(60) + "ü.example", "63");
        refused("a@" + "a".repeat(64) + ".example", "63");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-oQ/tmp/@example.test", "a@x.-y.example", "a@x-.example", "a@exa_mple.test", "a@ab--cd.example"})
    @DisplayName("#10.13: a leading '-' in the local part or a label, a trailing '-', a reserved '--' and non-LDH ASCII labels are refused")
    void hyphens_refused(String address) {
        refused(address, "");
    }

    @ParameterizedTest
    @ValueSource(strings = {"pay\u200Bpal@example.test", "a@pay\u200Dpal.example", "a@exa\u202Emple.test", "a@\u2066example.test",
            "a@exam\u00ADple.test", "a\uFEFF@example.test", "a@example\u2028.test"})
    @DisplayName("#10.13: zero-width, bidi and other format or control characters are refused")
    void formatCharacters_refused(String address) {
        refused(address, "format or control character");
    }

    @Test
    @DisplayName("#10.13: without UTS #46 (IDNA2008) support, labels where IDNA2003 maps to another domain are refused: faß.example is never fass.example")
    void deviations_refusedWithoutUts46() {
        refused("a@faß.example", "faß");
        refused("a@ευχαριστώ.example".replace("ώ", "ς"), "IDNA");
        refused("a@ｂücher.example", "IDNA");
        assertThat(EmailAddress.of("a@bücher.example").domain()).isEqualTo("bücher.example");
        assertThat(EmailAddress.of("a@Bücher.example").domain()).isEqualTo("Bücher.example");
    }

    @Test
    @DisplayName("#10.13: the same mailbox whether its domain is written in Unicode or in punycode")
    void sameMailbox_idna() {
        assertThat(EmailAddress.of("app@bücher.example").sameMailbox(EmailAddress.of("app@XN--BCHER-KVA.example"))).isTrue();
        assertThat(EmailAddress.of("app@bücher.example").withAsciiDomain().address()).isEqualTo("app@xn--bcher-kva.example");
        assertThat(EmailAddress.of("app@bücher.example").sameMailbox(EmailAddress.of("app@bucher.example"))).isFalse();
    }
}
