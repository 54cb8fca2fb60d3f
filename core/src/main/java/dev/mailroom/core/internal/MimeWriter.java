package dev.mailroom.core.internal;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimePart;
import jakarta.mail.internet.MimeUtility;
import org.eclipse.angus.mail.util.BASE64EncoderStream;
import org.eclipse.angus.mail.util.QPEncoderStream;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Enumeration;
import java.util.Locale;

/**
 * Writes a message Mailroom composed, with the same output as {@code MimeMessage.writeTo}, but without
 * Jakarta Mail 2.1's per-call {@code StreamProvider.provider()} service lookup (jakartaee/mail-api
 * #861), which costs about a quarter of the CPU of sending a small message. Transfer encodings are
 * chosen at composition time ({@link #encodingFor(String)}), so nothing is scanned here either.
 */
final class MimeWriter {
    private static final byte[] CRLF = {'\r', '\n'};
    /** RFC 5322 2.1.1: a line is at most 998 octets, CRLF excluded. */
    static final int MAX_LINE = 998;
    /** Input bytes per RFC 2047 B-word: 45 bytes make 60 base64 characters, 72 with "=?UTF-8?B?" and "?=" (at most 75). */
    private static final int BYTES_PER_WORD = 45;

    private MimeWriter() {
    }

    /** Headers (minus {@code ignore}), a blank line, then the body, encoded as its Content-Transfer-Encoding says. */
    static void write(MimePart part, OutputStream os, String[] ignore, boolean utf8) throws IOException, MessagingException {
        Enumeration<String> headers = part.getNonMatchingHeaderLines(ignore);
        while (headers.hasMoreElements()) {
            line(os, headers.nextElement(), utf8);
        }
        os.write(CRLF);
        Object content = part.getDataHandler().getContent();
        if (content instanceof MimeMultipart mp) {
            String boundary = "--" + new ContentType(mp.getContentType()).getParameter("boundary");
            for (int i = 0; i < mp.getCount(); i++) {
                line(os, boundary, false);
                write((MimeBodyPart) mp.getBodyPart(i), os, null, utf8);
                os.write(CRLF);
            }
            line(os, boundary + "--", false);
            return;
        }
        String encoding = part.getEncoding();
        // Text bodies skip the data handler: Angus' text handler writes through a stream that hands every byte on
        // one call at a time. Their bytes go out in one array, or through the encoder into an unsynchronized buffer.
        byte[] text = content instanceof String s && part.isMimeType("text/*") ? s.getBytes(charset(part)) : null;
        boolean plain = encoding == null || switch (encoding.toLowerCase(Locale.ROOT)) {
            case "7bit", "8bit", "binary" -> true;
            default -> false;
        };
        if (text != null && plain) {
            os.write(text);
            return;
        }
        OutputStream target = new Chunks(os);
        OutputStream encoded = plain ? target : switch (encoding.toLowerCase(Locale.ROOT)) {
            case "quoted-printable" -> new QPEncoderStream(target);
            case "base64" -> new BASE64EncoderStream(target);
            default -> MimeUtility.encode(target, encoding);
        };
        if (text != null) {
            encoded.write(text);
        } else {
            part.getDataHandler().writeTo(encoded);
        }
        encoded.close(); // ends the encoding (padding, pending spaces) and flushes; the target stays open
    }

    /** The Java charset of a text part's {@code charset} parameter; US-ASCII when it has none (RFC 2046). */
    private static java.nio.charset.Charset charset(MimePart part) throws MessagingException {
        String name = new ContentType(part.getContentType()).getParameter("charset");
        return name == null ? StandardCharsets.US_ASCII : java.nio.charset.Charset.forName(MimeUtility.javaCharset(name));
    }

