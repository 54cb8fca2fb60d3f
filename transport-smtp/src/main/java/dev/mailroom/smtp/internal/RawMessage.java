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

    @Override
    public int getSize() {
        return message.sizeExact() && message.size() <= Integer.MAX_VALUE ? (int) message.size() : -1;
    }
}
