package dev.mailroom;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A mail account: who it is (description, names, addresses, signatures, owner and scope), what it may do
 * (flags), how it logs in ({@link Authentication}), and two typed parts: how it sends
 * ({@link SendSettings}: SMTP, local relay, Gmail API, Graph) and its mailbox ({@link FetchSettings}:
 * IMAP and POP3 servers, Sent folder, whether mail is fetched). Immutable; build with {@link #builder()},
 * change with {@link #toBuilder()}.
 *
 * <p>Connection fields (SMTP, IMAP and POP3 host, port and security, client alias, authentication,
 * transport, the way of sending) may be left blank: they are then filled from the defaults account when
 * the account is resolved. Identity fields (address, names, signatures, owner) never are. The builder's
 * field methods ({@code smtp(host, port, security)}, {@code imap(...)}, ...) and the accessors of the same
 * names read and write the parts.
 *
 * <p>{@link Builder#build()} validates every field and reports all problems at once in a
 * {@link MailException} with code {@link MailErrorCode#INVALID_ACCOUNT} and
 * {@link MailException#fieldProblems()}. {@link #toString()} never prints a secret.
 *
 * <pre>{@code
 * Account support = Account.builder()
 *     .description("Support")
 *     .email("support@acme.example")
 *     .tenant("acme").systemAccount(true)
 *     .smtp("mail.acme.example", 587, Security.STARTTLS)
 *     .authentication(Authentication.password("support@acme.example", Secret.of(pw)))
 *     .build();
 * }</pre>
 */
public final class Account {
    private static final Pattern TRANSPORT_ID = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    private final AccountId id;
    private final String description;
    private final String displayName;
    private final EmailAddress email;
    private final Authentication authentication;
    private final SendSettings sending;
    private final FetchSettings fetching;
    private final EmailAddress senderAddress;
    private final String senderName;
    private final String transport;
    private final String textSignature;
    private final String htmlSignature;
    private final String internalNote;
    private final Scope scope;
    private final String tenant;
    private final String owner;
    private final boolean debug;
    private final boolean systemAccount;
    private final boolean defaultsAccount;
    private final boolean enabled;
    private final boolean preventPlainTextLogin;
    private final boolean preventNtlm;
    private final boolean utf8Headers;
    private final boolean copyToSent;

    private Account(Builder b, EmailAddress email, EmailAddress senderAddress) {
        this.id = b.id != null ? b.id : AccountId.random();
        this.description = b.description.strip();
        this.displayName = blankToNull(b.displayName);
        this.email = email;
        this.authentication = b.authentication;
        this.sending = b.sendKind == null ? null : new SendSettings(b.sendKind, b.smtpHost, b.smtpPort, b.smtpSecurity, b.clientAlias);
        this.fetching = new FetchSettings(b.fetchProtocol, b.imapHost, b.imapPort, b.imapSecurity, b.pop3Host, b.pop3Port, b.sentFolder);
        this.senderAddress = senderAddress;
        this.senderName = blankToNull(b.senderName);
        this.transport = blankToNull(b.transport);
        this.textSignature = blankToNull(b.textSignature);
        this.htmlSignature = blankToNull(b.htmlSignature);
        this.internalNote = blankToNull(b.internalNote);
        this.scope = b.scope;
        this.tenant = blankToNull(b.tenant);
        this.owner = blankToNull(b.owner);
        this.debug = b.debug;
        this.systemAccount = b.systemAccount;
        this.defaultsAccount = b.defaultsAccount;
        this.enabled = b.enabled;
        this.preventPlainTextLogin = b.preventPlainTextLogin;
        this.preventNtlm = b.preventNtlm;
        this.utf8Headers = b.utf8Headers;
        this.copyToSent = b.copyToSent;
    }

    /**
     * A new builder: scope {@link Scope#SYSTEM}, enabled, no flags.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder holding this account's values.
     *
     * @return the builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.id = id;
        b.description = description;
        b.displayName = displayName;
        b.email = email.address();
        b.authentication = authentication;
        b.sending(sending);
        b.fetching(fetching);
        b.senderAddress = senderAddress == null ? null : senderAddress.address();
        b.senderName = senderName;
        b.transport = transport;
        b.textSignature = textSignature;
        b.htmlSignature = htmlSignature;
        b.internalNote = internalNote;
        b.scope = scope;
        b.tenant = tenant;
        b.owner = owner;
        b.debug = debug;
        b.systemAccount = systemAccount;
        b.defaultsAccount = defaultsAccount;
        b.enabled = enabled;
        b.preventPlainTextLogin = preventPlainTextLogin;
        b.preventNtlm = preventNtlm;
        b.utf8Headers = utf8Headers;
        b.copyToSent = copyToSent;
        return b;
    }

    /**
     * A copy whose secrets are {@link Secret#stored()} placeholders: what read paths return.
     *
     * @return the redacted copy
     */
    public Account redacted() {
        if (authentication == null || authentication.secret().isEmpty()) {
            return this;
        }
        return toBuilder().authentication(authentication.redacted()).build();
    }

    /**
     * @return the identifier
     */
    public AccountId id() { return id; }
    /**
     * @return the description shown in pick lists
     */
    public String description() { return description; }
    /**
     * @return the display name used as the sender's name
     */
    public Optional<String> displayName() { return Optional.ofNullable(displayName); }
    /**
     * @return the account's email address
     */
    public EmailAddress email() { return email; }
    /**
     * @return how the account logs in, for sending and fetching; empty means "take it from the defaults account"
     */
    public Optional<Authentication> authentication() { return Optional.ofNullable(authentication); }
    /**
     * @return how the account sends; empty means "as the defaults account does"
     */
    public Optional<SendSettings> sending() { return Optional.ofNullable(sending); }
    /**
     * @return the account's mailbox: IMAP and POP3 servers, Sent folder, whether mail is fetched
     */
    public FetchSettings fetching() { return fetching; }
    /**
     * @return the SMTP host of {@link #sending()}; empty means inherited
     */
    public Optional<String> smtpHost() { return sending().flatMap(SendSettings::host); }
    /**
     * @return the SMTP port of {@link #sending()}; empty means inherited or the default of the security choice
     */
    public Optional<Integer> smtpPort() { return sending().flatMap(SendSettings::port); }
    /**
     * @return the SMTP security of {@link #sending()}; empty means inherited
     */
    public Optional<Security> smtpSecurity() { return sending().flatMap(SendSettings::security); }
    /**
     * @return the IMAP host of {@link #fetching()}; empty means inherited
     */
    public Optional<String> imapHost() { return fetching.imapHost(); }
    /**
     * @return the IMAP port of {@link #fetching()}; empty means inherited or the default of the security choice
     */
    public Optional<Integer> imapPort() { return fetching.imapPort(); }
    /**
     * @return the IMAP security of {@link #fetching()}; empty means inherited
     */
    public Optional<Security> imapSecurity() { return fetching.imapSecurity(); }
    /**
     * @return the POP3 host of {@link #fetching()}; optional, empty means inherited
     */
    public Optional<String> pop3Host() { return fetching.pop3Host(); }
    /**
     * @return the POP3 port of {@link #fetching()}; empty means inherited or the default
     */
    public Optional<Integer> pop3Port() { return fetching.pop3Port(); }
    /**
     * @return the sender address if it differs from the account address
     */
    public Optional<EmailAddress> senderAddress() { return Optional.ofNullable(senderAddress); }
    /**
     * @return the sender name if it differs from the display name
     */
    public Optional<String> senderName() { return Optional.ofNullable(senderName); }
    /**
     * @return the EHLO/HELO name of {@link #sending()}; empty means inherited or the local host name
     */
    public Optional<String> clientAlias() { return sending().flatMap(SendSettings::clientAlias); }
    /**
     * @return the transport id; empty means inherited, or chosen by the transports' {@code supports}
     */
    public Optional<String> transport() { return Optional.ofNullable(transport); }
    /**
     * @return the text signature
     */
    public Optional<String> textSignature() { return Optional.ofNullable(textSignature); }
    /**
     * @return the HTML signature
     */
    public Optional<String> htmlSignature() { return Optional.ofNullable(htmlSignature); }
    /**
     * @return the internal description for administrators
     */
    public Optional<String> internalNote() { return Optional.ofNullable(internalNote); }
    /**
     * @return the scope
     */
    public Scope scope() { return scope; }
    /**
     * @return the tenant, empty for system-wide accounts
     */
    public Optional<String> tenant() { return Optional.ofNullable(tenant); }
    /**
     * @return the owning user or department id, for those scopes
     */
    public Optional<String> owner() { return Optional.ofNullable(owner); }
    /**
     * @return whether the protocol dialog is logged (credentials redacted)
     */
    public boolean debug() { return debug; }
    /**
     * @return whether this is a system account
     */
    public boolean systemAccount() { return systemAccount; }
    /**
     * @return whether this account's settings fill blank fields of others
     */
    public boolean defaultsAccount() { return defaultsAccount; }
    /**
     * @return whether the account may be used
     */
    public boolean enabled() { return enabled; }
    /**
     * @return whether this account itself sends through a local relay: the host's MTA, no authentication
     */
    public boolean localRelay() { return sending != null && sending.kind() == SendSettings.Kind.LOCAL_RELAY; }
    /**
     * @return whether the AUTH PLAIN mechanism is refused (LOGIN is still used, see docs/adr/002)
     */
    public boolean preventPlainTextLogin() { return preventPlainTextLogin; }
    /**
     * @return whether NTLM login is refused
     */
    public boolean preventNtlm() { return preventNtlm; }
    /**
     * @return whether the server supports UTF-8 headers (RFC 6532)
     */
    public boolean utf8Headers() { return utf8Headers; }

    /**
     * @return whether sent messages are appended to the IMAP Sent folder
     */
    public boolean copyToSent() { return copyToSent; }

    /**
     * @return the Sent folder's name of {@link #fetching()}; empty means the folder flagged {@code \Sent} (RFC 6154)
     */
    public Optional<String> sentFolder() { return fetching.sentFolder(); }

    /**
     * Whether this account's address or sender address is the given mailbox.
     *
     * @param address the address
     * @return true if this account owns it
     */
    public boolean owns(EmailAddress address) {
        return email.sameMailbox(address) || (senderAddress != null && senderAddress.sameMailbox(address));
    }

    /** Never prints secrets. */
    @Override
    public String toString() {
        return "Account[" + id + " '" + description + "' " + email.address() + " " + scope
                + (tenant != null ? " tenant=" + tenant : "") + (owner != null ? " owner=" + owner : "")
                + (systemAccount ? " system" : "") + (defaultsAccount ? " defaults" : "")
                + (enabled ? "" : " disabled") + (sending != null ? " sending=" + sending : "")
                + (authentication != null ? " auth=" + authentication : "") + "]";
    }

    private static String blankToNull(String s) {
        return AccountChecks.blankToNull(s);
    }

    /**
     * Builds an {@link Account}. Not thread-safe. Setters accept {@code null} to clear an optional
     * field; {@link #build()} validates everything at once.
     */
    public static final class Builder {
        private AccountId id;
        private String description;
        private String displayName;
        private String email;
        private Authentication authentication;
        private SendSettings.Kind sendKind;
        private String smtpHost;
        private Integer smtpPort;
        private Security smtpSecurity;
        private String clientAlias;
        private FetchSettings.Protocol fetchProtocol = FetchSettings.Protocol.NONE;
        private String imapHost;
        private Integer imapPort;
        private Security imapSecurity;
        private String pop3Host;
        private Integer pop3Port;
        private String sentFolder;
        private String senderAddress;
        private String senderName;
        private String transport;
        private String textSignature;
        private String htmlSignature;
        private String internalNote;
        private Scope scope = Scope.SYSTEM;
        private String tenant;
        private String owner;
        private boolean debug;
        private boolean systemAccount;
        private boolean defaultsAccount;
        private boolean enabled = true;
        private boolean preventPlainTextLogin;
        private boolean preventNtlm;
        private boolean utf8Headers;
        private boolean copyToSent;

        private Builder() {
        }

        /**
         * @param id the identifier; generated when not set
         * @return this
         */
        public Builder id(AccountId id) { this.id = id; return this; }
        /**
         * @param id the identifier
         * @return this
         */
        public Builder id(String id) { this.id = id == null ? null : AccountId.of(id); return this; }
        /**
         * @param description shown in pick lists; required
         * @return this
         */
        public Builder description(String description) { this.description = description; return this; }
        /**
         * @param displayName the sender's name
         * @return this
         */
        public Builder displayName(String displayName) { this.displayName = displayName; return this; }
        /**
         * @param email the account's address; required
         * @return this
         */
        public Builder email(String email) { this.email = email; return this; }
        /**
         * @param authentication the login; {@code null} inherits from the defaults account
         * @return this
         */
        public Builder authentication(Authentication authentication) { this.authentication = authentication; return this; }

        /**
         * Sets how the account sends, replacing every SMTP field set before.
         *
         * @param sending the send part, or {@code null} to send as the defaults account does
         * @return this
         */
        public Builder sending(SendSettings sending) {
            this.sendKind = sending == null ? null : sending.kind();
            this.smtpHost = sending == null ? null : sending.host().orElse(null);
            this.smtpPort = sending == null ? null : sending.port().orElse(null);
            this.smtpSecurity = sending == null ? null : sending.security().orElse(null);
            this.clientAlias = sending == null ? null : sending.clientAlias().orElse(null);
            return this;
        }

        /**
         * Sets the account's mailbox, replacing every IMAP, POP3 and Sent folder field set before.
         *
         * @param fetching the mailbox part, or {@code null} for {@link FetchSettings#none()}
         * @return this
         */
        public Builder fetching(FetchSettings fetching) {
            FetchSettings f = fetching == null ? FetchSettings.none() : fetching;
            this.fetchProtocol = f.protocol();
            this.imapHost = f.imapHost().orElse(null);
            this.imapPort = f.imapPort().orElse(null);
            this.imapSecurity = f.imapSecurity().orElse(null);
            this.pop3Host = f.pop3Host().orElse(null);
            this.pop3Port = f.pop3Port().orElse(null);
            this.sentFolder = f.sentFolder().orElse(null);
            return this;
        }

        /** An SMTP field was given: the account sends over SMTP unless it already speaks SMTP (as a local relay). */
        private void smtpField(Object value) {
            if (value != null && (sendKind == null || !sendKind.isSmtp())) {
                sendKind = SendSettings.Kind.SMTP;
            }
        }

        /**
         * Sends over this SMTP server: shorthand for {@code sending(SendSettings.smtp(host, port, security))}
         * whose values are checked by {@link #build()}.
         *
         * @param host host name
         * @param port port, or {@code null} for the default of the security choice
         * @param security the security, or {@code null} to inherit
         * @return this
         */
        public Builder smtp(String host, Integer port, Security security) {
            if (sendKind == null || !sendKind.isSmtp()) {
                sendKind = SendSettings.Kind.SMTP;
            }
            this.smtpHost = host;
            this.smtpPort = port;
            this.smtpSecurity = security;
            return this;
        }

        /**
         * @param host SMTP host; a value makes the account send over SMTP
         * @return this
         */
        public Builder smtpHost(String host) { smtpField(host); this.smtpHost = host; return this; }
        /**
         * @param port SMTP port, 1 to 65535; a value makes the account send over SMTP
         * @return this
         */
        public Builder smtpPort(Integer port) { smtpField(port); this.smtpPort = port; return this; }
        /**
         * @param security SMTP security; a value makes the account send over SMTP
         * @return this
         */
        public Builder smtpSecurity(Security security) { smtpField(security); this.smtpSecurity = security; return this; }

        /**
         * Sets the IMAP server of the mailbox in one call (used for the Sent copy and IMAP fetching).
         *
         * @param host host name
         * @param port port, or {@code null} for the default
         * @param security the security, or {@code null} to inherit
         * @return this
         */
        public Builder imap(String host, Integer port, Security security) {
            this.imapHost = host;
            this.imapPort = port;
            this.imapSecurity = security;
            return this;
        }

        /**
         * @param host POP3 host
         * @param port POP3 port or {@code null}
         * @return this
         */
        public Builder pop3(String host, Integer port) { this.pop3Host = host; this.pop3Port = port; return this; }
        /**
         * @param senderAddress sender address differing from the login
         * @return this
         */
        public Builder senderAddress(String senderAddress) { this.senderAddress = senderAddress; return this; }
        /**
         * @param senderName sender name differing from the display name
         * @return this
         */
        public Builder senderName(String senderName) { this.senderName = senderName; return this; }
        /**
         * @param clientAlias the EHLO/HELO name; a value makes the account send over SMTP
         * @return this
         */
        public Builder clientAlias(String clientAlias) { smtpField(clientAlias); this.clientAlias = clientAlias; return this; }
        /**
         * @param transport transport id ("smtp", "gmail", "graph"), or {@code null} to choose automatically
         * @return this
         */
        public Builder transport(String transport) { this.transport = transport; return this; }
        /**
         * @param text text signature
         * @param html HTML signature
         * @return this
         */
        public Builder signature(String text, String html) { this.textSignature = text; this.htmlSignature = html; return this; }
        /**
         * @param internalNote internal description
         * @return this
         */
        public Builder internalNote(String internalNote) { this.internalNote = internalNote; return this; }
        /**
         * @param debug log the protocol dialog, credentials redacted
         * @return this
         */
        public Builder debug(boolean debug) { this.debug = debug; return this; }
        /**
         * @param systemAccount flag as system account
         * @return this
         */
        public Builder systemAccount(boolean systemAccount) { this.systemAccount = systemAccount; return this; }
        /**
         * @param defaultsAccount flag as defaults account
         * @return this
         */
        public Builder defaultsAccount(boolean defaultsAccount) { this.defaultsAccount = defaultsAccount; return this; }
        /**
         * @param enabled whether the account may be used
         * @return this
         */
        public Builder enabled(boolean enabled) { this.enabled = enabled; return this; }
        /**
         * @param prevent refuse the AUTH PLAIN mechanism (as JavaMail's {@code auth.plain.disable}; LOGIN is still used)
         * @return this
         */
        public Builder preventPlainTextLogin(boolean prevent) { this.preventPlainTextLogin = prevent; return this; }
        /**
         * @param prevent refuse NTLM login
         * @return this
         */
        public Builder preventNtlm(boolean prevent) { this.preventNtlm = prevent; return this; }
        /**
         * @param utf8Headers the server supports UTF-8 headers, RFC 6532
         * @return this
         */
        public Builder utf8Headers(boolean utf8Headers) { this.utf8Headers = utf8Headers; return this; }

        /**
         * Appends every sent message to the IMAP Sent folder; needs the IMAP settings.
         *
         * @param copy whether to copy
         * @param folder the folder name, or {@code null} for the folder flagged {@code \Sent} (RFC 6154)
         * @return this
         */
        public Builder copyToSent(boolean copy, String folder) {
            this.copyToSent = copy;
            this.sentFolder = folder;
            return this;
        }

        /**
         * Makes this a local relay: the host's own MTA on {@code localhost}, plain SMTP, no login.
         * Shorthand for {@code sending(SendSettings.localRelay(port))} and {@link Authentication#none()}.
         *
         * @param port the MTA's port, usually 25
         * @return this
         */
        public Builder localRelay(int port) {
            this.sendKind = SendSettings.Kind.LOCAL_RELAY;
            this.smtpHost = "localhost";
            this.smtpPort = port;
            this.smtpSecurity = Security.NONE;
            this.authentication = Authentication.none();
            return this;
        }
        /**
         * Scope {@link Scope#SYSTEM}: a system-wide account.
         * @return this
         */
        public Builder systemWide() { this.scope = Scope.SYSTEM; this.tenant = null; this.owner = null; return this; }

        /**
         * Scope {@link Scope#TENANT}, or sets the tenant of a department or user account.
         *
         * @param tenant the tenant id
         * @return this
         */
        public Builder tenant(String tenant) {
            this.tenant = tenant;
            if (scope == Scope.SYSTEM) {
                scope = Scope.TENANT;
            }
            return this;
        }

        /**
         * @param department the owning department; scope {@link Scope#DEPARTMENT}
         * @return this
         */
        public Builder department(String department) { this.scope = Scope.DEPARTMENT; this.owner = department; return this; }
        /**
         * @param user the owning user; scope {@link Scope#USER}
         * @return this
         */
        public Builder user(String user) { this.scope = Scope.USER; this.owner = user; return this; }

        /**
         * Validates and builds.
         *
         * @return the account
         * @throws MailException with {@link MailErrorCode#INVALID_ACCOUNT} listing every problem by field
         */
        public Account build() {
            List<FieldProblem> problems = new ArrayList<>();
            if (description == null || description.isBlank()) {
                problems.add(new FieldProblem(AccountField.DESCRIPTION, "is required (it is shown in pick lists)"));
            } else if (description.length() > 200 || hasControl(description)) {
                problems.add(new FieldProblem(AccountField.DESCRIPTION, "must be at most 200 characters without line breaks"));
            }
            checkText(displayName, AccountField.DISPLAY_NAME, problems);
            checkText(senderName, AccountField.SENDER_NAME, problems);
            EmailAddress parsedEmail = address(email, AccountField.EMAIL, true, problems);
            EmailAddress parsedSender = address(senderAddress, AccountField.SENDER_ADDRESS, false, problems);
            AccountChecks.checkHost(smtpHost, AccountField.SMTP_HOST, problems);
            AccountChecks.checkHost(imapHost, AccountField.IMAP_HOST, problems);
            AccountChecks.checkHost(pop3Host, AccountField.POP3_HOST, problems);
            AccountChecks.checkHost(clientAlias, AccountField.CLIENT_ALIAS, problems);
            AccountChecks.checkPort(smtpPort, AccountField.SMTP_PORT, problems);
            AccountChecks.checkPort(imapPort, AccountField.IMAP_PORT, problems);
            AccountChecks.checkPort(pop3Port, AccountField.POP3_PORT, problems);
            if (transport != null && !transport.isBlank() && !TRANSPORT_ID.matcher(transport.strip()).matches()) {
                problems.add(new FieldProblem(AccountField.TRANSPORT, "'" + transport + "' is not a transport id (lower-case letters, digits, '-'), e.g. smtp"));
            }
            switch (scope) {
                case SYSTEM -> {
                    if (tenant != null || owner != null) {
                        problems.add(new FieldProblem(AccountField.OWNER, "a system-wide account has no tenant or owner"));
                    }
                }
                case TENANT -> {
                    if (tenant == null || tenant.isBlank()) {
                        problems.add(new FieldProblem(AccountField.OWNER, "a tenant account needs the tenant id"));
                    }
                }
                case DEPARTMENT, USER -> {
                    if (owner == null || owner.isBlank()) {
                        problems.add(new FieldProblem(AccountField.OWNER, "a " + scope.name().toLowerCase() + " account needs the owning " + scope.name().toLowerCase() + " id"));
                    }
                    if (systemAccount) {
                        problems.add(new FieldProblem(AccountField.OWNER, "only system-wide or tenant accounts can be system accounts; this one belongs to a " + scope.name().toLowerCase()));
                    }
                }
                default -> throw new IllegalStateException(scope.toString());
            }
            AccountChecks.checkFolder(sentFolder, problems);
            if (sendKind == SendSettings.Kind.LOCAL_RELAY && authentication != null && authentication.kind() != Authentication.Kind.NONE) {
                problems.add(new FieldProblem(AccountField.AUTHENTICATION, "a local relay does not log in; remove the credentials or turn local relay off"));
            }
            if (!problems.isEmpty()) {
                String what = "account '" + (description == null ? "?" : description.strip()) + "'";
                throw MailException.fieldProblems(MailErrorCode.INVALID_ACCOUNT, what, problems);
            }
            return new Account(this, parsedEmail, parsedSender);
        }

        private static boolean hasControl(String s) {
            return AccountChecks.hasControl(s);
        }

        private static void checkText(String value, AccountField field, List<FieldProblem> problems) {
            if (value != null && (value.length() > 200 || hasControl(value))) {
                problems.add(new FieldProblem(field, "must be at most 200 characters without line breaks or control characters"));
            }
        }

        private static EmailAddress address(String value, AccountField field, boolean required, List<FieldProblem> problems) {
            if (value == null || value.isBlank()) {
                if (required) {
                    problems.add(new FieldProblem(field, "is required, e.g. support@example.com"));
                }
                return null;
            }
            try {
                return EmailAddress.of(value);
            } catch (MailException e) {
                problems.add(new FieldProblem(field, e.getMessage()));
                return null;
            }
        }
    }

    /**
     * Compares every field (secrets included, in constant time).
     */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Account a)) {
            return false;
        }
        return debug == a.debug && systemAccount == a.systemAccount && defaultsAccount == a.defaultsAccount
                && enabled == a.enabled && preventPlainTextLogin == a.preventPlainTextLogin
                && preventNtlm == a.preventNtlm && utf8Headers == a.utf8Headers && copyToSent == a.copyToSent
                && id.equals(a.id) && description.equals(a.description) && Objects.equals(displayName, a.displayName)
                && email.equals(a.email) && Objects.equals(authentication, a.authentication)
                && Objects.equals(sending, a.sending) && fetching.equals(a.fetching)
                && Objects.equals(senderAddress, a.senderAddress) && Objects.equals(senderName, a.senderName)
                && Objects.equals(transport, a.transport)
                && Objects.equals(textSignature, a.textSignature) && Objects.equals(htmlSignature, a.htmlSignature)
                && Objects.equals(internalNote, a.internalNote) && scope == a.scope
                && Objects.equals(tenant, a.tenant) && Objects.equals(owner, a.owner);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, email, scope, tenant, owner);
    }
}
