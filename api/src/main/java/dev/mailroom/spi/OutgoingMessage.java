package dev.mailroom.spi;

import dev.mailroom.EmailAddress;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Objects;

/**
 * A message ready for a transport: the envelope and the message's RFC 5322 bytes. Mailroom builds it;
 * transports send the bytes as they are and take the envelope from {@link #envelopeFrom()} and
 * {@link #recipients()}, never from the headers (Bcc recipients are only in the envelope).
 *
 * <p>The bytes come from a {@link Content} that writes them on demand: a freshly rendered message is
 * written straight from its parts, a queued one from the stored bytes, so no copy is made for the
 * transport. A transport may write the content more than once (for example SMTP and then the copy to the
 * Sent folder); each call writes the same bytes. Immutable and thread-safe as far as its content is.
 *
 * <pre>{@code
 * OutgoingMessage m = OutgoingMessage.builder("<1@acme.test>", EmailAddress.of("app@acme.test"),
 *         List.of(EmailAddress.of("max@example.test")))
 *     .content(bytes)
 *     .build();
 * }</pre>
 */
public final class OutgoingMessage {
    private final String messageId;
    private final EmailAddress envelopeFrom;
    private final List<EmailAddress> recipients;
    private final boolean smtpUtf8;
    private final long size;
    private final boolean sizeExact;
    private final boolean partialDelivery;
    private final boolean copyToSent;
    private final Content content;

    /** Writes a message's RFC 5322 bytes. */
    @FunctionalInterface
    public interface Content {
        /**
         * Writes the whole message (header block, blank line, body) with CRLF line ends and without a
         * Bcc header. May be called more than once and writes the same bytes each time.
         *
         * @param out where to write; not closed
         * @throws IOException if the bytes cannot be read or written
         */
        void writeTo(OutputStream out) throws IOException;
    }

    private OutgoingMessage(Builder b) {
        this.messageId = b.messageId;
        this.envelopeFrom = b.envelopeFrom;
        this.recipients = b.recipients;
        this.smtpUtf8 = b.smtpUtf8;
        this.size = b.size;
        this.sizeExact = b.sizeExact;
        this.partialDelivery = b.partialDelivery;
        this.copyToSent = b.copyToSent;
        this.content = Objects.requireNonNull(b.content, "content");
    }

    /**
     * Starts a message.
     *
     * @param messageId the Message-ID header value, including angle brackets
     * @param envelopeFrom the envelope sender (SMTP MAIL FROM)
     * @param recipients the envelope recipients, at least one
     * @return the builder
     * @throws IllegalArgumentException if the Message-ID is not {@code <...>} with visible ASCII inside, or
     *     there is no recipient
     */
    public static Builder builder(String messageId, EmailAddress envelopeFrom, List<EmailAddress> recipients) {
        return new Builder(messageId, envelopeFrom, recipients);
    }

    /** @return a builder holding this message's values, to derive a changed copy */
    public Builder toBuilder() {
        Builder b = new Builder(messageId, envelopeFrom, recipients);
        b.smtpUtf8 = smtpUtf8;
        b.size = size;
        b.sizeExact = sizeExact;
        b.partialDelivery = partialDelivery;
        b.copyToSent = copyToSent;
        b.content = content;
        return b;
    }

    /** @return the Message-ID header value, including angle brackets */
    public String messageId() { return messageId; }

    /** @return the envelope sender (SMTP MAIL FROM) */
    public EmailAddress envelopeFrom() { return envelopeFrom; }

    /** @return the envelope recipients, at least one, Bcc included */
    public List<EmailAddress> recipients() { return recipients; }

    /**
     * @return whether the message carries raw UTF-8 addresses: the transport must use SMTPUTF8 (or its
     *         protocol's equivalent), and must fail with {@link dev.mailroom.MailErrorCode#SMTPUTF8_NOT_SUPPORTED}
     *         before anything is handed over when the server does not offer it
     */
    public boolean smtpUtf8() { return smtpUtf8; }

    /**
     * @return the size in bytes ({@link #sizeExact()} tells whether it is exact or an upper estimate), or -1
     *         when unknown (an attachment from a stream of unknown length)
     */
    public long size() { return size; }

    /** @return whether {@link #size()} is the exact number of bytes {@link #writeTo} writes */
    public boolean sizeExact() { return sizeExact; }

    /**
     * @return whether the message may go to the recipients the server accepts while others are refused
     *         ({@link SendResult#refused()}); when false (direct sends) one refused recipient fails the whole
     *         message before it is handed over
     */
    public boolean partialDelivery() { return partialDelivery; }

