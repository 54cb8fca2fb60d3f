package dev.mailroom;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A mailbox address with an optional display name.
 *
 * <p>Construction refuses what can never be sent safely: control characters (CR, LF, NUL, which would
 * inject headers), a missing or doubled {@code @}, an empty local part or domain, white space, and
 * addresses longer than RFC 5321 allows. Non-ASCII characters are accepted here; whether they can be
 * sent is decided per message (B4).
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
            throw new IllegalArgumentException("invalid email address '" + printable(address) + "': " + problem);
        }
        if (name != null) {
            if (name.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
                throw new IllegalArgumentException("display name of " + address + " contains CR, LF or NUL");
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
     * @throws IllegalArgumentException if the address is malformed, with the reason
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
     * @throws IllegalArgumentException if the address is malformed, with the reason
     */
    public static EmailAddress of(String address, String name) {
        return new EmailAddress(address, name);
    }

    /**
     * Parses {@code local@domain} or {@code Name <local@domain>}.
     *
     * @param text the text
     * @return the address
     * @throws IllegalArgumentException if the text is not one address, with the reason
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
     * Whether this and another address name the same mailbox: the domain compared case-insensitively,
     * the local part exactly (RFC 5321), display names ignored.
     *
     * @param other the other address
     * @return true for the same mailbox
     */
    public boolean sameMailbox(EmailAddress other) {
        return other != null && localPart().equals(other.localPart())
                && domain().toLowerCase(Locale.ROOT).equals(other.domain().toLowerCase(Locale.ROOT));
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
            return "longer than 254 characters (RFC 5321)";
        }
        for (int i = 0; i < a.length(); i++) {
            char c = a.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                return "it contains CR, LF or NUL";
            }
            if (Character.isISOControl(c) || Character.isWhitespace(c)) {
                return "it contains white space or a control character";
            }
            if (c == '<' || c == '>' || c == ',' || c == ';' || c == '"' || c == '(' || c == ')' || c == '[' || c == ']' || c == '\\') {
                return "it contains '" + c + "'; give the display name separately";
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
        if (local.length() > 64) {
            return "the part before '@' is longer than 64 characters";
        }
        if (local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
            return "the part before '@' has a misplaced dot";
        }
        if (domain.isEmpty()) {
            return "the domain after '@' is empty";
        }
        if (domain.startsWith(".") || domain.endsWith(".") || domain.contains("..") || domain.startsWith("-")) {
            return "the domain '" + domain + "' is malformed";
        }
        return null;
    }

    private static String printable(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n").replace("\0", "\\0");
    }
}
