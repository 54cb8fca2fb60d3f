package dev.mailroom;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class EmailTest {

    @Test
    @DisplayName("Header injection: CR/LF in subject or header values is refused, naming the field")
    void build_lineBreaks_refused() {
        assertThatThrownBy(() -> Email.builder().to("a@example.test").subject("Hi\r\nBcc: victim@example.test").text("x").build())
                .isInstanceOfSatisfying(MailException.class, e -> {
                    assertThat(e.code()).isEqualTo(MailErrorCode.INVALID_EMAIL);
                    assertThat(e.getMessage()).contains("subject");
                });
        assertThatThrownBy(() -> Email.builder().to("a@example.test").header("X-Ticket", "1\nBcc: x@y.test").text("x").build())
                .isInstanceOf(MailException.class).hasMessageContaining("X-Ticket");
        assertThatThrownBy(() -> Email.builder().to("a@example.test").header("From", "x@y.test").text("x").build())
                .isInstanceOf(MailException.class).hasMessageContaining("set by Mailroom");
    }

    @Test
    @DisplayName("Addresses are validated with the field and the reason")
    void build_badAddress_namesField() {
        assertThatThrownBy(() -> Email.builder().to("ok@example.test").cc("broken@").text("x").build())
                .isInstanceOf(MailException.class).hasMessageContaining("cc:").hasMessageContaining("domain after '@' is empty");
        assertThatThrownBy(() -> Email.builder().to("a@example.test\r\nRCPT TO:<x@y>").text("x").build())
                .isInstanceOf(MailException.class).hasMessageContaining("CR, LF or NUL");
    }

    @Test
    @DisplayName("A recipient and a body are required")
    void build_empty_refused() {
        assertThatThrownBy(() -> Email.builder().subject("x").build())
                .isInstanceOf(MailException.class).hasMessageContaining("at least one recipient").hasMessageContaining("body");
    }

    @Test
    @DisplayName("Display names with quotes and commas parse")
    void parse_displayName() {
        EmailAddress a = EmailAddress.parse("\"Müller, Jörg\" <joerg@example.test>");
        assertThat(a.name()).isEqualTo("Müller, Jörg");
        assertThat(a.address()).isEqualTo("joerg@example.test");
        assertThat(Email.builder().to("x@example.test").text("t").build().recipients()).hasSize(1);
    }
}
