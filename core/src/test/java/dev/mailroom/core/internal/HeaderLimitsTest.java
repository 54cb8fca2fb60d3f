package dev.mailroom.core.internal;

import dev.mailroom.Attachment;
import dev.mailroom.Email;
import dev.mailroom.EmailAddress;
import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** #10.12: no header line over 998 octets; RFC 2231 file names. */
final class HeaderLimitsTest {
    private final MessageRenderer renderer = new MessageRenderer(Clock.systemUTC());
    private final EmailAddress sender = EmailAddress.of("app@acme.test", "ACME");

    private static byte[] bytes(RenderedMessage m) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.mime().writeTo(out, new String[] {"Bcc"});
        return out.toByteArray();
    }

    private static void assertLinesWithin998(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int headerEnd = text.indexOf("\r\n\r\n");
        for (String line : text.split("\r\n")) {
            assertThat(line.length()).as("line starting '" + line.substring(0, Math.min(40, line.length())) + "'").isLessThanOrEqualTo(998);
        }
        assertThat(headerEnd).isPositive();
    }

    private static MimeMessage parse(byte[] bytes) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(bytes));
    }

    @Test
    @DisplayName("#10.12: a long header value without spaces is encoded in words, every line at most 998 octets, and decodes to the original")
    void longValueWithoutSpaces_folded() throws Exception {
        String token = "T".repeat(3000);
        String umlauts = "Ä".repeat(2000);
        Email email = Email.builder().to("kunde@example.test").subject("Rechnung").text("t")
                .header("X-Token", token).header("X-Umlauts", umlauts).build();
        byte[] bytes = bytes(renderer.render(email, sender, sender));
        assertLinesWithin998(bytes);
        MimeMessage parsed = parse(bytes);
        assertThat(MimeUtility.decodeText(MimeUtility.unfold(parsed.getHeader("X-Token")[0]))).isEqualTo(token);
        assertThat(MimeUtility.decodeText(MimeUtility.unfold(parsed.getHeader("X-Umlauts")[0]))).isEqualTo(umlauts);
    }

    @Test
    @DisplayName("#10.12: a subject at the cap, without spaces, stays within 998 octets per line and decodes to the original")
    void longSubject_folded() throws Exception {
        String subject = "ü".repeat(Email.MAX_SUBJECT_LENGTH);
        Email email = Email.builder().to("kunde@example.test").subject(subject).text("t").build();
        byte[] bytes = bytes(renderer.render(email, sender, sender));
        assertLinesWithin998(bytes);
        assertThat(parse(bytes).getSubject()).isEqualTo(subject);
    }

    @Test
    @DisplayName("#10.12: a non-ASCII attachment name uses RFC 2231 (filename*=UTF-8''…), not an encoded word in quotes")
    void nonAsciiFileName_rfc2231() throws Exception {
        Email email = Email.builder().to("kunde@example.test").subject("Rechnung").text("t")
                .attach(Attachment.of("Rechnung März.pdf", "application/pdf", new byte[] {1, 2, 3})).build();
        byte[] bytes = bytes(renderer.render(email, sender, sender));
        String text = new String(bytes, StandardCharsets.US_ASCII);
        assertThat(text).contains("filename*=UTF-8''Rechnung%20M%C3%A4rz.pdf").doesNotContain("=?UTF-8?");
        Multipart mp = (Multipart) parse(bytes).getContent();
        BodyPart attachment = mp.getBodyPart(1);
        assertThat(attachment.getFileName()).isEqualTo("Rechnung März.pdf");
    }

    @Test
    @DisplayName("#10.12: a very long attachment name is split into RFC 2231 sections, every line at most 998 octets")
    void longFileName_split() throws Exception {
        String name = "ä".repeat(100) + "b".repeat(146) + ".pdf";
        Email email = Email.builder().to("kunde@example.test").subject("Rechnung").text("t")
                .attach(Attachment.of(name, "application/pdf", new byte[] {1, 2, 3})).build();
        byte[] bytes = bytes(renderer.render(email, sender, sender));
        assertLinesWithin998(bytes);
        Multipart mp = (Multipart) parse(bytes).getContent();
        assertThat(mp.getBodyPart(1).getFileName()).isEqualTo(name);
    }

    @Test
    @DisplayName("#10.12: a long display name without spaces stays within 998 octets per line")
    void longDisplayName_folded() throws Exception {
        Email email = Email.builder().to(EmailAddress.of("kunde@example.test", "Ö".repeat(600))).subject("s").text("t").build();
        byte[] bytes = bytes(renderer.render(email, sender, sender));
        assertLinesWithin998(bytes);
    }
}
