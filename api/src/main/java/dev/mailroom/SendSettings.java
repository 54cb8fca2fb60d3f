package dev.mailroom;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How an account sends: over SMTP, through the host's own mail server (local relay), through the Gmail
 * API, or through Microsoft Graph. One part of an {@link Account}; immutable.
 *
 * <p>The SMTP fields may be left blank: they are then filled, field by field, from the defaults account
 * when the account is resolved. The Gmail API and Graph kinds have no settings of their own: they log in
 * with the account's {@link Authentication} and need nothing else.
 *
 * <pre>{@code
 * Account a = Account.builder().description("Support").email("support@acme.example")
 *     .sending(SendSettings.smtp("mail.acme.example", 587, Security.STARTTLS))
 *     .build();
 * }</pre>
 *
 * <p>Each kind belongs to the transport module named by {@link Kind#transport()}, which reads and
 * validates it.
 */
public final class SendSettings {
    /** The ways an account can send. */
    public enum Kind {
        /** An SMTP server: host, port, security, EHLO name. */
        SMTP("smtp"),
        /** The host's own mail server, plain SMTP without login (the equivalent of PHP's {@code mail()}). */
        LOCAL_RELAY("smtp"),
        /** The Gmail API ({@code users.messages.send}). */
        GMAIL_API("gmail"),
        /** Microsoft Graph ({@code sendMail}). */
        GRAPH("graph");

        private final String transport;

        Kind(String transport) {
            this.transport = transport;
        }

        /**
         * The id of the transport module that sends this kind.
         *
         * @return e.g. {@code smtp}
         */
        public String transport() {
            return transport;
        }

        /**
         * Whether this kind speaks SMTP (and so has host, port, security and EHLO name).
         *
         * @return true for {@link #SMTP} and {@link #LOCAL_RELAY}
         */
        public boolean isSmtp() {
            return this == SMTP || this == LOCAL_RELAY;
        }
    }

    private static final SendSettings GMAIL_API = new SendSettings(Kind.GMAIL_API, null, null, null, null);
    private static final SendSettings GRAPH = new SendSettings(Kind.GRAPH, null, null, null, null);

    private final Kind kind;
    private final String host;
    private final Integer port;
    private final Security security;
    private final String clientAlias;

    /** Unchecked: callers validated the values. */
    SendSettings(Kind kind, String host, Integer port, Security security, String clientAlias) {
        this.kind = kind;
        this.host = AccountChecks.blankToNull(host);
        this.port = port;
        this.security = security;
        this.clientAlias = AccountChecks.blankToNull(clientAlias);
    }

    /**
     * An SMTP server. Blank values are filled from the defaults account.
     *
     * @param host host name, or {@code null} to inherit
     * @param port port, or {@code null} to inherit or take the conventional port of the security choice
     * @param security the security, or {@code null} to inherit
     * @return the settings
     * @throws MailException {@link MailErrorCode#INVALID_ACCOUNT} naming the bad field
     */
    public static SendSettings smtp(String host, Integer port, Security security) {
        return checked(Kind.SMTP, host, port, security, null);
    }

    /**
     * The host's own mail server on {@code localhost}: plain SMTP, no login.
     *
     * @param port the server's port, usually 25
     * @return the settings
     * @throws MailException {@link MailErrorCode#INVALID_ACCOUNT} if the port is out of range
     */
    public static SendSettings localRelay(int port) {
        return checked(Kind.LOCAL_RELAY, "localhost", port, Security.NONE, null);
    }

    /**
     * The Gmail API, authorized with the account's OAuth 2.0 grant.
     *
     * @return the settings
     */
    public static SendSettings gmailApi() {
        return GMAIL_API;
    }

    /**
     * Microsoft Graph, authorized with the account's OAuth 2.0 grant or application credentials.
     *
     * @return the settings
     */
    public static SendSettings graph() {
        return GRAPH;
    }

    /**
     * A copy with the name sent in EHLO/HELO; only for the SMTP kinds.
     *
     * @param alias the name, or {@code null} to inherit (or use the local host name)
     * @return the copy
     * @throws IllegalStateException if this kind does not speak SMTP
     * @throws MailException {@link MailErrorCode#INVALID_ACCOUNT} if the name is not a host name
     */
    public SendSettings withClientAlias(String alias) {
        if (!kind.isSmtp()) {
            throw new IllegalStateException("only SMTP sending has an EHLO name, not " + kind);
        }
        return checked(kind, host, port, security, alias);
    }

    private static SendSettings checked(Kind kind, String host, Integer port, Security security, String alias) {
        List<FieldProblem> problems = new ArrayList<>();
        AccountChecks.checkHost(host, AccountField.SMTP_HOST, problems);
        AccountChecks.checkPort(port, AccountField.SMTP_PORT, problems);
        AccountChecks.checkHost(alias, AccountField.CLIENT_ALIAS, problems);
        AccountChecks.throwIfAny("send settings", problems);
        return new SendSettings(kind, host, port, security, alias);
    }

    /**
     * @return how the account sends
     */
    public Kind kind() { return kind; }

    /**
     * @return the SMTP host; empty for the other kinds, or when inherited
     */
    public Optional<String> host() { return Optional.ofNullable(host); }

    /**
     * @return the SMTP port; empty when inherited or conventional
     */
    public Optional<Integer> port() { return Optional.ofNullable(port); }

    /**
     * @return the SMTP security; empty when inherited
     */
    public Optional<Security> security() { return Optional.ofNullable(security); }

    /**
     * @return the EHLO/HELO name; empty when inherited or the local host name
     */
    public Optional<String> clientAlias() { return Optional.ofNullable(clientAlias); }

    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof SendSettings s && kind == s.kind && Objects.equals(host, s.host)
                && Objects.equals(port, s.port) && security == s.security && Objects.equals(clientAlias, s.clientAlias);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, host, port, security, clientAlias);
    }

    @Override
    public String toString() {
        if (!kind.isSmtp()) {
            return kind.name().toLowerCase(java.util.Locale.ROOT);
        }
        return kind.name().toLowerCase(java.util.Locale.ROOT) + "(" + (host == null ? "-" : host) + ":" + (port == null ? "-" : port)
                + " " + (security == null ? "-" : security) + (clientAlias == null ? "" : " ehlo=" + clientAlias) + ")";
    }
}
