package dev.mailroom;

/**
 * Stable error codes. The names never change once released; hosts may switch on them, store them and
 * link them to their own help pages. Each code has a default hint for an administrator and says whether
 * trying again later can succeed.
 */
public enum MailErrorCode {
    // --- configuration and resolution (nothing was sent) ---
    /** An account failed validation; see {@link MailException#fieldProblems()}. */
    INVALID_ACCOUNT(Category.ACCOUNT, false, "Correct the fields named in the error."),
    /** An email failed validation (address, header, missing recipient or body). */
    INVALID_EMAIL(Category.MESSAGE, false, "Correct the message as the error says; nothing was sent."),
    /** No system-wide mail server is configured and enabled: mail is off for the whole system. */
    MAIL_DISABLED(Category.ACCOUNT, false, "Configure and enable the system-wide mail server (a complete account flagged as system account)."),
    /** An administrator forbade this tenant both the system-wide server and its own. */
    TENANT_MAIL_FORBIDDEN(Category.ACCOUNT, false, "Allow the tenant to use the system-wide server or to configure its own."),
    /** No account fits the context (no system account, tenant without own server and no fallback). */
    NO_ACCOUNT(Category.ACCOUNT, false, "Create an account for this context, or flag one as system account."),
    /** The chosen account lacks fields it needs for this use; see {@link MailException#fieldProblems()}. */
    ACCOUNT_INCOMPLETE(Category.ACCOUNT, false, "Fill in the fields named in the error, or set them on the defaults account."),
    /** The chosen account is disabled. */
    ACCOUNT_DISABLED(Category.ACCOUNT, false, "Enable the account, or send through another one."),
    /** No account in this context may send as the requested From address. */
    SENDER_NOT_ALLOWED(Category.MESSAGE, false, "Send through the account that owns the address, or use the default sender."),
    /** No transport module supports this account (e.g. transport-graph is not on the class path). */
    NO_TRANSPORT(Category.ACCOUNT, false, "Add the transport module for this account to the class path."),
    /**
     * An address has a non-ASCII local part, but the account is not flagged "server supports UTF-8
     * headers" or the server does not offer SMTPUTF8. Nothing was sent.
     */
    SMTPUTF8_NOT_SUPPORTED(Category.MESSAGE, false, "Internationalized addresses need a server with SMTPUTF8: flag the account 'server supports UTF-8 headers' if it does, or use the recipient's ASCII address."),
    /** The transport cannot use this account's authentication kind (yet). */
    AUTH_METHOD_NOT_SUPPORTED(Category.AUTHENTICATION, false, "Choose an authentication this transport supports, or another transport."),
    /**
     * The account logs in with OAuth 2.0, but no access token could be had: the account was never connected (or
     * was disconnected), or the host's own access-token source has none for it.
     */
    ACCESS_TOKEN_UNAVAILABLE(Category.AUTHENTICATION, false, "Connect the account: an administrator starts mailroom.oauth().beginAuthorization(account) and signs in with the mailbox; with the host's own token source (Mailroom.builder().accessTokens(...)), grant access there."),

    /**
     * The provider refused the account's OAuth grant ({@code invalid_grant}): it was revoked, has expired, or the
     * mailbox's password changed. The account's queued mail is held until it is connected again.
     */
    OAUTH_GRANT_REVOKED(Category.AUTHENTICATION, false, "Connect the account again: an administrator signs in with the mailbox on the provider's consent page."),
    /**
     * The provider refused the registered OAuth client ({@code invalid_client}, {@code unauthorized_client}):
     * its client ID or secret is wrong, expired or deleted. Every account using the client is affected.
     */
    OAUTH_CLIENT_REJECTED(Category.ACCOUNT, false, "Check the client ID and secret of the OAuth client registration (a client secret expires at Microsoft); register the client again with the current secret."),
    /** The account refers to an OAuth client that is not registered, or to a provider no module on the class path serves. */
    OAUTH_CLIENT_MISSING(Category.ACCOUNT, false, "Register the OAuth client the account names, or add the provider's module (transport-gmail for Google, transport-graph for Microsoft) to the class path."),
    /** The provider's token endpoint could not be reached, answered 5xx or 429, or said it is temporarily unavailable. */
    OAUTH_PROVIDER_UNAVAILABLE(Category.CONNECTION, true, "Nothing to do: Mailroom retries with backoff and keeps using a valid token meanwhile. If it persists, check that this host reaches the provider."),
    /** The consent was given by another mailbox than the account's; nothing was stored. */
    OAUTH_WRONG_ACCOUNT(Category.ACCOUNT, false, "Connect again and sign in with the account's own mailbox on the consent page (the browser may have picked another signed-in account)."),
    /** The consent did not grant every scope the account needs (a permission was unticked); nothing was stored. */
    OAUTH_SCOPE_MISSING(Category.ACCOUNT, false, "Connect again and allow every permission on the consent page."),
    /** The consent's state is unknown, was used already or has expired; nothing was stored. */
    OAUTH_STATE_INVALID(Category.ACCOUNT, false, "Start connecting the account again: a consent link is valid once and for 10 minutes."),

