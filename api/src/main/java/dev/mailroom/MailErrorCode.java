package dev.mailroom;

/**
 * Stable error codes. The names never change once released; hosts may switch on them, store them and
 * link them to their own help pages. Each code has a default hint for an administrator and says whether
 * trying again later can succeed.
 */
public enum MailErrorCode {
    // --- configuration and resolution (nothing was sent) ---
    /** An account failed validation; see {@link MailException#fieldProblems()}. */
    INVALID_ACCOUNT(false, "Correct the fields named in the error."),
    /** An email failed validation (address, header, missing recipient or body). */
    INVALID_EMAIL(false, "Correct the message as the error says; nothing was sent."),
    /** No system-wide mail server is configured and enabled: mail is off for the whole system (A4). */
    MAIL_DISABLED(false, "Configure and enable the system-wide mail server (a complete account flagged as system account)."),
    /** An administrator forbade this tenant both the system-wide server and its own (A4). */
    TENANT_MAIL_FORBIDDEN(false, "Allow the tenant to use the system-wide server or to configure its own."),
    /** No account fits the context (no system account, tenant without own server and no fallback). */
    NO_ACCOUNT(false, "Create an account for this context, or flag one as system account."),
    /** The chosen account lacks fields it needs for this use (A2); see {@link MailException#fieldProblems()}. */
    ACCOUNT_INCOMPLETE(false, "Fill in the fields named in the error, or set them on the defaults account."),
    /** The chosen account is disabled. */
    ACCOUNT_DISABLED(false, "Enable the account, or send through another one."),
    /** No account in this context may send as the requested From address (A6). */
    SENDER_NOT_ALLOWED(false, "Send through the account that owns the address, or use the default sender."),
    /** No transport module supports this account (e.g. transport-graph is not on the class path). */
    NO_TRANSPORT(false, "Add the transport module for this account to the class path."),
    /**
     * An address has a non-ASCII local part (B4), but the account is not flagged "server supports UTF-8
     * headers" or the server does not offer SMTPUTF8. Nothing was sent.
     */
    SMTPUTF8_NOT_SUPPORTED(false, "Internationalized addresses need a server with SMTPUTF8: flag the account 'server supports UTF-8 headers' if it does, or use the recipient's ASCII address."),
    /** The transport cannot use this account's authentication kind (yet). */
    AUTH_METHOD_NOT_SUPPORTED(false, "Choose an authentication this transport supports, or another transport."),

    /** No support address is configured for support requests (E4). */
    SUPPORT_ADDRESS_MISSING(false, "Set the support address in the system mail settings (or the tenant's, if tenants may have their own)."),

    // --- connecting ---
    /** The host name does not resolve. */
    UNKNOWN_HOST(true, "Check the server name; it does not resolve in DNS from this machine."),
    /** Nothing listens on the port, or a firewall rejects the connection. */
    CONNECTION_REFUSED(true, "Check host and port: 587 = STARTTLS, 465 = SSL/TLS, 25 = server-to-server."),
    /** Connecting, or waiting for the greeting, timed out. */
    CONNECT_TIMEOUT(true, "A firewall may drop the port; on port 465 choose SSL/TLS (the server waits for a TLS hello)."),
    /** A server stopped answering within the read timeout. */
    TIMEOUT(true, "The server did not answer in time; try again later or raise the read timeout."),
    /** Implicit TLS was chosen but the port speaks plain SMTP first. */
    TLS_ON_PLAIN_PORT(false, "This port speaks plain text first: on port 587 choose STARTTLS, on 25 STARTTLS or none."),
    /** The server's certificate chain is not trusted. */
    CERTIFICATE_UNTRUSTED(false, "The server's certificate is not trusted: trust its CA explicitly for Mailroom (never 'trust all')."),
    /** The certificate is valid but issued for another name. */
    CERTIFICATE_NAME_MISMATCH(false, "Use the host name the certificate was issued for, not an IP address or alias."),
    /** The TLS handshake failed for another reason (protocol versions, ciphers). */
    TLS_FAILED(true, "The TLS handshake failed; check the server's TLS configuration."),
    /** Security "none" against a server that demands STARTTLS ({@code 530 5.7.0 Must issue a STARTTLS command first}). */
    STARTTLS_REQUIRED_BY_SERVER(false, "The server requires encryption: choose STARTTLS."),
    /** STARTTLS was required but the server did not offer it. Nothing, in particular no password, was sent. */
    STARTTLS_NOT_OFFERED(false, "The server (or something on the way) does not offer STARTTLS; credentials were not sent. Fix the server or the path, or choose SSL/TLS."),

