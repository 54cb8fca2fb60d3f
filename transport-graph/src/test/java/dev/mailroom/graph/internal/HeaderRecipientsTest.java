package dev.mailroom.graph.internal;

import dev.mailroom.EmailAddress;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Which envelope recipients Graph would miss, read from the header block. */
final class HeaderRecipientsTest {
    private static byte[] mime(String headers) {
        return (headers + "\r\nSubject: s\r\n\r\nbody\r\n").getBytes(StandardCharsets.UTF_8);
    }

    private static List<EmailAddress> envelope(String... addresses) {
        return java.util.Arrays.stream(addresses).map(EmailAddress::of).toList();
    }

    private static String prefix(String headers, String... envelope) {
        return new String(HeaderRecipients.bccPrefix(mime(headers), envelope(envelope)), StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("D4: folded To and Cc with names, a group, case and an IDN domain in either form count as named; the rest goes in one folded Bcc header")
    void namedAndHidden() {
        String headers = "From: app@contoso.test\r\nTo: \"Kunde, Max\" <MAX@Example.test>,\r\n\tteam: anna@example.test, ben@example.test;\r\n"
                + "Cc: =?UTF-8?Q?J=C3=B6rg?= <joerg@xn--bcher-kva.example>";
        assertEquals("", prefix(headers, "max@example.test", "anna@example.test", "ben@example.test", "joerg@bücher.example"));
        assertEquals("Bcc: archiv@example.test,\r\n revision@example.test\r\n",
                prefix(headers, "max@example.test", "anna@example.test", "ben@example.test", "joerg@bücher.example", "archiv@example.test",
                        "revision@example.test"));
    }

    @Test
    @DisplayName("D4: a To address outside the envelope (a retry for part of the recipients) is refused: Graph would send to it again")
    void headerOutsideEnvelope() {
        MailException e = assertThrows(MailException.class, () -> prefix("To: max@example.test, anna@example.test", "anna@example.test"));
        assertEquals(MailErrorCode.PERMANENT_FAILURE, e.code());
    }
}
