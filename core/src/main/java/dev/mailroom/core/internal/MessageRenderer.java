package dev.mailroom.core.internal;

import dev.mailroom.Attachment;
import dev.mailroom.Email;
import dev.mailroom.EmailAddress;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import jakarta.activation.DataHandler;
import jakarta.activation.DataSource;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimePart;
import org.eclipse.angus.mail.smtp.SMTPMessage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UnsupportedEncodingException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * Turns an {@link Email} into MIME. The Message-ID is generated once here and never changed by Angus;
 * attachments are streamed from their source when the message is written.
 */
public final class MessageRenderer {
    private final Session session;
    private final Session utf8Session;
    private final Clock clock;

    public MessageRenderer(Clock clock) {
        Properties p = new Properties();
        // Never let Angus write raw UTF-8 headers: SMTPUTF8 is decided per message.
        p.setProperty("mail.mime.allowutf8", "false");
        this.session = Session.getInstance(p);
        Properties u = new Properties();
        u.setProperty("mail.mime.allowutf8", "true"); // only for messages that go out with SMTPUTF8
        this.utf8Session = Session.getInstance(u);
        this.clock = clock;
    }

    /** Renders an email as it is (no policy, no signature): for tests and tools. */
    public RenderedMessage render(Email email, EmailAddress sender, EmailAddress envelopeFrom) {
        return render(email, new Composer.Composition(sender, email.replyTo(), email.text().orElse(null),
                email.html().orElse(null), null, List.of()), envelopeFrom, false);
    }

    /**
     * Renders a composed email: From, Reply-To and bodies from the composition, the rest from the email.
     * A domain-only internationalized address goes out in punycode (IDNA); a non-ASCII local part
     * needs SMTPUTF8, which needs {@code utf8Allowed} (the account's "server supports UTF-8 headers").
     */
    public RenderedMessage render(Email email, Composer.Composition c, EmailAddress envelopeFrom, boolean utf8Allowed) {
        return render(email, c, envelopeFrom, utf8Allowed, true, null);
    }

    /**
     * Renders a composed email for a transport: raw UTF-8 addresses need both the account's flag "server
     * supports UTF-8 headers" and a transport that carries them; a refusal names which of the two is missing.
     *
     * @param email the email
     * @param c the composition
     * @param envelopeFrom the envelope sender
     * @param accountUtf8 whether the account is flagged "server supports UTF-8 headers"
     * @param transportUtf8 whether the transport carries raw UTF-8 addresses
     * @param transportId the transport's id, for the message; may be {@code null}
     * @return the rendered message
     */
    public RenderedMessage render(Email email, Composer.Composition c, EmailAddress envelopeFrom, boolean accountUtf8,
                                  boolean transportUtf8, String transportId) {
        List<String> utf8 = new ArrayList<>();
        for (EmailAddress a : all(email, c)) {
            if (a.localPart().chars().anyMatch(ch -> ch > 127)) {
                utf8.add(a.address());
            }
        }
        boolean smtpUtf8 = !utf8.isEmpty();
        if (smtpUtf8 && !accountUtf8) {
            throw new MailException(MailErrorCode.SMTPUTF8_NOT_SUPPORTED, "the addresses " + utf8 + " need SMTPUTF8 (B4), but the"
                    + " account is not flagged 'server supports UTF-8 headers'; nothing was sent");
        }
        if (smtpUtf8 && !transportUtf8) {
            // the account's flag is set: flagging it is not the fix, the transport is the cause
            throw new MailException(MailErrorCode.SMTPUTF8_NOT_SUPPORTED, "the addresses " + utf8 + " need SMTPUTF8 (B4); the account"
                    + " is flagged 'server supports UTF-8 headers', but transport '" + (transportId == null ? "?" : transportId)
                    + "' cannot carry raw UTF-8 addresses; nothing was sent", null,
                    "This account's transport cannot send internationalized addresses: use the recipient's ASCII address,"
                    + " or send through a transport that supports them (e.g. SMTP with a server that offers SMTPUTF8).", List.of(), null);
        }
        UnaryOperator<EmailAddress> wire = smtpUtf8 ? UnaryOperator.identity() : MessageRenderer::asciiDomain;
        EmailAddress sender = wire.apply(c.from());
        List<EmailAddress> replyTo = c.replyTo().stream().map(wire).toList();
        List<EmailAddress> to = email.to().stream().map(wire).toList();
        List<EmailAddress> cc = email.cc().stream().map(wire).toList();
        List<EmailAddress> recipients = email.recipients().stream().map(wire).toList();
        EmailAddress envelope = wire.apply(envelopeFrom);
        String messageId = email.messageId().orElseGet(() -> "<" + UUID.randomUUID() + "@" + sender.domain() + ">");
        try {
            FixedIdMessage m = new FixedIdMessage(smtpUtf8 ? utf8Session : session, messageId, smtpUtf8);
            m.setEnvelopeFrom(envelope.address());
            m.setFrom(internet(sender));
            set(m, Message.RecipientType.TO, to);
            set(m, Message.RecipientType.CC, cc);
            if (!replyTo.isEmpty()) {
                m.setReplyTo(replyTo.stream().map(MessageRenderer::internet).toArray(InternetAddress[]::new));
            }
            m.setHeader("Subject", MimeWriter.unstructured("Subject", email.subject()));
            m.setSentDate(Date.from(clock.instant()));
            for (var h : email.headers().entrySet()) {
                m.setHeader(h.getKey(), MimeWriter.unstructured(h.getKey(), h.getValue()));
            }
            // each body is scanned once for its transfer encoding: the part's header and the size estimate share it
            Map<String, String> scanned = new IdentityHashMap<>(4);
            UnaryOperator<String> encodings = body -> scanned.computeIfAbsent(body, MimeWriter::encodingFor);
            body(m, email, c.text(), c.html(), encodings);
            m.saveChanges();
            MimeWriter.checkHeaderLines(m, smtpUtf8);
            return new RenderedMessage(messageId, envelope, recipients, m, smtpUtf8, estimateSize(email, c, encodings));
        } catch (MessagingException | IOException e) {
            throw new MailException(MailErrorCode.INVALID_EMAIL, "cannot compose the message: " + e.getMessage(), null, null, List.of(), e);
        }
    }

