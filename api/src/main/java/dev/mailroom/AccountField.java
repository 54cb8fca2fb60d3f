package dev.mailroom;

/**
 * The fields of an {@link Account}, used to report where a resolved value came from and
 * which field a validation problem concerns.
 */
public enum AccountField {
    /** The identifier. */
    ID("id", false),
    /** Description shown in pick lists. */
    DESCRIPTION("description", false),
    /** Display name shown as the sender's name. */
    DISPLAY_NAME("displayName", false),
    /** The account's email address. */
    EMAIL("email", false),
    /** How the account logs in: user name and password, OAuth, app credentials. */
    AUTHENTICATION("authentication", true),
    /** SMTP server host name. */
    SMTP_HOST("smtpHost", true),
    /** SMTP server port. */
    SMTP_PORT("smtpPort", true),
    /** SMTP transport security. */
    SMTP_SECURITY("smtpSecurity", true),
    /** IMAP server host name. */
    IMAP_HOST("imapHost", true),
    /** IMAP server port. */
    IMAP_PORT("imapPort", true),
    /** IMAP transport security. */
    IMAP_SECURITY("imapSecurity", true),
    /** POP3 server host name. */
    POP3_HOST("pop3Host", true),
    /** POP3 server port. */
    POP3_PORT("pop3Port", true),
    /** Sender address that differs from the login address. */
    SENDER_ADDRESS("senderAddress", false),
    /** Sender name that differs from the display name. */
    SENDER_NAME("senderName", false),
    /** Name sent in EHLO/HELO. */
    CLIENT_ALIAS("clientAlias", true),
    /** Text signature. */
    TEXT_SIGNATURE("textSignature", false),
    /** HTML signature. */
    HTML_SIGNATURE("htmlSignature", false),
    /** Internal description for administrators. */
    INTERNAL_NOTE("internalNote", false),
    /** Scope and owner (tenant, department, user). */
    OWNER("owner", false),
    /** The IMAP Sent folder for copies of sent mail. */
    SENT_FOLDER("sentFolder", false),
    /** Transport id ("smtp", "gmail", "graph"). */
    TRANSPORT("transport", true),
    /** How the account sends ({@link SendSettings.Kind}: SMTP, local relay, Gmail API, Graph). */
    SENDING("sending", true),
    /**
     * Whether and how incoming mail is fetched ({@link FetchSettings.Protocol}). Never inherited: an
     * account fetches only when it says so itself.
     */
    FETCHING("fetching", false);

    private final String property;
    private final boolean inheritable;

    AccountField(String property, boolean inheritable) {
        this.property = property;
        this.inheritable = inheritable;
    }

    /**
     * The field's name as in {@link Account.Builder}, for error messages and UIs.
     *
     * @return e.g. {@code smtpHost}
     */
    public String property() {
        return property;
    }

    /**
     * Whether a blank value is filled from the defaults account. Identity fields (address, names,
     * signatures, owner) never are.
     *
     * @return true if inherited when blank
     */
    public boolean inheritable() {
        return inheritable;
    }
}
