package dev.mailroom.core.internal;

import dev.mailroom.EmailAddress;
import dev.mailroom.spi.OutgoingMessage;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * A freshly rendered message: the envelope and the MIME tree the renderer built. Transports never see
 * it: {@link #outgoing()} hands them its bytes, written straight from the parts (attachments streamed from
 * their sources) whenever the transport writes the message, with no copy in between.
 *
 * @param messageId the Message-ID header value, including angle brackets
 * @param envelopeFrom the envelope sender (IDNA applied unless SMTPUTF8)
 * @param recipients the envelope recipients, Bcc included
 * @param mime the MIME message; not to be modified
 * @param smtpUtf8 whether the message carries raw UTF-8 addresses
 * @param sizeEstimate an upper estimate of the size on the wire, or -1 when unknown
 */
public record RenderedMessage(String messageId, EmailAddress envelopeFrom, List<EmailAddress> recipients, MimeMessage mime,
                              boolean smtpUtf8, long sizeEstimate) {

    /**
     * Writes the message in RFC 5322 form (no Bcc header: the renderer never writes one).
     *
     * @param out where to write; not closed
     * @throws IOException if writing fails
     */
    public void writeTo(OutputStream out) throws IOException {
        try {
            mime.writeTo(out);
        } catch (MessagingException e) {
            throw new IOException("cannot write message " + messageId + ": " + e.getMessage(), e);
        }
    }

    /** @return the message for a transport: all-or-nothing delivery, Sent copy as the account says */
    public OutgoingMessage outgoing() {
        return OutgoingMessage.builder(messageId, envelopeFrom, recipients).smtpUtf8(smtpUtf8).sizeEstimate(sizeEstimate)
                .content(this::writeTo).build();
    }
}