    /** The provider's API throttles this mailbox or app (HTTP 429, a rate-limit 403); queued mail waits the time it asked for. */
    RATE_LIMITED(Category.CONNECTION, true, "Nothing to do: Mailroom waits as long as the provider asked. If it happens often, send less in bursts or ask the provider for a higher quota."),
    /** The mailbox reached its provider's daily sending limit; queued mail waits until the limit resets. */
    DAILY_LIMIT_REACHED(Category.CONNECTION, true, "Wait until the provider's daily limit resets (queued mail is kept), or send part of the mail through another account."),
    /** The provider's administrator policy does not allow this app for the mailbox (e.g. Gmail {@code domainPolicy}). */
    PROVIDER_POLICY_REFUSED(Category.ACCOUNT, false, "Ask the Google Workspace or Microsoft 365 administrator to allow this app (API access) for the mailbox's domain."),
    /** The token lacks a permission the API call needs (Gmail {@code insufficientPermissions}, Graph {@code ErrorAccessDenied}). */
    API_PERMISSION_MISSING(Category.AUTHENTICATION, false, "Grant the app the permission named in the message (Gmail: the gmail.send scope; Graph: Mail.Send), then connect the account again."),

    /** No support address is configured for support requests. */
    SUPPORT_ADDRESS_MISSING(Category.ACCOUNT, false, "Set the support address in the system mail settings (or the tenant's, if tenants may have their own)."),

    /**
     * A stored secret of the account (password, client secret) cannot be opened on this node: it was sealed
     * with a key this node does not have, or the stored bytes are damaged. Only this account is affected.
     */
    SECRET_UNAVAILABLE(Category.ACCOUNT, false, "Add the key named in the message to this node's secret cipher, or set the account's secret again."),

