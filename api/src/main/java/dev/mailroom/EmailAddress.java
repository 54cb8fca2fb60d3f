package dev.mailroom;

import dev.mailroom.spi.DomainNames;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A mailbox address with an optional display name.
 *
 * <p>Construction refuses, with {@link MailErrorCode#INVALID_EMAIL}, what can never be sent safely:
 * control characters (CR, LF, NUL, which would inject headers), zero-width, bidirectional and other
 * invisible format characters, white space, a missing or doubled {@code @}, an empty local part or
 * domain, a leading {@code -} (which programs like sendmail read as an option), and addresses longer than
 * RFC 5321 allows, counted in octets: at most 64 before the {@code @}, 254 in all, 63 per domain label
 * in the ASCII form the domain has in DNS. A non-ASCII domain must have an IDNA form that is the domain
 * as written (see {@link DomainNames}); whether a non-ASCII local part can be sent is decided per message.
 *
 * @param address the bare address {@code local@domain}
 * @param name the display name, or {@code null} for none
 */
public record EmailAddress(String address, String name) {
    /**
     * Validates address and name.
     *
     * @param address see the record description
     * @param name see the record description
     */
    public EmailAddress {
        Objects.requireNonNull(address, "address");
        address = address.strip();
        String problem = problem(address);
        if (problem != null) {
            throw new MailException(MailErrorCode.INVALID_EMAIL, "invalid email address '" + printable(address) + "': " + problem);
        }
        if (name != null) {
            if (name.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
                throw new MailException(MailErrorCode.INVALID_EMAIL, "the display name of " + address + " contains CR, LF or NUL");
            }
            name = name.strip();
            if (name.isEmpty()) {
                name = null;
            }
        }
    }

    /**
     * Creates an address without display name.
     *
     * @param address {@code local@domain}
     * @return the address
     * @throws MailException with {@link MailErrorCode#INVALID_EMAIL} if the address is malformed, with the reason
     */
    public static EmailAddress of(String address) {
        return new EmailAddress(address, null);
    }

    /**
     * Creates an address with a display name.
     *
     * @param address {@code local@domain}
     * @param name the display name, may be {@code null}
     * @return the address
     * @throws MailException with {@link MailErrorCode#INVALID_EMAIL} if the address is malformed, with the reason
     */
    public static EmailAddress of(String address, String name) {
        return new EmailAddress(address, name);
    }

    /**
     * Parses {@code local@domain} or {@code Name <local@domain>}.
     *
     * @param text the text
     * @return the address
     * @throws MailException with {@link MailErrorCode#INVALID_EMAIL} if the text is not one address, with the reason
     */
    public static EmailAddress parse(String text) {
        Objects.requireNonNull(text, "text");
        String t = text.strip();
        int lt = t.lastIndexOf('<');
        if (lt >= 0 && t.endsWith(">")) {
            String name = t.substring(0, lt).strip();
            if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
                name = name.substring(1, name.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
            }
            return new EmailAddress(t.substring(lt + 1, t.length() - 1), name.isEmpty() ? null : name);
        }
        return new EmailAddress(t, null);
    }

    /**
     * Checks an address without throwing.
     *
     * @param address the candidate
     * @return true if {@link #of(String)} would accept it
     */
    public static boolean isValid(String address) {
        return address != null && problem(address.strip()) == null;
    }

    /**
     * The display name.
     *
     * @return the name, if any
     */
    public Optional<String> displayName() {
        return Optional.ofNullable(name);
    }

    /**
     * The local part (before the last {@code @}).
     *
     * @return the local part
     */
    public String localPart() {
        return address.substring(0, address.lastIndexOf('@'));
    }

    /**
     * The domain (after the last {@code @}).
     *
     * @return the domain
     */
    public String domain() {
        return address.substring(address.lastIndexOf('@') + 1);
    }

    /**
     * Whether this and another address name the same mailbox: the domain compared case-insensitively and
     * in its IDNA form (so {@code bücher.example} is {@code xn--bcher-kva.example}), the local part exactly
     * (RFC 5321), display names ignored.
     *
     * @param other the other address
     * @return true for the same mailbox
     */
    public boolean sameMailbox(EmailAddress other) {
        return other != null && localPart().equals(other.localPart())
                && (domain().equalsIgnoreCase(other.domain())
                || withAsciiDomain().domain().equalsIgnoreCase(other.withAsciiDomain().domain())); // bücher = xn--bcher-kva
    }

    /**
     * This address as it goes into an envelope and headers without SMTPUTF8: the domain in its ASCII
     * (IDNA) form, {@code jörg@bücher.example} as {@code jörg@xn--bcher-kva.example}; the local part and the
     * display name unchanged. An ASCII domain is returned as it is.
     *
     * @return the address with an ASCII domain; this address if its domain is ASCII already
     */
    public EmailAddress withAsciiDomain() {
        String domain = domain();
        if (isAscii(domain)) {
            return this;
        }
        return new EmailAddress(localPart() + "@" + DomainNames.installed().toAscii(domain), name);
    }

    /**
     * Whether any character is outside US-ASCII (needs IDNA or SMTPUTF8).
     *
     * @return true if internationalized
     */
    public boolean isInternationalized() {
        return address.chars().anyMatch(c -> c > 127);
    }

    /** {@code Name <address>} or the bare address. */
    @Override
    public String toString() {
        return name == null ? address : name + " <" + address + ">";
    }

    private static String problem(String a) {
        if (a.isEmpty()) {
            return "it is empty";
        }
        if (a.length() > 254) {
            return "longer than 254 octets (RFC 5321)";
        }
        for (int i = 0; i < a.length(); ) {
            int c = a.codePointAt(i);
            i += Character.charCount(c);
            if (c == '\r' || c == '\n' || c == 0) {
                return "it contains CR, LF or NUL";
            }
            if (c == ' ' || c == '\t') {
                return "it contains white space";
            }
            if (invisible(c)) {
                return "it contains the format or control character U+" + String.format(Locale.ROOT, "%04X", c)
                        + " (invisible, zero-width or bidirectional)";
            }
            if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                return "it contains white space";
            }
            if (c == '<' || c == '>' || c == ',' || c == ';' || c == '"' || c == '(' || c == ')' || c == '[' || c == ']' || c == '\\') {
                return "it contains '" + (char) c + "'; give the display name separately";
            }
        }
        int at = a.lastIndexOf('@');
        if (at < 0) {
            return "it has no '@'";
        }
        if (a.indexOf('@') != at) {
            return "it has more than one '@'";
        }
        String local = a.substring(0, at);
        String domain = a.substring(at + 1);
        if (local.isEmpty()) {
            return "the part before '@' is empty";
        }
        int localOctets = octets(local);
        if (localOctets > 64) {
            return "the part before '@' is longer than 64 octets (" + localOctets + ")";
        }
        if (local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
            return "the part before '@' has a misplaced dot";
        }
        if (local.startsWith("-")) {
            return "the part before '@' begins with '-'";
        }
        if (domain.isEmpty()) {
            return "the domain after '@' is empty";
        }
        String ascii;
        try {
            ascii = DomainNames.installed().toAscii(domain);
        } catch (IllegalArgumentException e) {
            return "the domain '" + domain + "' cannot be used: " + e.getMessage();
        }
        int octets = localOctets + 1 + Math.max(octets(domain), ascii.length());
        if (octets > 254) {
            return "longer than 254 octets (" + octets + ", RFC 5321)";
        }
        return null;
    }

    /** Control, format (zero-width, bidi), separator, private-use, unpaired surrogate and unassigned code points. */
    private static boolean invisible(int c) {
        switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                 Character.PRIVATE_USE, Character.SURROGATE, Character.UNASSIGNED -> {
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    private static int octets(String s) {
        return isAscii(s) ? s.length() : s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 127) {
                return false;
            }
        }
        return true;
    }

    private static String printable(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n").replace("\0", "\\0");
    }
}
