package dev.mailroom.inbound;

import dev.mailroom.AccountId;
import dev.mailroom.inbound.internal.MimeScan;
import dev.mailroom.spi.InboundKey;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** F1: the pre-scan's limits and the lenient parsing behind it. */
final class MimeLimitsTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static FetchedMail parse(String raw) throws Exception {
        return Parsing.parse(new InboundKey(AccountId.of("a"), "INBOX", 1, "1"), "ck", bytes(raw), raw.length(), false);
    }

    @Test
    @DisplayName("F1: 50 levels of nesting pass the pre-scan, 51 do not; 20,000 levels are rejected in milliseconds")
    void nesting() {
        assertThat(MimeScan.check(bytes(MimeShapes.nested(50)))).isEmpty();
        assertThat(MimeScan.check(bytes(MimeShapes.nested(51)))).hasValueSatisfying(r -> assertThat(r).startsWith("MIME_NESTING_LIMIT"));
        byte[] bomb = bytes(MimeShapes.nested(20_000));
        long start = System.nanoTime();
        assertThat(MimeScan.check(bomb)).isPresent();
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1000);
    }

    @Test
    @DisplayName("F1: 500 body parts pass the pre-scan, 501 do not")
    void parts() {
        assertThat(MimeScan.check(bytes(MimeShapes.manyParts(500)))).isEmpty();
        assertThat(MimeScan.check(bytes(MimeShapes.manyParts(501)))).hasValueSatisfying(r -> assertThat(r).startsWith("MIME_PARTS_LIMIT"));
    }

    @Test
    @DisplayName("F1: a header field up to 10 KB passes the pre-scan, a longer one does not")
    void headerLength() {
        assertThat(MimeScan.check(bytes(MimeShapes.longHeader(9_000)))).isEmpty();
        assertThat(MimeScan.check(bytes(MimeShapes.longHeader(11_000)))).hasValueSatisfying(r -> assertThat(r).startsWith("MIME_HEADER_LIMIT"));
    }

    @Test
    @DisplayName("F1: an unknown charset decodes with replacement characters instead of failing")
    void unknownCharset() throws Exception {
        FetchedMail m = parse("From: a@example.test\r\nSubject: x\r\nContent-Type: text/plain; charset=x-unbekannt\r\n"
                + "Content-Transfer-Encoding: 8bit\r\n\r\nGr\u00fc\u00dfe\r\n");
        assertThat(m.text()).hasValueSatisfying(t -> assertThat(t).startsWith("Gr\uFFFD\uFFFDe"));
    }

    @Test
    @DisplayName("F1: a multipart without its end boundary is read as far as it goes: text, HTML and the attachment")
    void missingEndBoundary() throws Exception {
        String raw = "From: Kunde <kunde@example.test>\r\nTo: support@acme.test\r\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"o\"\r\n\r\n"
                + "--o\r\nContent-Type: multipart/alternative; boundary=\"i\"\r\n\r\n"
                + "--i\r\nContent-Type: text/plain; charset=ISO-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nGr=FC=DFe\r\n"
                + "--i\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n<p>Hallo</p>\r\n--i--\r\n"
                + "--o\r\nContent-Type: application/pdf; name=\"r.pdf\"\r\nContent-Disposition: attachment; filename=\"r.pdf\"\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n"; // no closing --o--
        assertThat(MimeScan.check(bytes(raw))).isEmpty();
        FetchedMail m = parse(raw);
        assertThat(m.subject()).isEqualTo("Gr\u00fc\u00dfe");
        assertThat(m.from()).hasValue("kunde@example.test");
        assertThat(m.to()).containsExactly("support@acme.test");
        assertThat(m.text()).hasValueSatisfying(t -> assertThat(t).startsWith("Gr\u00fc\u00dfe"));
        assertThat(m.html()).hasValueSatisfying(h -> assertThat(h).contains("<p>Hallo</p>"));
        assertThat(m.attachments()).singleElement().satisfies(a -> {
            assertThat(a.fileName()).hasValue("r.pdf");
            assertThat(a.contentType()).isEqualTo("application/pdf");
            assertThat(new String(a.open().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("%PDF-");
        });
    }

    @Test
    @DisplayName("F1: a multipart without any boundary line keeps its body as text instead of failing")
    void noBoundaryAtAll() throws Exception {
        FetchedMail m = parse("From: a@example.test\r\nSubject: x\r\nContent-Type: multipart/mixed; boundary=nie\r\n\r\nnur Text\r\n");
        assertThat(m.text()).hasValueSatisfying(t -> assertThat(t).contains("nur Text"));
    }
}