    // --- authentication ---
    /** Wrong user name or password. */
    AUTH_FAILED(false, "Check user name and password; the user name is usually the full email address."),
    /** Microsoft 365 refuses basic authentication (535 5.7.139, 550 5.7.30). */
    AUTH_BASIC_DISABLED(false, "Microsoft 365 has basic authentication (SMTP AUTH) switched off: use OAuth (XOAUTH2) or the Graph transport, or enable SMTP AUTH for this mailbox."),
    /** Google wants an app password or OAuth (534-5.7.9). */
    APP_PASSWORD_REQUIRED(false, "The Google account uses 2-step verification: use OAuth, or create an app password."),
    /** The only mechanisms the server offers are forbidden by "prevent plain-text login" or "prevent NTLM". */
    AUTH_MECHANISM_BLOCKED(false, "The server offers only login methods this account forbids; see the message for which option blocks it."),
    /** Authentication is configured but the server offers no AUTH (often: before STARTTLS, or wrong port). */
    AUTH_NOT_OFFERED(false, "The server offers no login here: use STARTTLS or SSL/TLS, or the submission port 587."),
    /** The server failed the login temporarily (454). */
    AUTH_TEMPORARY(true, "The server reported a temporary authentication problem; try again later."),

    // --- sending ---
    /** The login may not send as this sender address. */
    SENDER_REJECTED(false, "Send through the account that owns the address, or use 'force default sender' / Reply-To."),
    /** The server refuses to relay: usually not authenticated, or the wrong server for the domain. */
    RELAY_DENIED(false, "Enable authentication for this account, or use the server responsible for the sender's domain."),
    /** A recipient was refused (550 5.1.1 user unknown, …). */
    RECIPIENT_REJECTED(false, "Check the recipient address; the server refused it."),
    /** The message exceeds the server's size limit. */
    MESSAGE_TOO_LARGE(false, "Make the message smaller (attachments), or send large files as links."),
    /** The server deferred the message (4xx): load, greylisting, temporary policy. */
    TEMPORARY_FAILURE(true, "The server deferred the message; try again later."),
    /** The server refused the message permanently (5xx) for a reason not covered by a finer code. */
    PERMANENT_FAILURE(false, "The server refused the message; read its reply."),
    /** The connection broke after the message was handed over: it may have been delivered. */
    DELIVERY_UNCERTAIN(true, "The connection broke after the message was handed over; it may have arrived. A retry may duplicate it."),
    /** The connection broke before the message was handed over. */
    CONNECTION_LOST(true, "The connection broke; try again."),
    /** All pooled connections of the account stayed busy beyond the pool's wait time. */
    POOL_EXHAUSTED(true, "All connections of this account are busy; try again, or allow more connections."),
    /** The mail system was closed. */
    CLOSED(false, "Mailroom was closed; create a new instance."),
    /** An unexpected failure; the cause has the details. */
    INTERNAL(false, "An unexpected error; see the cause.");

    private final boolean retryable;
    private final String hint;

    MailErrorCode(boolean retryable, String hint) {
        this.retryable = retryable;
        this.hint = hint;
    }

    /**
     * Whether trying the same operation again later can succeed without changing the configuration.
     *
     * @return true if transient
     */
    public boolean retryable() {
        return retryable;
    }

    /**
     * The default hint for an administrator.
     *
     * @return one or two sentences
     */
    public String hint() {
        return hint;
    }
}
