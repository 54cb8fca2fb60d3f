package dev.mailroom.gmail.internal;

import dev.mailroom.EmailAddress;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.spi.OutgoingMessage;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Gmail sends a message to the addresses in its To, Cc and Bcc headers, not to an envelope. Mailroom's message
 * has no Bcc header (its Bcc recipients are only in the envelope), so the envelope recipients that no To or Cc
 * header names are given to Gmail in a {@code Bcc} header put in front of the message; Gmail delivers to them
 * and removes the header from what the recipients get. A message whose To or Cc names an address that is not
 * in the envelope (a retry for some recipients only) cannot go through Gmail without reaching the others again,
 * so it is refused before anything is sent.
 */
final class Recipients {
    /** The header block is read up to this size; a longer one is not a message Gmail takes. */
    private static final int MAX_HEADER_BLOCK = 1 << 20;

    private Recipients() {
    }

    /**
     * The bytes to put in front of the message: a Bcc header with the envelope recipients no header names, or
     * nothing.
     *
     * @param message the message
     * @return the prefix, possibly empty
     * @throws MailException when a header names someone outside the envelope, or the message cannot be read
     */
    static byte[] bccPrefix(OutgoingMessage message) {
        String headers = headerBlock(message);
        Set<String> named = new LinkedHashSet<>();
        for (String value : headerValues(headers, "to", "cc", "bcc")) {
            try {
                for (InternetAddress a : InternetAddress.parseHeader(value, false)) {
                    if (a.isGroup()) {
                        for (InternetAddress member : a.getGroup(false)) {
                            named.add(key(member.getAddress()));
                        }
                    } else if (a.getAddress() != null && !a.getAddress().isEmpty()) {
                        named.add(key(a.getAddress()));
                    }
                }
            } catch (AddressException e) {
                throw new MailException(MailErrorCode.INVALID_EMAIL, "a recipient header of the message cannot be read (" + e.getMessage()
                        + "); nothing was sent", null, null, List.of(), null);
            }
        }
        Set<String> envelope = new LinkedHashSet<>();
        List<EmailAddress> hidden = new ArrayList<>();
        for (EmailAddress r : message.recipients()) {
            String k = key(r.address());
            envelope.add(k);
            if (!named.contains(k)) {
                hidden.add(r);
            }
        }
        List<String> outside = named.stream().filter(n -> !envelope.contains(n)).toList();
        if (!outside.isEmpty()) {
            throw new MailException(MailErrorCode.PERMANENT_FAILURE, "Gmail sends to every address in To and Cc, and " + outside.size()
                    + " of them are not recipients of this attempt (a retry for some recipients only): sending it through Gmail would reach "
                    + "them again; nothing was sent", null, "Send the message again to the remaining recipients as a new message.",
                    List.of(), null);
        }
        return hidden.isEmpty() ? new byte[0] : bccHeader(hidden);
    }

    /** "Bcc: a, b" folded before 78 characters where it can, CRLF-terminated. */
    static byte[] bccHeader(List<EmailAddress> addresses) {
        StringBuilder sb = new StringBuilder("Bcc:");
        int line = sb.length();
        for (int i = 0; i < addresses.size(); i++) {
            String a = addresses.get(i).address() + (i + 1 < addresses.size() ? "," : "");
            if (line + 1 + a.length() > 76 && line > 4) {
                sb.append("\r\n");
                line = 0;
            }
            sb.append(' ').append(a);
            line += 1 + a.length();
        }
        return sb.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The address as compared: lower case, the domain in ASCII form. */
    static String key(String address) {
        int at = address.lastIndexOf('@');
        if (at < 0) {
            return address.toLowerCase(Locale.ROOT);
        }
        String domain = address.substring(at + 1);
        try {
            domain = IDN.toASCII(domain, IDN.ALLOW_UNASSIGNED);
        } catch (IllegalArgumentException e) {
            // compared as written
        }
        return (address.substring(0, at) + "@" + domain).toLowerCase(Locale.ROOT);
    }

    /** The values of the named headers, unfolded. */
    static List<String> headerValues(String headers, String... names) {
        List<String> values = new ArrayList<>();
        String[] lines = headers.split("\r\n|\n");
        StringBuilder current = null;
        String currentName = null;
        for (String line : lines) {
            if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t')) {
                if (current != null) {
                    current.append(line);
                }
                continue;
            }
            if (current != null) {
                values.add(current.toString());
                current = null;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            currentName = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            for (String n : names) {
                if (n.equals(currentName)) {
                    current = new StringBuilder(line.substring(colon + 1));
                }
            }
        }
        if (current != null) {
            values.add(current.toString());
        }
        return values;
    }

    /** The header block of the message (up to the blank line), read by writing the message until it ends. */
    static String headerBlock(OutgoingMessage message) {
        HeaderCapture capture = new HeaderCapture();
        try {
            message.writeTo(capture);
        } catch (HeaderCapture.Enough e) {
            // the header block is complete; the rest is not needed
        } catch (IOException e) {
            throw new MailException(MailErrorCode.INTERNAL, "the message cannot be read: " + e.getMessage(), null, null, List.of(), e);
        }
        return capture.text();
    }

    /** Collects bytes up to the first empty line and then stops the writer. */
    private static final class HeaderCapture extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(2048);
        private int state; // how much of CR LF CR LF was seen

        /** Thrown to stop the writer once the header block is complete. */
        static final class Enough extends IOException {
            private static final long serialVersionUID = 1L;

            Enough() {
                super("header block complete", null);
            }

            @Override
            public synchronized Throwable fillInStackTrace() {
                return this;
            }
        }

        @Override
        public void write(int b) throws IOException {
            bytes.write(b);
            if (b == '\n' && (state == 1 || state == 3)) {
                state++;
            } else if (b == '\r' && (state == 0 || state == 2)) {
                state++;
            } else if (b == '\n' && state == 0) {
                state = 2; // a bare LF line end
            } else if (b == '\r') {
                state = 1;
            } else {
                state = 0;
            }
            if (state == 4 || bytes.size() >= MAX_HEADER_BLOCK) {
                throw new Enough();
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            for (int i = 0; i < len; i++) {
                write(b[off + i]);
            }
        }

        String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
