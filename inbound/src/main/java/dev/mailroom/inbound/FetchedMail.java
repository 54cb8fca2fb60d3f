package dev.mailroom.inbound;

import dev.mailroom.spi.InboundKey;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A mail fetched from the server and handed to the {@link InboundHandler}: the parsed headers, the text and HTML
 * bodies, the attachments and the raw message as the server sent it. A mail larger than the size limit carries
 * its header block only and is flagged {@linkplain #truncated() truncated}. Immutable.
 */
public final class FetchedMail {
    private final InboundKey key;
    private final String contentKey;
    private final Map<String, List<String>> headers;
    private final String subject;
    private final String from;
    private final List<String> to;
    private final List<String> cc;
    private final Instant sentAt;
    private final String text;
    private final String html;
    private final List<FetchedAttachment> attachments;
    private final byte[] raw;
    private final long serverSize;
    private final boolean truncated;
    private final Routing routing;

    FetchedMail(InboundKey key, String contentKey, Map<String, List<String>> headers, String subject, String from, List<String> to,
                List<String> cc, Instant sentAt, String text, String html, List<FetchedAttachment> attachments, byte[] raw, long serverSize,
                boolean truncated) {
        this.key = Objects.requireNonNull(key, "key");
        this.contentKey = Objects.requireNonNull(contentKey, "contentKey");
        this.headers = Map.copyOf(headers);
        this.subject = subject;
        this.from = from;
        this.to = List.copyOf(to);
        this.cc = List.copyOf(cc);
        this.sentAt = sentAt;
        this.text = text;
        this.html = html;
        this.attachments = List.copyOf(attachments);
        this.raw = Objects.requireNonNull(raw, "raw");
        this.serverSize = serverSize;
        this.truncated = truncated;
        this.routing = null;
    }

    private FetchedMail(FetchedMail m, Routing routing) {
        this.key = m.key;
        this.contentKey = m.contentKey;
        this.headers = m.headers;
        this.subject = m.subject;
        this.from = m.from;
        this.to = m.to;
        this.cc = m.cc;
        this.sentAt = m.sentAt;
        this.text = m.text;
        this.html = m.html;
        this.attachments = m.attachments;
        this.raw = m.raw;
        this.serverSize = m.serverSize;
        this.truncated = m.truncated;
        this.routing = Objects.requireNonNull(routing, "routing");
    }

    FetchedMail withRouting(Routing routing) {
        return new FetchedMail(this, routing);
    }

    /**
     * Mailroom's routing decision: new ticket, follow-up or bundled, the incoming mailbox address, what to do with an
     * unknown sender and the mailbox's defaults.
     *
     * @return the decision
     * @throws IllegalStateException if called on a mail that was not routed (never for a mail handed to the handler)
     */
    public Routing routing() {
        if (routing == null) {
            throw new IllegalStateException("this mail was not routed yet");
        }
        return routing;
    }

    /** @return where the mail sits on the server (account, folder, UIDVALIDITY, UID or UIDL) */
    public InboundKey key() {
        return key;
    }

    /**
     * The mail's content key: the same for the same mail in another folder or after the server renumbered the folder.
     * Use it as the idempotency key of the ticket step.
     *
     * @return the content key
     */
    public String contentKey() {
        return contentKey;
    }

    /**
     * Reads a header's values, unfolded, not decoded (RFC 2047 words stay encoded).
     *
     * @param name the header name, any case
     * @return the values in order, empty if the header is absent
     */
    public List<String> header(String name) {
        return headers.getOrDefault(Objects.requireNonNull(name, "name").toLowerCase(Locale.ROOT), List.of());
    }

    /** @return the {@code Message-ID} header, if present */
    public Optional<String> messageId() {
        return header("Message-ID").stream().findFirst().map(String::strip);
    }

    /** @return the decoded subject, empty if there is none */
    public String subject() {
        return subject == null ? "" : subject;
    }

    /** @return the first {@code From} address, if it parses */
    public Optional<String> from() {
        return Optional.ofNullable(from);
    }

    /** @return the {@code To} addresses that parse */
    public List<String> to() {
        return to;
    }

    /** @return the {@code Cc} addresses that parse */
    public List<String> cc() {
        return cc;
    }

    /** @return the {@code Date} header, if it parses */
    public Optional<Instant> sentAt() {
        return Optional.ofNullable(sentAt);
    }

    /** @return the plain-text body, if any; unknown charsets are decoded with replacement characters */
    public Optional<String> text() {
        return Optional.ofNullable(text);
    }

    /** @return the HTML body, if any */
    public Optional<String> html() {
        return Optional.ofNullable(html);
    }

    /** @return the attachments, in order */
    public List<FetchedAttachment> attachments() {
        return attachments;
    }

    /** @return a new stream over the raw message as fetched (the header block only when truncated) */
    public InputStream openRaw() {
        return new ByteArrayInputStream(raw);
    }

    /** @return the size the server reported for the whole message ({@code RFC822.SIZE} or the POP3 size) */
    public long serverSize() {
        return serverSize;
    }

    /** @return {@code true} if the mail exceeds the size limit and only its header block was fetched */
    public boolean truncated() {
        return truncated;
    }

    @Override
    public String toString() {
        return "FetchedMail[" + key + ", " + contentKey + (truncated ? ", truncated" : "") + "]";
    }
}