    /** A body: either a multipart or a single text of a subtype. */
    private record Content(MimeMultipart multipart, String text, String subtype) {
        void applyTo(MimePart part, UnaryOperator<String> encodings) throws MessagingException {
            if (multipart != null) {
                part.setContent(multipart);
            } else {
                MessageRenderer.text(part, text, subtype, encodings);
            }
        }
    }

    /**
     * mixed( alternative( text, related( html, inline images ) ), attachments ), each level only when needed.
     * Inline images without an HTML body are sent as ordinary attachments.
     */
    private static void body(SMTPMessage m, Email email, String textBody, String htmlBody, UnaryOperator<String> encodings)
            throws MessagingException {
        List<Attachment> inline = htmlBody == null ? List.of() : email.attachments().stream().filter(a -> a.contentId().isPresent()).toList();
        List<Attachment> regular = email.attachments().stream().filter(a -> !inline.contains(a)).toList();
        Content html = null;
        if (htmlBody != null) {
            if (inline.isEmpty()) {
                html = new Content(null, htmlBody, "html");
            } else {
                MimeMultipart related = new MimeMultipart("related");
                MimeBodyPart htmlPart = new MimeBodyPart();
                text(htmlPart, htmlBody, "html", encodings);
                related.addBodyPart(htmlPart);
                for (Attachment a : inline) {
                    related.addBodyPart(attachmentPart(a));
                }
                html = new Content(related, null, null);
            }
        }
        Content content;
        if (textBody != null && html != null) {
            MimeMultipart alt = new MimeMultipart("alternative");
            MimeBodyPart text = new MimeBodyPart();
            text(text, textBody, "plain", encodings);
            MimeBodyPart htmlPart = new MimeBodyPart();
            html.applyTo(htmlPart, encodings);
            alt.addBodyPart(text);
            alt.addBodyPart(htmlPart);
            content = new Content(alt, null, null);
        } else if (html != null) {
            content = html;
        } else {
            content = textBody == null && !regular.isEmpty() ? null : new Content(null, textBody == null ? "" : textBody, "plain");
        }
        if (regular.isEmpty()) {
            content.applyTo(m, encodings);
            return;
        }
        MimeMultipart mixed = new MimeMultipart("mixed");
        if (content != null) {
            MimeBodyPart part = new MimeBodyPart();
            content.applyTo(part, encodings);
            mixed.addBodyPart(part);
        }
        for (Attachment a : regular) {
            mixed.addBodyPart(attachmentPart(a));
        }
        m.setContent(mixed);
    }

