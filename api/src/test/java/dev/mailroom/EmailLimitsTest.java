package dev.mailroom;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** #10.12: the subject's length is capped. */
final class EmailLimitsTest {
    @Test
    @DisplayName("#10.12: a subject longer than the cap is refused with INVALID_EMAIL naming the subject")
    void subject_capped() {
        String max = "x".repeat(Email.MAX_SUBJECT_LENGTH);
        assertThat(Email.builder().to("a@example.test").subject(max).text("t").build().subject()).isEqualTo(max);
        assertThatThrownBy(() -> Email.builder().to("a@example.test").subject(max + "y").text("t").build())
                .isInstanceOfSatisfying(MailException.class, e -> {
                    assertThat(e.code()).isEqualTo(MailErrorCode.INVALID_EMAIL);
                    assertThat(e.getMessage()).contains("subject");
                });
    }

    @Test
    @DisplayName("#10.12: the cap counts characters as a reader sees them (code points), so emoji count once")
    void subject_codePoints() {
        String emoji = "\uD83D\uDCE7".repeat(Email.MAX_SUBJECT_LENGTH);
        assertThat(Email.builder().to("a@example.test").subject(emoji).text("t").build().subject()).isEqualTo(emoji);
    }
}
