package dev.mailroom.testkit;

import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;

/**
 * A mail to put into a test mailbox, as a customer would send it, for tests of a host's inbound handling (see
 * {@link MailServerExtension#deliverTo}). Plain text, UTF-8; a Message-ID is generated unless set. Not thread-safe
 * while being built.
 *
 * <pre>{@code
 * String id = mail.deliverTo("support@acme.test", IncomingMail.from("kunde@example.test").subject("Drucker defekt").text("Hallo"));
 * mail.deliverTo("support@acme.test", IncomingMail.from("kunde@example.test").subject("Re: Drucker defekt").inReplyTo(id));
 * }</pre>
 */
public final class IncomingMail {
    private final String from;
    private String subject = "Test";
    private String text = "Hallo";
    private String messageId;
    private String date;
    private final List<String[]> headers = new ArrayList<>();

    private IncomingMail(String from) {
        this.from = Objects.requireNonNull(from, "from");
    }

    /**
     * Starts a mail.
     *
     * @param from the sender, e.g. {@code kunde@example.test} or {@code Kunde <kunde@example.test>}
     * @return the mail
     */
    public static IncomingMail from(String from) {
        return new IncomingMail(from);
    }

    /**
     * @param subject the subject; non-ASCII is encoded
     * @return this
     */
    public IncomingMail subject(String subject) {
        this.subject = Objects.requireNonNull(subject, "subject");
        return this;
    }

    /**
     * @param text the plain-text body
     * @return this
     */
    public IncomingMail text(String text) {
        this.text = Objects.requireNonNull(text, "text");
        return this;
    }

    /**
     * @param messageId the Message-ID with angle brackets
     * @return this
     */
    public IncomingMail messageId(String messageId) {
        this.messageId = Objects.requireNonNull(messageId, "messageId");
        return this;
    }

    /**
     * Makes the mail a reply: {@code In-Reply-To} and {@code References} name the Message-ID.
     *
     * @param messageId the Message-ID replied to, with angle brackets
     * @return this
     */
    public IncomingMail inReplyTo(String messageId) {
        Objects.requireNonNull(messageId, "messageId");
        return header("In-Reply-To", messageId).header("References", messageId);
    }

    /**
     * @param date the {@code Date} header (e.g. for an archive import that keeps original dates)
     * @return this
     */
    public IncomingMail date(ZonedDateTime date) {
        this.date = DateTimeFormatter.RFC_1123_DATE_TIME.format(Objects.requireNonNull(date, "date"));
        return this;
    }

    /**
     * Adds a header, e.g. {@code Auto-Submitted: auto-replied}.
     *
     * @param name the name
     * @param value the value, without line breaks
     * @return this
     */
    public IncomingMail header(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (value.contains("\r") || value.contains("\n")) {
            throw new IllegalArgumentException("header " + name + " must not contain line breaks");
        }
        headers.add(new String[] {name, value});
        return this;
    }

    String messageIdOrNew() {
        if (messageId == null) {
            messageId = "<" + UUID.randomUUID() + "@test.invalid>";
        }
        return messageId;
    }

    String render(String to) {
        StringBuilder sb = new StringBuilder();
        sb.append("From: ").append(from).append("\r\nTo: ").append(to).append("\r\nSubject: ").append(encoded(subject))
                .append("\r\nMessage-ID: ").append(messageIdOrNew()).append("\r\nDate: ")
                .append(date != null ? date : DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now())).append("\r\n");
        for (String[] h : headers) {
            sb.append(h[0]).append(": ").append(h[1]).append("\r\n");
        }
        sb.append("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n")
                .append(Base64.getMimeEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8))).append("\r\n");
        return sb.toString();
    }

    private static String encoded(String s) {
        if (s.chars().allMatch(c -> c >= 0x20 && c < 0x7F)) {
            return s;
        }
        return "=?UTF-8?B?" + Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8)) + "?=";
    }

    @Override
    public String toString() {
        return "IncomingMail[from=" + from + ", subject=" + subject.toLowerCase(Locale.ROOT) + "]";
    }
}