    private static MimeBodyPart attachmentPart(Attachment a) throws MessagingException {
        MimeBodyPart part = new MimeBodyPart();
        part.setDataHandler(new DataHandler(new StreamingSource(a)));
        // RFC 2231 (filename*=UTF-8''...), split into sections when long: what every client decodes
        part.setFileName(a.fileName());
        if (a.contentId().isPresent()) {
            part.setDisposition(MimeBodyPart.INLINE);
            part.setContentID("<" + a.contentId().get() + ">");
        } else {
            part.setDisposition(MimeBodyPart.ATTACHMENT);
        }
        // base64 always: deciding otherwise would read the whole attachment once more before sending
        part.setHeader("Content-Transfer-Encoding", "base64");
        return part;
    }

    /** Sets a text body and its transfer encoding, so that saveChanges() need not scan the content. */
    private static void text(MimePart part, String text, String subtype, UnaryOperator<String> encodings) throws MessagingException {
        part.setText(text, "UTF-8", subtype);
        part.setHeader("Content-Transfer-Encoding", encodings.apply(text));
    }

    private static void set(SMTPMessage m, Message.RecipientType type, List<EmailAddress> list) throws MessagingException {
        if (!list.isEmpty()) {
            m.setRecipients(type, list.stream().map(MessageRenderer::internet).toArray(InternetAddress[]::new));
        }
    }

    private static List<EmailAddress> all(Email email, Composer.Composition c) {
        List<EmailAddress> all = new ArrayList<>(email.recipients());
        all.addAll(c.replyTo());
        all.add(c.from());
        return all;
    }

    /**
     * The size on the wire, estimated from what is known before writing: bodies (quoted-printable worst
     * case for non-ASCII) and attachments in base64 with line breaks, plus headers. -1 when an
     * attachment's length is unknown.
     */
    static long estimateSize(Email email, Composer.Composition c, UnaryOperator<String> encodings) {
        long size = 4096;
        for (String body : new String[] {c.text(), c.html()}) {
            if (body != null) {
                size += (long) body.length() * ("7bit".equals(encodings.apply(body)) ? 1 : 3);
            }
        }
        for (Attachment a : email.attachments()) {
            if (a.size().isEmpty()) {
                return -1;
            }
            long base64 = (a.size().getAsLong() + 2) / 3 * 4;
            size += base64 + base64 / 76 * 2 + 512;
        }
        return size;
    }

    /** IDNA: the domain in punycode, the local part as it is (ASCII here); the one encoding of envelope and headers. */
    static EmailAddress asciiDomain(EmailAddress a) {
        try {
            return a.withAsciiDomain();
        } catch (IllegalArgumentException e) {
            throw new MailException(MailErrorCode.INVALID_EMAIL, "the domain of " + a.address() + " is not a valid internationalized"
                    + " domain name: " + e.getMessage());
        }
    }

    static InternetAddress internet(EmailAddress a) {
        try {
            InternetAddress ia = new InternetAddress(a.address(), a.name(), "UTF-8");
            return ia;
        } catch (UnsupportedEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Keeps the Message-ID chosen at render time: Angus would generate a new one in saveChanges(). */
    private static final class FixedIdMessage extends SMTPMessage {
        private final String id;
        private final boolean utf8;

        FixedIdMessage(Session session, String id, boolean utf8) {
            super(session);
            this.id = id;
            this.utf8 = utf8;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", id);
        }

        @Override
        public void writeTo(java.io.OutputStream os, String[] ignoreList) throws IOException, MessagingException {
            if (!saved) {
                saveChanges();
            }
            MimeWriter.write(this, os, ignoreList, utf8);
        }
    }

    /** Opens the attachment's source on every read, so nothing is held in the heap. */
    private record StreamingSource(Attachment attachment) implements DataSource {
        @Override
        public InputStream getInputStream() throws IOException {
            return attachment.source().open();
        }

        @Override
        public OutputStream getOutputStream() throws IOException {
            throw new IOException("read-only");
        }

        @Override
        public String getContentType() {
            return attachment.contentType();
        }

        @Override
        public String getName() {
            return attachment.fileName();
        }
    }
}
