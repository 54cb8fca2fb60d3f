package dev.mailroom.core.internal;

import dev.mailroom.Attachment;
import dev.mailroom.Email;
import dev.mailroom.EmailAddress;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.spi.RenderedMessage;
import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Properties;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class MessageRendererTest {
    private final MessageRenderer renderer = new MessageRenderer(Clock.systemUTC());
    private final EmailAddress sender = EmailAddress.of("app@acme.test", "ACME Müller");

    private static MimeMessage roundTrip(RenderedMessage m) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.mime().writeTo(out, new String[] {"Bcc"});
        byte[] bytes = out.toByteArray();
        for (byte b : bytes) {
            assertThat(b & 0xff).as("7-bit clean output").isLessThan(128);
        }
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(bytes));
    }

    private static String text(Part p, String type) throws Exception {
        if (p.isMimeType(type) && p.getFileName() == null) {
            return (String) p.getContent();
        }
        if (p.isMimeType("multipart/*")) {
            Multipart mp = (Multipart) p.getContent();
            for (int i = 0; i < mp.getCount(); i++) {
                String s = text(mp.getBodyPart(i), type);
                if (s != null) {
                    return s;
                }
            }
        }
        return null;
    }

    @Test
    @DisplayName("Every body shape survives a write and a parse unchanged: text, HTML, both, attachments, non-ASCII, long lines")
    void writeTo_roundTripsEveryShape() throws Exception {
        String umlauts = "Grüße aus Köln – 100 € \r\n" + "x".repeat(1200) + "\r\nEnde";
        String html = "<p>Grüße</p>" + "<b>y</b>".repeat(300);
        byte[] binary = new byte[70_000];
        new Random(42).nextBytes(binary);
        Email[] emails = {
                Email.builder().to("a@example.test").subject("ascii").text("plain ascii\r\nsecond line").build(),
                Email.builder().to("a@example.test").subject("Grüße – Rechnung").text(umlauts).build(),
                Email.builder().to("a@example.test").subject("html").html(html).build(),
                Email.builder().to("a@example.test").subject("both").text(umlauts).html(html).build(),
                Email.builder().to("a@example.test").subject("att").text(umlauts).html(html)
                        .attach(Attachment.of("Übersicht.bin", "application/octet-stream", binary))
                        .attach(Attachment.of("notes.txt", "text/plain", "hello\r\n".getBytes(StandardCharsets.UTF_8))).build(),
                Email.builder().to("a@example.test").subject("only attachment")
                        .attach(Attachment.of("a.pdf", "application/pdf", binary)).build()};
        for (Email e : emails) {
            RenderedMessage r = renderer.render(e, sender, EmailAddress.of(sender.address()));
            MimeMessage back = roundTrip(r);
            assertThat(back.getSubject()).isEqualTo(e.subject());
            assertThat(back.getMessageID()).isEqualTo(r.messageId());
            assertThat(back.getFrom()[0].toString()).contains("app@acme.test");
            if (e.text().isPresent()) {
                assertThat(text(back, "text/plain")).isEqualTo(e.text().get());
            }
            if (e.html().isPresent()) {
                assertThat(text(back, "text/html")).isEqualTo(e.html().get());
            }
            if (!e.attachments().isEmpty()) {
                Multipart mp = (Multipart) back.getContent();
                BodyPart att = mp.getBodyPart(e.text().isPresent() || e.html().isPresent() ? 1 : 0);
                try (InputStream in = att.getInputStream()) {
                    assertThat(in.readAllBytes()).isEqualTo(binary);
                }
            }
        }
    }

    @Test
    @DisplayName("The Message-ID is fixed at render time and survives saveChanges")
    void messageId_isStable() throws Exception {
        RenderedMessage r = renderer.render(Email.builder().to("a@example.test").text("x").build(), sender, sender);
        r.mime().saveChanges();
        assertThat(r.mime().getMessageID()).isEqualTo(r.messageId()).endsWith("@acme.test>");
    }

    @Test
    @DisplayName("B4 (until SMTPUTF8 lands): internationalized addresses are refused before anything is sent, never mangled")
    void internationalizedAddress_refused() {
        assertThatThrownBy(() -> renderer.render(Email.builder().to("jörg@bücher.example").text("x").build(), sender, sender))
                .isInstanceOfSatisfying(MailException.class, e -> {
                    assertThat(e.code()).isEqualTo(MailErrorCode.INVALID_EMAIL);
                    assertThat(e.getMessage()).contains("jörg@bücher.example");
                });
    }

    @Test
    void encodingFor_choosesSevenBitOnlyWhenSafe() {
        assertThat(MimeWriter.encodingFor("hello\r\nworld")).isEqualTo("7bit");
        assertThat(MimeWriter.encodingFor("grüß")).isEqualTo("quoted-printable");
        assertThat(MimeWriter.encodingFor("x".repeat(999))).isEqualTo("quoted-printable");
        assertThat(MimeWriter.encodingFor("bare\rcr")).isEqualTo("quoted-printable");
    }
}
