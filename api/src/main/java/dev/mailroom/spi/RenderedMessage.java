package dev.mailroom.spi;

import dev.mailroom.EmailAddress;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Objects;

/**
 * A message ready for a transport: the envelope (sender, recipients) and the MIME message. Core
 * renders it; transports send it as it is and must use {@link #envelopeFrom()} and
 * {@link #recipients()}, not the headers, for the envelope (Bcc is not in the headers).
 *
 * <p>The MIME message must not be modified by transports.
 *
 * @param messageId the Message-ID header value, including angle brackets
 * @param envelopeFrom the envelope sender (SMTP MAIL FROM)
 * @param recipients the envelope recipients, at least one
 * @param mime the MIME message
 * @param smtpUtf8 whether the message carries raw UTF-8 addresses (B4): the transport must use SMTPUTF8,
 *                 and must fail with {@link dev.mailroom.MailErrorCode#SMTPUTF8_NOT_SUPPORTED} before
 *                 MAIL FROM when the server does not offer it
 * @param sizeEstimate the estimated size on the wire in bytes (for the server's SIZE limit), or -1 when
 *                     unknown (an attachment from a stream of unknown length)
 * @param partialDelivery whether the message may go to the recipients the server accepts while others are
 *                        refused ({@link SendResult#refused()}); when false (direct sends) one refused
 *                        recipient fails the whole message before it is handed over
 * @param copyToSent whether the transport stores the Sent-folder copy (B6) when the account asks for one;
 *                   false when an earlier attempt delivered the message to some recipients and made the copy
 */
public record RenderedMessage(String messageId, EmailAddress envelopeFrom, List<EmailAddress> recipients, MimeMessage mime,
                              boolean smtpUtf8, long sizeEstimate, boolean partialDelivery, boolean copyToSent) {
    /**
     * Validates and copies.
     *
     * @param messageId see the record description
     * @param envelopeFrom see the record description
     * @param recipients see the record description
     * @param mime see the record description
     * @param smtpUtf8 see the record description
     * @param sizeEstimate see the record description
     * @param partialDelivery see the record description
     * @param copyToSent see the record description
     */
    public RenderedMessage {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(envelopeFrom, "envelopeFrom");
        recipients = List.copyOf(recipients);
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("a message needs at least one recipient");
        }
        Objects.requireNonNull(mime, "mime");
    }

    /**
     * A message whose Sent-folder copy (B6) follows the account's setting.
     *
     * @param messageId see the record description
     * @param envelopeFrom see the record description
     * @param recipients see the record description
     * @param mime see the record description
     * @param smtpUtf8 see the record description
     * @param sizeEstimate see the record description
     * @param partialDelivery see the record description
     */
    public RenderedMessage(String messageId, EmailAddress envelopeFrom, List<EmailAddress> recipients, MimeMessage mime,
                           boolean smtpUtf8, long sizeEstimate, boolean partialDelivery) {
        this(messageId, envelopeFrom, recipients, mime, smtpUtf8, sizeEstimate, partialDelivery, true);
    }

    /**
     * A message delivered to all recipients or none.
     *
     * @param messageId see the record description
     * @param envelopeFrom see the record description
     * @param recipients see the record description
     * @param mime see the record description
     * @param smtpUtf8 see the record description
     * @param sizeEstimate see the record description
     */
    public RenderedMessage(String messageId, EmailAddress envelopeFrom, List<EmailAddress> recipients, MimeMessage mime,
                           boolean smtpUtf8, long sizeEstimate) {
        this(messageId, envelopeFrom, recipients, mime, smtpUtf8, sizeEstimate, false);
    }

    /**
     * A message that needs no SMTPUTF8.
     *
     * @param messageId see the record description
     * @param envelopeFrom see the record description
     * @param recipients see the record description
     * @param mime see the record description
     */
    public RenderedMessage(String messageId, EmailAddress envelopeFrom, List<EmailAddress> recipients, MimeMessage mime) {
        this(messageId, envelopeFrom, recipients, mime, false, -1, false);
    }

    /**
     * Writes the message in RFC 5322 form, for transports that send raw bytes.
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
}