    /**
     * The transfer encoding for a text body: 7bit when it is ASCII with lines of at most 998 characters
     * and no stray CR, else quoted-printable.
     */
    static String encodingFor(String text) {
        int lineLength = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c > 127 || c == 0) {
                return "quoted-printable";
            }
            if (c == '\n') {
                lineLength = 0;
            } else if (c == '\r') {
                if (i + 1 >= text.length() || text.charAt(i + 1) != '\n') {
                    return "quoted-printable";
                }
            } else if (++lineLength > 998) {
                return "quoted-printable";
            }
        }
        return "7bit";
    }

    /**
     * An unstructured header value (Subject, extra headers) ready for {@code setHeader}: folded at white
     * space when it is ASCII and every word fits on a line; else encoded (RFC 2047) in words of at most
     * 75 characters on lines of their own, so that no line exceeds {@link #MAX_LINE} octets whatever the value.
     */
    static String unstructured(String name, String value) throws UnsupportedEncodingException {
        int used = name.length() + 2;
        if (printableAscii(value) && longestWord(value) + used < MAX_LINE) {
            return MimeUtility.fold(used, value);
        }
        if (!printableAscii(value)) {
            return MimeUtility.fold(used, MimeUtility.encodeText(value, "UTF-8", null));
        }
        // ASCII with a word too long for any line: MimeUtility leaves ASCII as it is, so encode it here
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        StringBuilder sb = new StringBuilder(bytes.length * 3 / 2);
        for (int i = 0; i < bytes.length; i += BYTES_PER_WORD) {
            byte[] chunk = java.util.Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + BYTES_PER_WORD));
            sb.append(i == 0 ? "" : "\r\n ").append("=?UTF-8?B?").append(Base64.getEncoder().encodeToString(chunk)).append("?=");
        }
        return sb.toString();
    }

    private static boolean printableAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > 126 || (c < 32 && c != '\t')) {
                return false;
            }
        }
        return true;
    }

    private static int longestWord(String s) {
        int longest = 0;
        int run = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            run = c == ' ' || c == '\t' ? 0 : run + 1;
            longest = Math.max(longest, run);
        }
        return longest;
    }

    /**
     * Refuses, before anything is sent, a header line (of the message or of any part) over {@link #MAX_LINE}
     * octets, which servers may cut or refuse.
     */
    static void checkHeaderLines(MimePart part, boolean utf8) throws MessagingException, IOException {
        Enumeration<String> headers = part.getAllHeaderLines();
        while (headers.hasMoreElements()) {
            String header = headers.nextElement();
            int octets = longestLine(header, utf8);
            if (octets > MAX_LINE) {
                String name = header.substring(0, Math.max(0, header.indexOf(':')));
                throw new MessagingException("the header " + name + " has a line of " + octets + " octets; RFC 5322 allows " + MAX_LINE);
            }
        }
        if (part.getDataHandler().getContent() instanceof MimeMultipart mp) {
            for (int i = 0; i < mp.getCount(); i++) {
                checkHeaderLines((MimeBodyPart) mp.getBodyPart(i), utf8);
            }
        }
    }

    private static int longestLine(String header, boolean utf8) {
        int longest = 0;
        for (String line : header.split("\r\n|\n")) {
            longest = Math.max(longest, utf8 ? line.getBytes(StandardCharsets.UTF_8).length : line.length());
        }
        return longest;
    }

    /** Header lines are ASCII, except in messages sent with SMTPUTF8, where they are UTF-8; none over 998 octets. */
    private static void line(OutputStream os, String s, boolean utf8) throws IOException {
        if (!utf8 && s.chars().anyMatch(c -> c > 127)) {
            // never raw UTF-8 to a server that was not asked for SMTPUTF8, and never a silently mangled header
            throw new IOException("a header line is not ASCII in a message without SMTPUTF8: " + s);
        }
        if (s.length() > MAX_LINE && longestLine(s, utf8) > MAX_LINE) {
            throw new IOException("a header line is longer than " + MAX_LINE + " octets (RFC 5322): "
                    + s.substring(0, Math.min(60, s.length())) + "...");
        }
        os.write(s.getBytes(utf8 ? StandardCharsets.UTF_8 : StandardCharsets.US_ASCII));
        os.write(CRLF);
    }

    /**
     * Collects the single-byte writes of the encoders (quoted-printable and base64 write one byte per call) into
     * arrays for the stream below, without the lock of {@code BufferedOutputStream}; closing flushes and leaves the
     * stream below open. One per part, one thread.
     */
    private static final class Chunks extends OutputStream {
        private final OutputStream out;
        private final byte[] buffer = new byte[8192];
        private int count;

        Chunks(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            if (count == buffer.length) {
                drain();
            }
            buffer[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len >= buffer.length) {
                drain();
                out.write(b, off, len);
                return;
            }
            if (len > buffer.length - count) {
                drain();
            }
            System.arraycopy(b, off, buffer, count, len);
            count += len;
        }

        private void drain() throws IOException {
            if (count > 0) {
                out.write(buffer, 0, count);
                count = 0;
            }
        }

        @Override
        public void flush() throws IOException {
            drain();
            out.flush();
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