    /**
     * @return whether the transport stores the Sent-folder copy when the account asks for one; false when
     *         an earlier attempt delivered the message to some recipients and made the copy then
     */
    public boolean copyToSent() { return copyToSent; }

    /** @return what writes the bytes */
    public Content content() { return content; }

    /**
     * Writes the message's RFC 5322 bytes.
     *
     * @param out where to write; not closed
     * @throws IOException if writing fails
     */
    public void writeTo(OutputStream out) throws IOException {
        content.writeTo(Objects.requireNonNull(out, "out"));
    }

    @Override
    public String toString() {
        return "OutgoingMessage[" + messageId + ", from " + envelopeFrom + " to " + recipients.size() + " recipient(s), "
                + (size < 0 ? "size unknown" : (sizeExact ? "" : "about ") + size + " bytes") + (smtpUtf8 ? ", SMTPUTF8" : "")
                + (partialDelivery ? ", partial delivery" : "") + (copyToSent ? "" : ", no Sent copy") + "]";
    }

    /** Builds an {@link OutgoingMessage}. Defaults: no SMTPUTF8, size unknown, all-or-nothing delivery, Sent copy as the account says. */
    public static final class Builder {
        private final String messageId;
        private final EmailAddress envelopeFrom;
        private final List<EmailAddress> recipients;
        private boolean smtpUtf8;
        private long size = -1;
        private boolean sizeExact;
        private boolean partialDelivery;
        private boolean copyToSent = true;
        private Content content;

        private Builder(String messageId, EmailAddress envelopeFrom, List<EmailAddress> recipients) {
            this.messageId = checkMessageId(messageId);
            this.envelopeFrom = Objects.requireNonNull(envelopeFrom, "envelopeFrom");
            this.recipients = List.copyOf(recipients);
            if (this.recipients.isEmpty()) {
                throw new IllegalArgumentException("a message needs at least one recipient");
            }
        }

        /** A Message-ID is {@code <...>} with visible ASCII inside: no blank, no line break that could start a header. */
        private static String checkMessageId(String id) {
            Objects.requireNonNull(id, "messageId");
            boolean ok = id.length() > 2 && id.charAt(0) == '<' && id.charAt(id.length() - 1) == '>';
            for (int i = 1; ok && i < id.length() - 1; i++) {
                char c = id.charAt(i);
                ok = c > ' ' && c < 0x7f && c != '<' && c != '>';
            }
            if (!ok) {
                throw new IllegalArgumentException("messageId must be <local@domain> with visible ASCII and nothing around it, was \""
                        + id.replaceAll("[\\r\\n]", "?") + "\"");
            }
            return id;
        }

        /**
         * @param value whether the message needs SMTPUTF8 (see {@link OutgoingMessage#smtpUtf8()})
         * @return this builder
         */
        public Builder smtpUtf8(boolean value) {
            this.smtpUtf8 = value;
            return this;
        }

        /**
         * An upper estimate of the size, or -1 when unknown.
         *
         * @param bytes the estimate
         * @return this builder
         */
        public Builder sizeEstimate(long bytes) {
            this.size = Math.max(-1, bytes);
            this.sizeExact = false;
            return this;
        }

        /**
         * The exact size, as written by the content.
         *
         * @param bytes the size, not negative
         * @return this builder
         */
        public Builder exactSize(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("size must not be negative, was " + bytes);
            }
            this.size = bytes;
            this.sizeExact = true;
            return this;
        }

        /**
         * @param value see {@link OutgoingMessage#partialDelivery()}
         * @return this builder
         */
        public Builder partialDelivery(boolean value) {
            this.partialDelivery = value;
            return this;
        }

        /**
         * @param value see {@link OutgoingMessage#copyToSent()}
         * @return this builder
         */
        public Builder copyToSent(boolean value) {
            this.copyToSent = value;
            return this;
        }

        /**
         * @param value what writes the bytes
         * @return this builder
         */
        public Builder content(Content value) {
            this.content = Objects.requireNonNull(value, "content");
            return this;
        }

        /**
         * The bytes of the message, with their exact size. The array is copied: changing it afterwards
         * does not change the message.
         *
         * @param bytes the RFC 5322 message
         * @return this builder
         */
        public Builder content(byte[] bytes) {
            byte[] copy = Objects.requireNonNull(bytes, "bytes").clone();
            this.content = out -> out.write(copy);
            return exactSize(copy.length);
        }

        /**
         * @return the message
         * @throws NullPointerException if no content was given
         */
        public OutgoingMessage build() {
            return new OutgoingMessage(this);
        }
    }
}
