package dev.mailroom.core.internal;

import dev.mailroom.Attachment;
import dev.mailroom.Email;
import dev.mailroom.EmailAddress;
import jakarta.mail.Header;
import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Collections;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue #4: the outbox reads stored messages without Jakarta Mail's per-parse provider lookup, and sends the same bytes. */
final class StoredMessageTest {
    private final Session session = Session.getInstance(new Properties());

    private static byte[] bytes(MimeMessage m) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.writeTo(out);
        return out.toByteArray();
    }

    private static List<String> headerLines(MimeMessage m) throws Exception {
        return Collections.list(m.getAllHeaderLines());
    }

    @Test
    @DisplayName("#4: a stored message (folded long subject, UTF-8 address via SMTPUTF8, attachment) is written back byte for byte,"
            + " with the same headers as Jakarta Mail's parser")
    void roundTrip_sameBytesAndHeaders() throws Exception {
        MessageRenderer renderer = new MessageRenderer(Clock.systemUTC());
        for (boolean utf8 : List.of(false, true)) {
            Email email = Email.builder().to("kunde@example.test").cc(utf8 ? "jürgen@例え.test" : "juergen@例え.test")
                    .subject("Angebot 4711 für die Erweiterung der Lagerhalle in Großostheim, Bauabschnitt 2, mit allen Anlagen und Plänen")
                    .text("Guten Tag,\r\nanbei das Angebot.\r\n")
                    .attach(Attachment.of("angebot.pdf", "application/pdf", "x".repeat(5000).getBytes(StandardCharsets.US_ASCII))).build();
            byte[] stored = bytes(renderer.render(email, new Composer.Composition(EmailAddress.of(utf8 ? "büro@acme.test" : "buero@acme.test"),
                    List.of(), email.text().orElse(null), null, null, List.of()), EmailAddress.of("buero@acme.test"), utf8).mime());
            MimeMessage mine = new StoredMessage(session, stored);
            MimeMessage jakarta = new MimeMessage(session, new ByteArrayInputStream(stored));
            assertThat(bytes(mine)).as("utf8=" + utf8).isEqualTo(stored);
            assertThat(headerLines(mine)).isEqualTo(headerLines(jakarta)).isNotEmpty();
            assertThat(mine.getMessageID()).isEqualTo(jakarta.getMessageID()).startsWith("<");
            assertThat(mine.getSubject()).isEqualTo(jakarta.getSubject()).startsWith("Angebot 4711");
            assertThat(((Multipart) mine.getContent()).getCount()).isEqualTo(2);
        }
    }

    @Test
    @DisplayName("#4: bare LF line ends, a header-only message and continuation lines read like Jakarta Mail's parser")
    void edgeCases_likeJakarta() throws Exception {
        for (String raw : List.of("Subject: a\n folded\nX-A: 1\n\nbody\n", "Subject: only headers\r\nX-B: 2", "Subject: x\r\n\r\n",
                "X-Long: one\r\n\ttwo\r\n three\r\nTo: a@example.test\r\n\r\nbody\r\n")) {
            byte[] stored = raw.getBytes(StandardCharsets.ISO_8859_1);
            MimeMessage mine = new StoredMessage(session, stored);
            MimeMessage jakarta = new MimeMessage(session, new ByteArrayInputStream(stored));
            assertThat(headerLines(mine)).as(raw).isEqualTo(headerLines(jakarta));
            assertThat(bytes(mine)).as(raw).isEqualTo(bytes(jakarta));
            assertThat(Collections.list(mine.getAllHeaders()).stream().map(Header::getName).toList())
                    .isEqualTo(Collections.list(jakarta.getAllHeaders()).stream().map(Header::getName).toList());
        }
    }
}
