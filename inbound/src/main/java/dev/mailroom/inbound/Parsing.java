package dev.mailroom.inbound;

import dev.mailroom.spi.InboundKey;
import jakarta.mail.Address;
import jakarta.mail.Header;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Builds a {@link FetchedMail} from raw bytes that passed the pre-scan: Angus parses, with a missing end boundary
 * tolerated; text parts in an unknown or broken charset are decoded with replacement characters.
 */
final class Parsing {
    private static final Session SESSION = Session.getInstance(new Properties());

    private Parsing() {
    }

    static FetchedMail parse(InboundKey key, String contentKey, byte[] raw, long serverSize, boolean truncated)
            throws MessagingException, IOException {
        MimeMessage m = new MimeMessage(SESSION, new ByteArrayInputStream(raw));
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (Enumeration<Header> e = m.getAllHeaders(); e.hasMoreElements(); ) {
            Header h = e.nextElement();
            headers.computeIfAbsent(h.getName().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(MimeUtility.unfold(h.getValue() == null ? "" : h.getValue()));
        }
        Bodies bodies = new Bodies();
        if (!truncated) {
            bodies.walk(m);
        }
        Instant sent = null;
        try {
            sent = m.getSentDate() == null ? null : m.getSentDate().toInstant();
        } catch (MessagingException ignored) {
            // an unparsable Date header leaves the date empty
        }
        return new FetchedMail(key, contentKey, headers, subject(m), first(addresses(m, "From")), addresses(m, "To"), addresses(m, "Cc"),
                sent, bodies.text, bodies.html, bodies.attachments, raw, serverSize, truncated);
    }

    private static String subject(MimeMessage m) {
        try {
            return m.getSubject();
        } catch (MessagingException e) {
            return null;
        }
    }

    private static String first(List<String> list) {
        return list.isEmpty() ? null : list.get(0);
    }

    private static List<String> addresses(MimeMessage m, String header) {
        List<String> out = new ArrayList<>();
        try {
            String value = m.getHeader(header, ",");
            if (value != null) {
                for (Address a : InternetAddress.parseHeader(value, false)) {
                    if (a instanceof InternetAddress ia && ia.getAddress() != null) {
                        out.add(ia.getAddress());
                    }
                }
            }
        } catch (MessagingException ignored) {
            // an unparsable address list is left out; the raw header stays readable
        }
        return out;
    }

    private static final class Bodies {
        String text;
        String html;
        final List<FetchedAttachment> attachments = new ArrayList<>();

        void walk(Part part) throws MessagingException, IOException {
            ContentType type = contentType(part);
            if (type.match("multipart/*")) {
                Object content;
                try {
                    content = part.getContent();
                } catch (MessagingException | IOException broken) {
                    // no start boundary at all, or a report the DSN content handler cannot read: keep the body as text
                    if (text == null) {
                        text = decode(part, new ContentType("text/plain; charset=UTF-8"));
                    }
                    return;
                }
                if (content instanceof Multipart mp) {
                    for (int i = 0; i < mp.getCount(); i++) {
                        walk(mp.getBodyPart(i));
                    }
                    return;
                }
            }
            String fileName = fileName(part);
            boolean attachment = Part.ATTACHMENT.equalsIgnoreCase(part.getDisposition()) || fileName != null;
            if (!attachment && type.match("text/plain") && text == null) {
                text = decode(part, type);
            } else if (!attachment && type.match("text/html") && html == null) {
                html = decode(part, type);
            } else {
                attachments.add(new FetchedAttachment(fileName, type.getBaseType().toLowerCase(Locale.ROOT), bytes(part)));
            }
        }

        private static ContentType contentType(Part part) throws MessagingException {
            try {
                return new ContentType(part.getContentType() == null ? "text/plain" : part.getContentType());
            } catch (MessagingException e) {
                return new ContentType("application/octet-stream");
            }
        }

        private static String fileName(Part part) {
            try {
                return part.getFileName();
            } catch (MessagingException e) {
                return null;
            }
        }

        private static byte[] bytes(Part part) throws MessagingException, IOException {
            try (InputStream in = part.getInputStream()) {
                return in.readAllBytes();
            }
        }

        private static String decode(Part part, ContentType type) throws MessagingException, IOException {
            String name = type.getParameter("charset");
            Charset charset = StandardCharsets.UTF_8; // ASCII when labelled so; 8-bit text without a label is most often UTF-8
            if (name != null) {
                try {
                    charset = Charset.forName(MimeUtility.javaCharset(name.strip()));
                } catch (IllegalArgumentException unknown) {
                    charset = StandardCharsets.UTF_8; // unknown charset: what does not decode becomes U+FFFD
                }
            }
            return charset.newDecoder().onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(bytes(part))).toString();
        }
    }
}
