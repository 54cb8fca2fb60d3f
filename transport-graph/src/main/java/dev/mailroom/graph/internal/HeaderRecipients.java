package dev.mailroom.graph.internal;

import dev.mailroom.EmailAddress;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.InternetHeaders;

import java.io.ByteArrayInputStream;
import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Graph's MIME {@code sendMail} delivers to the To, Cc and Bcc headers of the message and ignores any envelope.
 * Mailroom's rendered message names its Bcc recipients only in the envelope, so those are put in a {@code Bcc}
 * header in front of the message (Exchange delivers to them and leaves the header out of what recipients get; the
 * Sent Items copy shows it, as any mail client's does). A To or Cc address outside the envelope (a retry for some
 * recipients only) would be sent to again, so such a message is refused before anything is sent.
 */
final class HeaderRecipients {
    private HeaderRecipients() {
    }

    /**
     * @param mime the message as rendered
     * @param envelope the recipients of this attempt
     * @return a Bcc header line (CRLF-terminated) for the envelope recipients no header names, or an empty array
     */
    static byte[] bccPrefix(byte[] mime, List<EmailAddress> envelope) {
        Set<String> named = new LinkedHashSet<>();
        try {
            InternetHeaders headers = new InternetHeaders(new ByteArrayInputStream(mime), true);
            for (String name : new String[] {"To", "Cc", "Bcc"}) {
                String value = headers.getHeader(name, ",");
                if (value != null) {
                    for (InternetAddress a : InternetAddress.parseHeader(value, false)) {
                        InternetAddress[] members = a.isGroup() ? a.getGroup(false) : new InternetAddress[] {a};
                        for (InternetAddress m : members == null ? new InternetAddress[0] : members) {
                            if (m.getAddress() != null && !m.getAddress().isEmpty()) {
                                named.add(key(m.getAddress()));
                            }
                        }
                    }
                }
            }
        } catch (AddressException e) {
            throw new MailException(MailErrorCode.INVALID_EMAIL, "a recipient header of the message cannot be read (" + e.getMessage()
                    + "); nothing was sent", null, null, List.of(), null);
        } catch (MessagingException e) {
            throw new MailException(MailErrorCode.INVALID_EMAIL, "the message's header cannot be read (" + e.getMessage() + "); nothing was sent",
                    null, null, List.of(), null);
        }
        Set<String> inEnvelope = new LinkedHashSet<>();
        List<String> hidden = new ArrayList<>();
        for (EmailAddress r : envelope) {
            inEnvelope.add(key(r.address()));
            if (!named.contains(key(r.address()))) {
                hidden.add(r.address());
            }
        }
        long outside = named.stream().filter(n -> !inEnvelope.contains(n)).count();
        if (outside > 0) {
            throw new MailException(MailErrorCode.PERMANENT_FAILURE, "Graph sends to every address in To and Cc, and " + outside + " of them are "
                    + "not recipients of this attempt (a retry for some recipients only): sending it through Graph would reach them again; "
                    + "nothing was sent", null, "Send the message again to the remaining recipients as a new message.", List.of(), null);
        }
        if (hidden.isEmpty()) {
            return new byte[0];
        }
        // folded after each address: header lines stay short whatever the number of recipients
        return ("Bcc: " + String.join(",\r\n ", hidden) + "\r\n").getBytes(StandardCharsets.UTF_8);
    }

    /** An address as compared: lower case, its domain in ASCII form. */
    private static String key(String address) {
        int at = address.lastIndexOf('@');
        String domain = at < 0 ? "" : address.substring(at + 1);
        try {
            domain = IDN.toASCII(domain, IDN.ALLOW_UNASSIGNED);
        } catch (IllegalArgumentException e) {
            // compared as written
        }
        return (at < 0 ? address : address.substring(0, at) + "@" + domain).toLowerCase(Locale.ROOT);
    }
}
