package dev.mailroom.core.internal;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimePart;
import jakarta.mail.internet.MimeUtility;
import org.eclipse.angus.mail.util.BASE64EncoderStream;
import org.eclipse.angus.mail.util.QPEncoderStream;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
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
        OutputStream target = new NonClosing(os);
        OutputStream encoded = encoding == null ? target : switch (encoding.toLowerCase(Locale.ROOT)) {
            case "7bit", "8bit", "binary" -> target;
            case "quoted-printable" -> new QPEncoderStream(target);
            case "base64" -> new BASE64EncoderStream(target);
            default -> MimeUtility.encode(target, encoding);
        };
        part.getDataHandler().writeTo(encoded);
        encoded.close(); // ends the encoding (padding, pending spaces); the target stays open
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

    /** Header lines are ASCII, except in messages sent with SMTPUTF8 (B4), where they are UTF-8. */
    private static void line(OutputStream os, String s, boolean utf8) throws IOException {
        if (!utf8 && s.chars().anyMatch(c -> c > 127)) {
            // never raw UTF-8 to a server that was not asked for SMTPUTF8, and never a silently mangled header
            throw new IOException("a header line is not ASCII in a message without SMTPUTF8: " + s);
        }
        os.write(s.getBytes(utf8 ? StandardCharsets.UTF_8 : StandardCharsets.US_ASCII));
        os.write(CRLF);
    }

    private static final class NonClosing extends FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
