package dev.mailroom.smtp.internal;

import dev.mailroom.EmailAddress;
import dev.mailroom.spi.OutgoingMessage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

final class RawMessageTest {
    private static RawMessage raw(String text) {
        return new RawMessage(OutgoingMessage.builder("<1@acme.test>", EmailAddress.of("app@acme.test"), List.of(EmailAddress.of("k@example.test")))
                .content(text.getBytes(StandardCharsets.US_ASCII)).build());
    }

    @Test
    @DisplayName("B6: the Sent copy's internal date is the message's Date header (a folded one too), not the time of the append")
    void sentDate_fromTheDateHeader() {
        String headers = "Message-ID: <1@acme.test>\r\nDate: Mon, 2 Nov 2026\r\n 10:15:30 +0100\r\nSubject: x\r\n\r\n";
        assertThat(raw(headers + "Date: Tue, 3 Nov 2026 00:00:00 +0000 (in the body, not a header)\r\n").getSentDate())
                .isEqualTo(java.util.Date.from(Instant.parse("2026-11-02T09:15:30Z")));
        assertThat(raw("Subject: no date\r\n\r\nbody\r\n").getSentDate()).isNull();
        assertThat(raw("Date: not a date\r\n\r\nbody\r\n").getSentDate()).isNull();
    }
}
