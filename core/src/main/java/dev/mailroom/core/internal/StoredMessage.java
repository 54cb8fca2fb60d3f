package dev.mailroom.core.internal;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeMessage;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;

/**
 * A message read back from the RFC 5322 bytes stored in the outbox, written out again byte for byte.
 *
 * <p>Jakarta Mail parses the header block with {@code StreamProvider.provider()}, which looks the provider
 * up with a {@code ServiceLoader} scan of the class path on every call (jakartaee/mail-api#699, #861): in
 * the outbox workers' profile that scan was the largest cost of reading a stored message. This class
 * reads the header lines itself, with the same result as {@code InternetHeaders.load} for the messages
 * Mailroom writes: the original order, continuation lines kept, bytes mapped 1:1 to characters (UTF-8
 * when the session allows UTF-8 headers), so that {@link #writeTo} reproduces the stored bytes. A message
 * from a {@link Spool} file leaves its body in the file (ADR 009).
 */
final class StoredMessage extends MimeMessage {

    StoredMessage(Session session, byte[] stored) throws MessagingException {
        super(session, new ByteArrayInputStream(stored));
    }

    /**
     * From a stream: a {@code SharedInputStream} (a spool file) keeps the body where it is and reads it again
     * whenever the message is written; any other stream is read into memory.
     */
    StoredMessage(Session session, InputStream stored) throws MessagingException {
        super(session, stored);
    }

    @Override
    protected InternetHeaders createInternetHeaders(InputStream in) throws MessagingException {
        Charset charset = session != null && "true".equalsIgnoreCase(session.getProperty("mail.mime.allowutf8"))
                ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1;
        Loaded loaded = new Loaded();
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        try {
            while (true) {
                line.reset();
                int b;
                while ((b = in.read()) >= 0 && b != '\n') {
                    line.write(b);
                }
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                if (length == 0) {
                    return loaded; // the blank line before the body, or the end of a message without one
                }
                loaded.addHeaderLine(new String(bytes, 0, length, charset));
                if (b < 0) {
                    return loaded;
                }
            }
        } catch (IOException e) {
            throw new MessagingException("cannot read the stored message's header", e);
        }
    }

    /** Header lines in their original order, without InternetHeaders' placeholder entries (as {@code load} gives). */
    private static final class Loaded extends InternetHeaders {
        Loaded() {
            headers = new ArrayList<>(40);
        }
    }
}
