package dev.mailroom;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An email to send: addresses, subject, text and/or HTML body, attachments and extra headers.
 * Immutable; build with {@link #builder()}.
 *
 * <p>The From address is optional: without it the resolved account's sender is used. With it, the
 * message goes out through the account that owns that address.
 *
 * <p>{@link Builder#build()} refuses, with {@link MailErrorCode#INVALID_EMAIL} naming the field, what
 * can never be sent safely: no recipient, CR/LF/NUL in the subject or a header (header injection),
 * malformed addresses, reserved or malformed header names.
 *
 * <pre>{@code
 * Email invoice = Email.builder()
 *     .to("kunde@example.com")
 *     .subject("Rechnung 4711")
 *     .text("Guten Tag, …")
 *     .attach(Attachment.of(pdf, "application/pdf"))
 *     .build();
 * }</pre>
 */
public final class Email {
    /**
     * The longest subject an email can have, in characters as a reader counts them (code points); it is
     * folded or encoded so that no header line exceeds RFC 5322's 998 octets. A {@code Mailroom} sends at
     * most its own, lower limit (255 unless configured), since Outlook and Exchange cut longer subjects.
     */
    public static final int MAX_SUBJECT_LENGTH = 998;

    private static final Set<String> RESERVED_HEADERS = Set.of("from", "to", "cc", "bcc", "reply-to", "subject",
            "sender", "date", "message-id", "mime-version", "content-type", "content-transfer-encoding");

    private final EmailAddress from;
    private final List<EmailAddress> to;
    private final List<EmailAddress> cc;
    private final List<EmailAddress> bcc;
    private final List<EmailAddress> replyTo;
    private final String subject;
    private final String text;
    private final String html;
    private final List<Attachment> attachments;
    private final Map<String, String> headers;
    private final boolean signature;
    private final String messageId;

    private Email(Builder b) {
        this.from = b.from;
        this.to = List.copyOf(b.to);
        this.cc = List.copyOf(b.cc);
        this.bcc = List.copyOf(b.bcc);
        this.replyTo = List.copyOf(b.replyTo);
        this.subject = b.subject == null ? "" : b.subject;
        this.text = b.text;
        this.html = b.html;
        this.attachments = List.copyOf(b.attachments);
        this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(b.headers));
        this.signature = b.signature;
        this.messageId = b.messageId;
    }

    /**
     * A new builder.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder with this email's values.
     *
     * @return the builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.from = from;
        b.to.addAll(to);
        b.cc.addAll(cc);
        b.bcc.addAll(bcc);
        b.replyTo.addAll(replyTo);
        b.subject = subject;
        b.text = text;
        b.html = html;
        b.attachments.addAll(attachments);
        b.headers.putAll(headers);
        b.signature = signature;
        b.messageId = messageId;
        return b;
    }

    /**
     * @return the requested From address; empty means the account's sender
     */
    public Optional<EmailAddress> from() { return Optional.ofNullable(from); }
    /**
     * @return the To recipients
     */
    public List<EmailAddress> to() { return to; }
    /**
     * @return the Cc recipients
     */
    public List<EmailAddress> cc() { return cc; }
    /**
     * @return the Bcc recipients (never written into the message)
     */
    public List<EmailAddress> bcc() { return bcc; }
    /**
     * @return the Reply-To addresses
     */
    public List<EmailAddress> replyTo() { return replyTo; }
    /**
     * @return the subject, possibly empty
     */
    public String subject() { return subject; }
    /**
     * @return the plain-text body
     */
    public Optional<String> text() { return Optional.ofNullable(text); }
    /**
     * @return the HTML body
     */
    public Optional<String> html() { return Optional.ofNullable(html); }
    /**
     * @return the attachments
     */
    public List<Attachment> attachments() { return attachments; }
    /**
     * @return the extra headers, in insertion order
     */
    public Map<String, String> headers() { return headers; }

    /**
     * The Message-ID fixed by the caller, e.g. to resend a message under the same id.
     *
     * @return the id with angle brackets; empty means Mailroom generates one per send
     */
    public Optional<String> messageId() {
        return Optional.ofNullable(messageId);
    }

    /**
     * Whether the signature is appended.
     *
     * @return true unless {@link Builder#noSignature()} was called
     */
    public boolean signature() {
        return signature;
    }

    /**
     * All envelope recipients: To, Cc and Bcc, in that order.
     *
     * @return the recipients
     */
    public List<EmailAddress> recipients() {
        List<EmailAddress> all = new ArrayList<>(to.size() + cc.size() + bcc.size());
        all.addAll(to);
        all.addAll(cc);
        all.addAll(bcc);
        return all;
    }

    @Override
    public String toString() {
        return "Email[to=" + to + (cc.isEmpty() ? "" : " cc=" + cc) + (bcc.isEmpty() ? "" : " bcc=" + bcc.size())
                + " subject='" + subject + "'" + (attachments.isEmpty() ? "" : " attachments=" + attachments.size()) + "]";
    }

    /** Builds an {@link Email}. Not thread-safe. */
    public static final class Builder {
        private EmailAddress from;
        private final List<EmailAddress> to = new ArrayList<>();
        private final List<EmailAddress> cc = new ArrayList<>();
        private final List<EmailAddress> bcc = new ArrayList<>();
        private final List<EmailAddress> replyTo = new ArrayList<>();
        private String subject;
        private String text;
        private String html;
        private final List<Attachment> attachments = new ArrayList<>();
        private final Map<String, String> headers = new LinkedHashMap<>();
        private final List<String> problems = new ArrayList<>();
        private boolean signature = true;
        private String messageId;

        private Builder() {
        }

        /**
         * Fixes the Message-ID, so that sending the same email again carries the same id (the key by
         * which recipients and later Mailroom itself recognise duplicates).
         *
         * @param messageId {@code <unique@domain>}
         * @return this
         */
        public Builder messageId(String messageId) {
            Objects.requireNonNull(messageId, "messageId");
            if (!messageId.matches("<[\\x21-\\x3B\\x3D\\x3F-\\x7E]{1,200}@[A-Za-z0-9.-]{1,200}>")) {
                problems.add("messageId: '" + messageId.replace("\r", "\\r").replace("\n", "\\n")
                        + "' is not of the form <unique@domain> (printable ASCII, no spaces)");
            } else {
                this.messageId = messageId;
            }
            return this;
        }

        /**
         * Sends this email without the automatic signature, e.g. for system mails.
         *
         * @return this
         */
        public Builder noSignature() {
            this.signature = false;
            return this;
        }

        /**
         * @param from the From address ({@code a@b} or {@code Name <a@b>})
         * @return this
         */
        public Builder from(String from) { this.from = parse("from", from); return this; }
        /**
         * @param from the From address
         * @return this
         */
        public Builder from(EmailAddress from) { this.from = Objects.requireNonNull(from, "from"); return this; }
        /**
         * @param addresses To recipients
         * @return this
         */
        public Builder to(String... addresses) { add("to", this.to, addresses); return this; }
        /**
         * @param address a To recipient
         * @return this
         */
        public Builder to(EmailAddress address) { this.to.add(Objects.requireNonNull(address, "to")); return this; }
        /**
         * @param addresses Cc recipients
         * @return this
         */
        public Builder cc(String... addresses) { add("cc", this.cc, addresses); return this; }
        /**
         * @param addresses Bcc recipients
         * @return this
         */
        public Builder bcc(String... addresses) { add("bcc", this.bcc, addresses); return this; }
        /**
         * @param addresses Reply-To addresses
         * @return this
         */
        public Builder replyTo(String... addresses) { add("replyTo", this.replyTo, addresses); return this; }
        /**
         * @param subject the subject; no line breaks, at most {@link #MAX_SUBJECT_LENGTH} characters
         * @return this
         */
        public Builder subject(String subject) { this.subject = Objects.requireNonNull(subject, "subject"); return this; }
        /**
         * @param text the plain-text body
         * @return this
         */
        public Builder text(String text) { this.text = Objects.requireNonNull(text, "text"); return this; }
        /**
         * @param html the HTML body
         * @return this
         */
        public Builder html(String html) { this.html = Objects.requireNonNull(html, "html"); return this; }
        /**
         * @param attachment an attachment
         * @return this
         */
        public Builder attach(Attachment attachment) { this.attachments.add(Objects.requireNonNull(attachment, "attachment")); return this; }

        /**
         * Adds an extra header, e.g. {@code X-Ticket: 4711}.
         *
         * @param name the header name; letters, digits and '-'; not one Mailroom sets itself
         * @param value the value; no CR, LF or NUL
         * @return this
         */
        public Builder header(String name, String value) {
            Objects.requireNonNull(name, "header name");
            Objects.requireNonNull(value, "header value");
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9-]{0,75}")) {
                problems.add("header name '" + name.replace("\r", "\\r").replace("\n", "\\n") + "' is not a valid header name (letters, digits, '-')");
            } else if (RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                problems.add("header " + name + " is set by Mailroom; use the builder's own method");
            } else if (hasLineBreak(value)) {
                problems.add("header " + name + " contains CR, LF or NUL (header injection)");
            } else {
                headers.put(name, value);
            }
            return this;
        }

        /**
         * Validates and builds.
         *
         * @return the email
         * @throws MailException with {@link MailErrorCode#INVALID_EMAIL} listing every problem
         */
        public Email build() {
            List<String> all = new ArrayList<>(problems);
            if (to.isEmpty() && cc.isEmpty() && bcc.isEmpty()) {
                all.add("to: at least one recipient (to, cc or bcc) is required");
            }
            if (subject != null && hasLineBreak(subject)) {
                all.add("subject: contains CR, LF or NUL (header injection)");
            }
            if (subject != null && subject.codePointCount(0, subject.length()) > MAX_SUBJECT_LENGTH) {
                all.add("subject: longer than " + MAX_SUBJECT_LENGTH + " characters (" + subject.codePointCount(0, subject.length()) + ")");
            }
            if (text == null && html == null && attachments.isEmpty()) {
                all.add("text: a text or HTML body or an attachment is required");
            }
            if (!all.isEmpty()) {
                throw new MailException(MailErrorCode.INVALID_EMAIL, "invalid email: " + String.join("; ", all));
            }
            return new Email(this);
        }

        private void add(String field, List<EmailAddress> list, String... addresses) {
            Objects.requireNonNull(addresses, field);
            for (String a : addresses) {
                EmailAddress parsed = parse(field, a);
                if (parsed != null) {
                    list.add(parsed);
                }
            }
        }

        private EmailAddress parse(String field, String address) {
            Objects.requireNonNull(address, field);
            try {
                return EmailAddress.parse(address);
            } catch (MailException e) {
                problems.add(field + ": " + e.getMessage());
                return null;
            }
        }

        private static boolean hasLineBreak(String s) {
            return s.indexOf('\r') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\0') >= 0;
        }
    }
}
