package dev.mailroom.smtp.internal;

import dev.mailroom.spi.OutgoingMessage;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

import java.io.IOException;
import java.io.OutputStream;

/**
 * An {@link OutgoingMessage}'s bytes in the shape Angus sends and appends: a {@code MimeMessage} that is
 * never parsed and whose {@link #writeTo} copies the bytes as they are. Angus still does what it does to
 * every message on the wire (CRLF line ends, dot-stuffing, the final "."); the envelope comes from the
 * session ({@code mail.smtp.from}) and the recipient list, never from headers, so there are none to read
 * (ADR 014). A large queued message is streamed from its spool file each time it is written.
 */
final class RawMessage extends MimeMessage {
    private final OutgoingMessage message;

    RawMessage(OutgoingMessage message) {
        super((Session) null); // no session: nothing here reads a property
        this.message = message;
        this.saved = true; // nothing to update: the bytes are final
    }

    @Override
    public void writeTo(OutputStream os, String[] ignoreList) throws IOException {
        message.writeTo(os); // the bytes carry no Bcc header; nothing else is left out
    }

    @Override
    public void writeTo(OutputStream os) throws IOException {
        message.writeTo(os);
    }

    @Override
    public void saveChanges() {
        // the bytes are final
    }

    @Override
    public String getMessageID() {
        return message.messageId();
    }

    @Override
    public String getSubject() {
        return null; // Angus asks only to announce the send; the header is in the bytes
    }

    /**
     * The Date header of the bytes: IMAP APPEND takes it as the Sent copy's internal date, so that a mail
     * sent late from the outbox is filed under the time it was written, as before the byte-based seam.
     */
    @Override
    public java.util.Date getSentDate() {
        if (sentDate == null) {
            sentDate = java.util.Optional.ofNullable(dateHeader(message));
        }
        return sentDate.orElse(null);
    }

    private java.util.Optional<java.util.Date> sentDate;

    /** Reads the header block only (writing stops at the blank line) and parses its Date header; null if none. */
    static java.util.Date dateHeader(OutgoingMessage message) {
        HeaderBlock headers = new HeaderBlock();
        try {
            message.writeTo(headers);
        } catch (IOException done) {
            // the header block is read (or the bytes ended)
        }
        String folded = null;
        for (String line : headers.text().split("\r\n")) {
            if (folded != null && (line.startsWith(" ") || line.startsWith("\t"))) {
                folded += line;
            } else if (folded != null) {
                break;
            } else if (line.regionMatches(true, 0, "Date:", 0, 5)) {
                folded = line.substring(5);
            }
        }
        if (folded == null) {
            return null;
        }
        try {
            return new jakarta.mail.internet.MailDateFormat().parse(folded.trim());
        } catch (java.text.ParseException e) {
            return null;
        }
    }

    /** Collects bytes up to the end of the header block, then stops the writer; at most 64 KiB. */
    private static final class HeaderBlock extends OutputStream {
        private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        private int state; // matched characters of CRLF CRLF

        static final class Done extends IOException {
            private static final long serialVersionUID = 1L;

            Done() {
                super("end of the header block", null);
            }
        }

        @Override
        public void write(int b) throws IOException {
            bytes.write(b);
            state = b == (state % 2 == 0 ? '\r' : '\n') ? state + 1 : b == '\r' ? 1 : 0;
            if (state == 4 || bytes.size() >= 64 * 1024) {
                throw new Done();
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            for (int i = off; i < off + len; i++) {
                write(b[i]);
            }
        }

        String text() {
            return bytes.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }

    @Override
    public int getSize() {
        return message.sizeExact() && message.size() <= Integer.MAX_VALUE ? (int) message.size() : -1;
    }
}
