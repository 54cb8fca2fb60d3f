package dev.mailroom.graph.internal;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The streaming MIME splitter: the scan, the message without chosen parts, and the chosen parts' base64. */
final class MimeSplitterTest {
    private static final byte[] PDF = "%PDF-1.7 a small file for the test, long enough for two base64 lines of 76 characters each".repeat(3)
            .getBytes(StandardCharsets.US_ASCII);

    /** mixed( alternative( text, related( html, inline image ) ), attachment with an RFC 2231 name ) */
    private static byte[] message() {
        String pdf = Base64.getMimeEncoder().encodeToString(PDF);
        return ("Message-ID: <1@x.test>\r\nFrom: a@x.test\r\nTo: b@x.test\r\nX-Custom: kept\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed;\r\n boundary=\"mixed\"\r\n\r\npreamble\r\n"
                + "--mixed\r\nContent-Type: multipart/alternative; boundary=alt\r\n\r\n"
                + "--alt\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nHallo\r\n"
                + "--alt\r\nContent-Type: multipart/related; boundary=rel\r\n\r\n"
                + "--rel\r\nContent-Type: text/html; charset=us-ascii\r\n\r\n<img src=\"cid:logo@x\">\r\n"
                + "--rel\r\nContent-Type: image/png; name=logo.png\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: inline; "
                + "filename=logo.png\r\nContent-ID: <logo@x>\r\n\r\n" + Base64.getMimeEncoder().encodeToString(new byte[] {1, 2, 3, 4}) + "\r\n"
                + "--rel--\r\n"
                + "--alt--\r\n"
                + "--mixed\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment;\r\n"
                + " filename*=UTF-8''Gr%C3%BC%C3%9Fe.pdf\r\n\r\n" + pdf + "\r\n"
                + "--mixed--\r\nepilogue\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static MimeSplitter run(MimeSplitter s, byte[] m, int piece) throws IOException {
        for (int i = 0; i < m.length; i += piece) {
            s.write(m, i, Math.min(piece, m.length - i));
        }
        s.finish();
        return s;
    }

    @Test
    @DisplayName("B8 D4: the scan lists the leaves with file names (RFC 2231 decoded), Content-IDs and the decoded size of base64 bodies, "
            + "however the bytes are split into writes")
    void scan() throws IOException {
        for (int piece : new int[] {1, 7, 1 << 20}) {
            List<MimeSplitter.Leaf> leaves = run(MimeSplitter.scan(), message(), piece).leaves();
            assertEquals(4, leaves.size());
            MimeSplitter.Leaf logo = leaves.get(2);
            MimeSplitter.Leaf pdf = leaves.get(3);
            assertEquals(List.of("logo.png", "logo@x", true, 4L), List.of(logo.fileName, logo.contentId, logo.inline, logo.decodedSize()));
            assertEquals(List.of("Grüße.pdf", "application/pdf", false, (long) PDF.length), List.of(pdf.fileName, pdf.contentType, pdf.inline,
                    pdf.decodedSize()));
            assertTrue(pdf.attachment() && logo.attachment());
            assertFalse(leaves.get(0).attachment(), "a text body is never taken out");
        }
    }

    @Test
    @DisplayName("B8 D4: without the chosen parts the message keeps its headers, bodies and structure; an emptied multipart gets an empty part; "
            + "with none chosen it is byte for byte the same")
    void skeleton() throws IOException {
        ByteArrayOutputStream same = new ByteArrayOutputStream();
        run(MimeSplitter.skeleton(Set.of(), same), message(), 13);
        assertArrayEquals(message(), same.toByteArray());

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        run(MimeSplitter.skeleton(Set.of(2, 3), out), message(), 13);
        String s = out.toString(StandardCharsets.US_ASCII);
        assertTrue(s.startsWith("Message-ID: <1@x.test>\r\nFrom: a@x.test\r\nTo: b@x.test\r\nX-Custom: kept\r\n"), s);
        assertTrue(s.contains("Hallo") && s.contains("<img src=\"cid:logo@x\">") && s.contains("epilogue"));
        assertFalse(s.contains("logo.png") || s.contains("pdf"), s);
        assertTrue(s.contains("<img src=\"cid:logo@x\">\r\n--rel--\r\n--alt--\r\n--mixed--\r\n"), s);

        ByteArrayOutputStream emptied = new ByteArrayOutputStream();
        run(MimeSplitter.skeleton(Set.of(1, 2), emptied), message(), 64);
        assertTrue(emptied.toString(StandardCharsets.US_ASCII).contains("--rel\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n\r\n--rel--"),
                "the related part keeps one part");
    }

    @Test
    @DisplayName("B8 D4: extraction hands over exactly the chosen parts' base64, start and end in order")
    void extract() throws IOException {
        List<String> events = new ArrayList<>();
        ByteArrayOutputStream b64 = new ByteArrayOutputStream();
        run(MimeSplitter.extract(Set.of(3), new MimeSplitter.Sink() {
            @Override
            public void start(MimeSplitter.Leaf leaf) {
                events.add("start " + leaf.index);
            }

            @Override
            public void base64(byte[] line, int off, int len) {
                b64.write(line, off, len);
            }

            @Override
            public void end(MimeSplitter.Leaf leaf) {
                events.add("end " + leaf.index);
            }
        }), message(), 5);
        assertEquals(List.of("start 3", "end 3"), events);
        assertArrayEquals(PDF, Base64.getMimeDecoder().decode(b64.toByteArray()));
    }
}