    // --- connecting ---
    /**
     * The server deferred the whole session before the message was handed over: a {@code 4xx} greeting, or
     * {@code 421} (service closing) at any step before the end of data. The message was not sent.
     */
    SERVER_BUSY(Category.CONNECTION, true, "The server is busy or shutting down and closed the session; the mail waits and goes out later."),
    /**
     * The server refused the session in its greeting ({@code 554 5.7.1 client host blocked}); with a
     * {@code 4xx} greeting it is {@link #SERVER_BUSY} instead.
     */
    CONNECTION_REJECTED(Category.ACCOUNT, false, "The server refuses connections from this machine: ask its administrator to allow this host, or use another server."),
    /** The host name does not resolve. */
    UNKNOWN_HOST(Category.CONNECTION, true, "Check the server name; it does not resolve in DNS from this machine."),
    /** Nothing listens on the port, or a firewall rejects the connection. */
    CONNECTION_REFUSED(Category.CONNECTION, true, "Check host and port: 587 = STARTTLS, 465 = SSL/TLS, 25 = server-to-server."),
    /** Connecting, or waiting for the greeting, timed out. */
    CONNECT_TIMEOUT(Category.CONNECTION, true, "A firewall may drop the port; on port 465 choose SSL/TLS (the server waits for a TLS hello)."),
    /** A server stopped answering within the read timeout. */
    TIMEOUT(Category.CONNECTION, true, "The server did not answer in time; try again later or raise the read timeout."),
    /** Implicit TLS was chosen but the port speaks plain SMTP first. */
    TLS_ON_PLAIN_PORT(Category.ACCOUNT, false, "This port speaks plain text first: on port 587 choose STARTTLS, on 25 STARTTLS or none."),
    /** The server's certificate chain is not trusted. */
    CERTIFICATE_UNTRUSTED(Category.ACCOUNT, false, "The server's certificate is not trusted: trust its CA explicitly for Mailroom (never 'trust all')."),
    /** The certificate is valid but issued for another name. */
    CERTIFICATE_NAME_MISMATCH(Category.ACCOUNT, false, "Use the host name the certificate was issued for, not an IP address or alias."),
    /**
     * The TLS handshake failed for another reason (protocol versions, ciphers), or the server refused
     * STARTTLS ({@code 454 4.7.0 TLS not available}: a problem on its side, worth retrying).
     */
    TLS_FAILED(Category.CONNECTION, true, "The TLS handshake failed; check the server's TLS configuration."),
    /** Security "none" against a server that demands STARTTLS ({@code 530 5.7.0 Must issue a STARTTLS command first}). */
    STARTTLS_REQUIRED_BY_SERVER(Category.ACCOUNT, false, "The server requires encryption: choose STARTTLS."),
    /** STARTTLS was required but the server did not offer it. Nothing, in particular no password, was sent. */
    STARTTLS_NOT_OFFERED(Category.ACCOUNT, false, "The server (or something on the way) does not offer STARTTLS; credentials were not sent. Fix the server or the path, or choose SSL/TLS."),

    // --- authentication ---
    /** Wrong user name or password. */
    AUTH_FAILED(Category.AUTHENTICATION, false, "Check user name and password; the user name is usually the full email address."),
    /** Microsoft 365 refuses basic authentication (535 5.7.139, 550 5.7.30). */
    AUTH_BASIC_DISABLED(Category.AUTHENTICATION, false, "Microsoft 365 no longer takes passwords over SMTP: send through Graph (mailroom-transport-graph, SendSettings.graph() with the app's credentials and Mail.Send), or log in over SMTP with the app's token (Authentication.microsoftApp with SMTP.SendAsApp) instead of a password."),
    /** Google wants an app password or OAuth (534-5.7.9). */
    APP_PASSWORD_REQUIRED(Category.AUTHENTICATION, false, "The Google account uses 2-step verification: use OAuth, or create an app password."),
    /** The only mechanisms the server offers are forbidden by "prevent plain-text login" or "prevent NTLM". */
    AUTH_MECHANISM_BLOCKED(Category.AUTHENTICATION, false, "The server offers only login methods this account forbids; see the message for which option blocks it."),
    /** Authentication is configured but the server offers no AUTH (often: before STARTTLS, or wrong port). */
    AUTH_NOT_OFFERED(Category.AUTHENTICATION, false, "The server offers no login here: use STARTTLS or SSL/TLS, or the submission port 587."),
    /** The server failed the login temporarily (454). */
    AUTH_TEMPORARY(Category.TEMPORARY, true, "The server reported a temporary authentication problem; try again later."),

