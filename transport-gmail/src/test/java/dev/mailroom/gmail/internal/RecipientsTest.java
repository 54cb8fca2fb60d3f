package dev.mailroom.gmail.internal;

import dev.mailroom.EmailAddress;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.spi.OutgoingMessage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which envelope recipients Gmail must be told about in a Bcc header. */
final class RecipientsTest {

    private static String prefix(String headers, String... envelope) {
        byte[] bytes = (headers + "\r\nbody\r\n").getBytes(StandardCharsets.UTF_8);
        OutgoingMessage m = OutgoingMessage.builder("<r@example.test>", EmailAddress.of("app@example.test"),
                java.util.Arrays.stream(envelope).map(EmailAddress::of).toList()).content(bytes).build();
        return new String(Recipients.bccPrefix(m), StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("#12 Bcc: folded To and Cc with display names, comments and quoted names; only the recipient in no header is added")
    void foldedHeadersAndNames() {
        String headers = "From: app@example.test\r\nTo: \"Müller, Max\" <MAX@Example.test>,\r\n  Erika (Buchhaltung) <erika@example.test>\r\n"
                + "cc: =?UTF-8?Q?J=C3=BCrgen?= <juergen@example.test>\r\nSubject: x\r\n";
        assertEquals("Bcc: hidden@example.test\r\n", prefix(headers, "max@example.test", "erika@example.test", "juergen@example.test",
                "hidden@example.test"));
        assertEquals("", prefix(headers, "max@example.test", "erika@example.test", "juergen@example.test"));
    }

    @Test
    @DisplayName("#12 Bcc: internationalized addresses (UTF-8 headers) match the envelope, also A-label against U-label domains")
    void internationalized() {
        String headers = "To: Jürgen <jürgen@bücher.example>\r\nSubject: x\r\n";
        assertEquals("", prefix(headers, "jürgen@bücher.example"));
        assertEquals("", prefix(headers, "jürgen@xn--bcher-kva.example"));
    }

    @Test
    @DisplayName("#12 Bcc: an empty group (undisclosed recipients) names nobody: every envelope recipient goes in the Bcc header, folded")
    void undisclosedRecipients() {
        String p = prefix("To: undisclosed-recipients:;\r\nSubject: x\r\n", "a-very-long-address-number-one@example.test",
                "a-very-long-address-number-two@example.test", "three@example.test");
        assertEquals("Bcc: a-very-long-address-number-one@example.test,\r\n a-very-long-address-number-two@example.test,"
                + " three@example.test\r\n", p);
    }

    @Test
    @DisplayName("#12 a To address outside the envelope is refused (Gmail would send to it)")
    void headerOutsideEnvelope() {
        MailException e = assertThrows(MailException.class, () -> prefix("To: a@example.test, b@example.test\r\n", "a@example.test"));
        assertEquals(MailErrorCode.PERMANENT_FAILURE, e.code());
        assertTrue(e.getMessage().contains("nothing was sent"), e.getMessage());
    }
}
