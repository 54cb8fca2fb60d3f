package dev.mailroom.core.internal;

import dev.mailroom.Attachment;
import dev.mailroom.Email;
import dev.mailroom.EmailAddress;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
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
import java.util.List;
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
    @DisplayName("B7: inline images go into multipart/related with Content-ID; other files stay attachments")
    void inlineImages_related() throws Exception {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3};
        Email e = Email.builder().to("a@example.test").subject("logo").text("Hallo").html("<p>Hallo <img src=\"cid:logo\"></p>")
                .attach(Attachment.of("logo.png", "image/png", png).inline("logo"))
                .attach(Attachment.of("Rechnung.pdf", "application/pdf", new byte[] {1, 2})).build();
        MimeMessage back = roundTrip(renderer.render(e, sender, sender));
        assertThat(back.getContentType()).startsWith("multipart/mixed");
        Multipart mixed = (Multipart) back.getContent();
        assertThat(mixed.getBodyPart(0).getContentType()).startsWith("multipart/alternative");
        Multipart alt = (Multipart) mixed.getBodyPart(0).getContent();
        assertThat(alt.getBodyPart(1).getContentType()).startsWith("multipart/related");
        Multipart related = (Multipart) alt.getBodyPart(1).getContent();
        assertThat(related.getBodyPart(0).getContentType()).startsWith("text/html");
        BodyPart logo = related.getBodyPart(1);
        assertThat(logo.getHeader("Content-ID")[0]).isEqualTo("<logo>");
        assertThat(logo.getDisposition()).isEqualTo(Part.INLINE);
        try (InputStream in = logo.getInputStream()) {
            assertThat(in.readAllBytes()).isEqualTo(png);
        }
        assertThat(mixed.getBodyPart(1).getFileName()).isEqualTo("Rechnung.pdf");
    }

    @Test
    @DisplayName("Display names with quotes, commas and non-ASCII survive encoding; long subjects are folded")
    void displayNames_andFolding() throws Exception {
        EmailAddress tricky = EmailAddress.of("joerg@example.test", "Müller, \"Jörg\" <Vertrieb>");
        String subject = "Rechnung " + "sehr lang ".repeat(20) + "Ende";
        RenderedMessage r = renderer.render(Email.builder().to(tricky).subject(subject).text("x").build(), tricky, tricky);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        r.mime().writeTo(out, null);
        for (String line : out.toString(StandardCharsets.US_ASCII).split("\r\n")) {
            assertThat(line.length()).as(line).isLessThanOrEqualTo(998);
        }
        MimeMessage back = roundTrip(r);
        assertThat(((jakarta.mail.internet.InternetAddress) back.getFrom()[0]).getPersonal()).isEqualTo("Müller, \"Jörg\" <Vertrieb>");
        assertThat(((jakarta.mail.internet.InternetAddress) back.getFrom()[0]).getAddress()).isEqualTo("joerg@example.test");
        assertThat(back.getSubject()).isEqualTo(subject);
        assertThat(back.getHeader("Subject", null)).contains("\r\n");
    }

    @Test
    @DisplayName("The Message-ID is fixed at render time and survives saveChanges")
    void messageId_isStable() throws Exception {
        RenderedMessage r = renderer.render(Email.builder().to("a@example.test").text("x").build(), sender, sender);
        r.mime().saveChanges();
        assertThat(r.mime().getMessageID()).isEqualTo(r.messageId()).endsWith("@acme.test>");
    }

    @Test
    @DisplayName("B4: a non-ASCII local part needs the account's UTF-8 flag: refused before anything is sent, never mangled")
    void internationalizedLocalPart_refusedWithoutFlag() {
        for (String address : new String[] {"jörg@bücher.example", "山田太郎@株式.会社"}) {
            assertThatThrownBy(() -> renderer.render(Email.builder().to(address).text("x").build(), sender, sender))
                    .isInstanceOfSatisfying(MailException.class, e -> {
                        assertThat(e.code()).isEqualTo(MailErrorCode.SMTPUTF8_NOT_SUPPORTED);
                        assertThat(e.getMessage()).contains(address);
                    });
        }
    }

    @Test
    @DisplayName("B4: a domain-only internationalized address goes out in punycode, in header and envelope, without SMTPUTF8")
    void internationalizedDomain_punycode() throws Exception {
        RenderedMessage r = renderer.render(Email.builder().to("info@bücher.example").text("x").build(), sender, sender);
        assertThat(r.smtpUtf8()).isFalse();
        assertThat(r.recipients()).extracting(EmailAddress::address).containsExactly("info@xn--bcher-kva.example");
        assertThat(roundTrip(r).getHeader("To", null)).isEqualTo("info@xn--bcher-kva.example");
    }

    @Test
    @DisplayName("B4: with the account's UTF-8 flag the message is marked SMTPUTF8 and carries the addresses as UTF-8")
    void internationalizedLocalPart_withFlag_rawUtf8() throws Exception {
        Email e = Email.builder().to("山田太郎@株式.会社").cc("jörg@bücher.example").subject("こんにちは").text("x").build();
        RenderedMessage r = renderer.render(e, new Composer.Composition(sender, List.of(), "x", null, null, List.of()), sender, true);
        assertThat(r.smtpUtf8()).isTrue();
        assertThat(r.recipients()).extracting(EmailAddress::address).containsExactly("山田太郎@株式.会社", "jörg@bücher.example");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        r.mime().writeTo(out, null);
        String raw = out.toString(StandardCharsets.UTF_8);
        assertThat(raw).contains("To: 山田太郎@株式.会社").contains("Cc: jörg@bücher.example");
    }

    @Test
    void encodingFor_choosesSevenBitOnlyWhenSafe() {
        assertThat(MimeWriter.encodingFor("hello\r\nworld")).isEqualTo("7bit");
        assertThat(MimeWriter.encodingFor("grüß")).isEqualTo("quoted-printable");
        assertThat(MimeWriter.encodingFor("x".repeat(999))).isEqualTo("quoted-printable");
        assertThat(MimeWriter.encodingFor("bare\rcr")).isEqualTo("quoted-printable");
    }
}