    // --- sending ---
    /**
     * The login may not send as this sender address, wherever the server says so: at MAIL FROM, at RCPT TO
     * (Postfix: {@code 553 5.7.1 <x>: Sender address rejected: not owned by user y}) or after the data
     * (Exchange: {@code 550 5.7.60 … send as this sender}). It fails the message as a whole, also when
     * other recipients were accepted.
     */
    SENDER_REJECTED(Category.ACCOUNT, false, "Send through the account that owns the address, or use 'force default sender' / Reply-To."),
    /** The server refuses to relay: usually not authenticated, or the wrong server for the domain. */
    RELAY_DENIED(Category.ACCOUNT, false, "Enable authentication for this account, or use the server responsible for the sender's domain."),
    /** A recipient was refused (550 5.1.1 user unknown, …). */
    RECIPIENT_REJECTED(Category.RECIPIENT, false, "Check the recipient address; the server refused it."),
    /**
     * The message exceeds the server's size limit: refused before MAIL FROM when its size is known and
     * larger than the {@code SIZE} the server advertised; cut off before the end of data (nothing delivered)
     * when a message of unknown length grows past it; or refused by the server ({@code 552 5.3.4}).
     */
    MESSAGE_TOO_LARGE(Category.MESSAGE, false, "Make the message smaller (attachments), or send large files as links."),
    /** The server deferred the message (4xx): load, greylisting, temporary policy. */
    TEMPORARY_FAILURE(Category.TEMPORARY, true, "The server deferred the message; try again later."),
    /** The server refused the message permanently (5xx) for a reason not covered by a finer code. */
    PERMANENT_FAILURE(Category.MESSAGE, false, "The server refused the message; read its reply."),
    /**
     * The connection broke after the message was handed over, or the server answered its end with
     * {@code 421} (closing the session): it may have been delivered.
     */
    DELIVERY_UNCERTAIN(Category.AMBIGUOUS, true, "The connection broke after the message was handed over; it may have arrived. A retry may duplicate it."),
    /**
     * A message went out in several transactions because the server takes only so many recipients per
     * message ({@code 452 4.5.3 too many recipients}), and a later transaction failed: the recipients named
     * in the message got it, the others did not (the cause carries the code of that failure). Sending the
     * same message again to everyone would duplicate it.
     */
    PARTIALLY_DELIVERED(Category.RECIPIENT, false, "Some recipients got the message and others did not (both are named in the message): send again only to those it did not reach."),
    /** The connection broke before the message was handed over. */
    CONNECTION_LOST(Category.CONNECTION, true, "The connection broke; try again."),
    /** All pooled connections of the account stayed busy beyond the pool's wait time. */
    POOL_EXHAUSTED(Category.TEMPORARY, true, "All connections of this account are busy; try again, or allow more connections."),
    /** The mail system was closed. */
    CLOSED(Category.INTERNAL, false, "Mailroom was closed; create a new instance."),
    /**
     * Mailroom's own storage (the outbox, the account store, the delivery log) failed or is unreachable;
     * nothing was stored or sent by the failed call.
     */
    STORE_FAILED(Category.INTERNAL, true, "The database behind Mailroom failed or is unreachable; check it, then try again."),
    /** An unexpected failure; the cause has the details. */
    INTERNAL(Category.INTERNAL, false, "An unexpected error; see the cause.");

    /**
     * What kind of problem a code stands for, and so what the outbox, an account's health and callers do
     * about it. Read it instead of keeping lists of codes.
     */
    public enum Category {
        /**
         * The account's settings, the administrator's switches or the server's policy for this account:
         * every message of the account fails the same way until someone changes something. Queued mail of
         * the account is held (its time held does not count toward its maximum age) and released when the
         * settings change.
         */
        ACCOUNT,
        /** Login refused or impossible with these credentials: an {@link #ACCOUNT} problem that needs new credentials. */
        AUTHENTICATION,
        /**
         * The account's server cannot be reached, refuses or drops the session, or stops answering, before
         * the message was handed over: the account's queued mail waits without using up retries.
         */
        CONNECTION,
        /** A transient condition of this attempt (4xx, busy connections): retried with backoff. */
        TEMPORARY,
        /** This message cannot be sent as it is (too large, invalid, refused as a whole): not retried. */
        MESSAGE,
        /** A recipient was refused for good; other recipients may have got the message. */
        RECIPIENT,
        /** The server may have taken the message (the connection broke after it was handed over). */
        AMBIGUOUS,
        /** Mailroom itself: closed, its storage failing, or a bug. */
        INTERNAL;

        /**
         * Whether every message of the account fails the same way until its settings change.
         *
         * @return true for {@link #ACCOUNT} and {@link #AUTHENTICATION}
         */
        public boolean isAccountProblem() {
            return this == ACCOUNT || this == AUTHENTICATION;
        }
    }

    private final Category category;
    private final boolean retryable;
    private final String hint;

    MailErrorCode(Category category, boolean retryable, String hint) {
        this.category = category;
        this.retryable = retryable;
        this.hint = hint;
    }

    /**
     * What kind of problem this is.
     *
     * @return the category
     */
    public Category category() {
        return category;
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
