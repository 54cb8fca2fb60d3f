package dev.mailroom;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An account with its blanks filled: from the defaults account, from the host's global security
 * setting, or by Mailroom's own defaults (ports). {@link #origin(AccountField)} tells, per field,
 * where the effective value came from.
 *
 * <p>The way of sending ({@link #sending()}) is the account's own, else the defaults account's. The SMTP
 * fields are filled from the defaults account only while the account sends over SMTP (or a local relay):
 * an account that sends through the Gmail API or Graph has no SMTP server.
 *
 * <p>Created with {@link #of(Account, Account, Security)}, a pure function, so a draft that was never
 * saved resolves exactly like a stored account. Immutable and thread-safe.
 */
public final class ResolvedAccount {
    private final Account account;
    private final AccountId defaultsAccountId;
    private final Authentication authentication;
    private final String smtpHost;
    private final int smtpPort;
    private final Security smtpSecurity;
    private final String imapHost;
    private final int imapPort;
    private final Security imapSecurity;
    private final String pop3Host;
    private final int pop3Port;
    private final String clientAlias;
    private final String transport;
    private final SendSettings.Kind sendKind;
    private final Map<AccountField, Origin> origins;

    private ResolvedAccount(Account account, AccountId defaultsAccountId, Authentication authentication,
                            String smtpHost, int smtpPort, Security smtpSecurity, String imapHost, int imapPort,
                            Security imapSecurity, String pop3Host, int pop3Port, String clientAlias, String transport,
                            SendSettings.Kind sendKind, Map<AccountField, Origin> origins) {
        this.account = account;
        this.defaultsAccountId = defaultsAccountId;
        this.authentication = authentication;
        this.smtpHost = smtpHost;
        this.smtpPort = smtpPort;
        this.smtpSecurity = smtpSecurity;
        this.imapHost = imapHost;
        this.imapPort = imapPort;
        this.imapSecurity = imapSecurity;
        this.pop3Host = pop3Host;
        this.pop3Port = pop3Port;
        this.clientAlias = clientAlias;
        this.transport = transport;
        this.sendKind = sendKind;
        this.origins = Collections.unmodifiableMap(origins);
    }

    /**
     * Resolves an account.
     *
     * <p>Rules: a blank inheritable field takes the defaults account's value; security
     * {@link Security#DEFAULT} (or unset everywhere) takes {@code hostDefaultSecurity}; a port is
     * inherited only when the account keeps the defaults account's security (leaves it blank or chooses
     * the same), otherwise it is the conventional port of the effective security (so an account that
     * says "TLS" never inherits 587 from a STARTTLS default). An account that sends through an API (Gmail
     * API, Graph) inherits neither the defaults account's SMTP server nor its password login.
     *
     * @param account the account
     * @param defaultsAccount the defaults account, or {@code null}; ignored if it is {@code account}
     * @param hostDefaultSecurity the host's global choice, not {@link Security#DEFAULT}
     * @return the resolved account
     */
    public static ResolvedAccount of(Account account, Account defaultsAccount, Security hostDefaultSecurity) {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(hostDefaultSecurity, "hostDefaultSecurity");
        if (hostDefaultSecurity == Security.DEFAULT) {
            throw new IllegalArgumentException("the host's default security must be NONE, TLS or STARTTLS");
        }
        Account d = defaultsAccount == null || defaultsAccount.id().equals(account.id()) ? null : defaultsAccount;
        Map<AccountField, Origin> o = new EnumMap<>(AccountField.class);
        for (AccountField f : AccountField.values()) {
            o.put(f, Origin.ACCOUNT);
        }
        // identity fields are never inherited: set on the account, or not at all
        unsetIfBlank(account.displayName(), AccountField.DISPLAY_NAME, o);
        unsetIfBlank(account.senderAddress(), AccountField.SENDER_ADDRESS, o);
        unsetIfBlank(account.senderName(), AccountField.SENDER_NAME, o);
        unsetIfBlank(account.textSignature(), AccountField.TEXT_SIGNATURE, o);
        unsetIfBlank(account.htmlSignature(), AccountField.HTML_SIGNATURE, o);
        unsetIfBlank(account.internalNote(), AccountField.INTERNAL_NOTE, o);
        unsetIfBlank(account.sentFolder(), AccountField.SENT_FOLDER, o);

        if (account.fetching().protocol() == FetchSettings.Protocol.NONE) {
            o.put(AccountField.FETCHING, Origin.UNSET);
        }
        SendSettings.Kind sendKind = pick(account.sending().map(SendSettings::kind),
                d == null ? Optional.empty() : d.sending().map(SendSettings::kind), AccountField.SENDING, o);
        // the defaults account's SMTP server fills blanks only of an account that sends over SMTP
        Account ds = sendKind == null || sendKind.isSmtp() ? d : null;
        // nor does an API kind (Gmail API, Graph) inherit the defaults account's password: it cannot log in with one
        Optional<Authentication> inheritedAuth = d == null ? Optional.empty() : d.authentication();
        if (sendKind != null && !sendKind.isSmtp()) {
            inheritedAuth = inheritedAuth.filter(x -> x.kind() != Authentication.Kind.PASSWORD);
        }
        Authentication auth = pick(account.authentication(), inheritedAuth, AccountField.AUTHENTICATION, o);
        String smtpHost = pick(account.smtpHost(), ds == null ? Optional.empty() : ds.smtpHost(), AccountField.SMTP_HOST, o);
        String imapHost = pick(account.imapHost(), d == null ? Optional.empty() : d.imapHost(), AccountField.IMAP_HOST, o);
        String pop3Host = pick(account.pop3Host(), d == null ? Optional.empty() : d.pop3Host(), AccountField.POP3_HOST, o);
        String alias = pick(account.clientAlias(), ds == null ? Optional.empty() : ds.clientAlias(), AccountField.CLIENT_ALIAS, o);
        String transport = pick(account.transport(), d == null ? Optional.empty() : d.transport(), AccountField.TRANSPORT, o);

        Security smtpSec = security(account.smtpSecurity(), ds == null ? Optional.empty() : ds.smtpSecurity(), hostDefaultSecurity, AccountField.SMTP_SECURITY, o);
        int smtpPort = port(account.smtpPort(), ds == null ? Optional.empty() : ds.smtpPort(),
                sameSecurity(account.smtpSecurity(), ds == null ? Optional.empty() : ds.smtpSecurity()), smtpSec.defaultSmtpPort(), AccountField.SMTP_PORT, o);
        Security imapSec = security(account.imapSecurity(), d == null ? Optional.empty() : d.imapSecurity(), hostDefaultSecurity, AccountField.IMAP_SECURITY, o);
        boolean imapSame = sameSecurity(account.imapSecurity(), d == null ? Optional.empty() : d.imapSecurity());
        int imapPort = port(account.imapPort(), d == null ? Optional.empty() : d.imapPort(), imapSame, imapSec.defaultImapPort(), AccountField.IMAP_PORT, o);
        int pop3Port = port(account.pop3Port(), d == null ? Optional.empty() : d.pop3Port(), imapSame, imapSec.defaultPop3Port(), AccountField.POP3_PORT, o);
        if (auth == null) {
            o.put(AccountField.AUTHENTICATION, Origin.UNSET);
        }
        return new ResolvedAccount(account, d == null ? null : d.id(), auth, smtpHost, smtpPort, smtpSec, imapHost, imapPort,
                imapSec, pop3Host, pop3Port, alias, transport, sendKind, o);
    }

    private static void unsetIfBlank(Optional<?> value, AccountField f, Map<AccountField, Origin> o) {
        if (value.isEmpty()) {
            o.put(f, Origin.UNSET);
        }
    }

    private static <T> T pick(Optional<T> own, Optional<T> inherited, AccountField f, Map<AccountField, Origin> o) {
        if (own.isPresent()) {
            return own.get();
        }
        if (inherited.isPresent()) {
            o.put(f, Origin.DEFAULTS_ACCOUNT);
            return inherited.get();
        }
        o.put(f, Origin.UNSET);
        return null;
    }

    private static Security security(Optional<Security> own, Optional<Security> inherited, Security host, AccountField f,
                                     Map<AccountField, Origin> o) {
        Security s = pick(own, inherited, f, o);
        if (s == null || s == Security.DEFAULT) {
            o.put(f, Origin.HOST_DEFAULT);
            return host;
        }
        return s;
    }

    /** The defaults account's port belongs to its security: it fits when the account keeps that security. */
    private static boolean sameSecurity(Optional<Security> own, Optional<Security> inherited) {
        return own.isEmpty() || own.equals(inherited);
    }

    private static int port(Optional<Integer> own, Optional<Integer> inherited, boolean securityFits, int conventional,
                            AccountField f, Map<AccountField, Origin> o) {
        if (own.isPresent()) {
            return own.get();
        }
        if (inherited.isPresent() && securityFits) {
            o.put(f, Origin.DEFAULTS_ACCOUNT);
            return inherited.get();
        }
        o.put(f, Origin.BUILT_IN);
        return conventional;
    }

    /**
     * The problems that keep this account from sending with any transport, field by field. Empty when
     * none of these is found. Unset authentication is a problem unless the account is a local relay: "no
     * login" must be chosen explicitly with {@link Authentication#none()}. What a particular transport needs
     * (an SMTP host, an API's tenant) its provider reports with
     * {@link dev.mailroom.spi.TransportProvider#validate(ResolvedAccount)}.
     *
     * @param needsImap whether IMAP is needed too (a Sent copy made over IMAP, fetching)
     * @return the problems
     */
    public List<FieldProblem> problemsForSending(boolean needsImap) {
        List<FieldProblem> p = new ArrayList<>();
        if (authentication == null && !account.localRelay()) {
            p.add(new FieldProblem(AccountField.AUTHENTICATION, "login data are missing: give user name and password, or choose 'no authentication' explicitly"));
        }
        if (authentication != null && authentication.secret().map(Secret::isPlaceholder).orElse(false)) {
            p.add(new FieldProblem(AccountField.AUTHENTICATION, "the stored secret is not available here; set it again"));
        }
        if (needsImap && imapHost == null) {
            p.add(new FieldProblem(AccountField.IMAP_HOST, "is missing, on the account and on the defaults account"));
        }
        return p;
    }

    /**
     * A copy whose secrets are placeholders, for returning to callers.
     *
     * @return the redacted copy
     */
    public ResolvedAccount redacted() {
        if (authentication == null || authentication.secret().isEmpty()) {
            return this;
        }
        return new ResolvedAccount(account.redacted(), defaultsAccountId, authentication.redacted(), smtpHost, smtpPort,
                smtpSecurity, imapHost, imapPort, imapSecurity, pop3Host, pop3Port, clientAlias, transport, sendKind, origins);
    }

    /**
     * @return the account as stored (or the draft)
     */
    public Account account() { return account; }
    /**
     * @return the account's id
     */
    public AccountId id() { return account.id(); }
    /**
     * @return the defaults account that filled blanks, if one was used
     */
    public Optional<AccountId> defaultsAccountId() { return Optional.ofNullable(defaultsAccountId); }
    /**
     * @return where the effective value of a field came from
     */
    public Map<AccountField, Origin> origins() { return origins; }
    /**
     * @return the effective authentication; empty when unset everywhere
     */
    public Optional<Authentication> authentication() { return Optional.ofNullable(authentication); }
    /**
     * @return the effective SMTP host
     */
    public Optional<String> smtpHost() { return Optional.ofNullable(smtpHost); }
    /**
     * @return the effective SMTP port
     */
    public int smtpPort() { return smtpPort; }
    /**
     * @return the effective SMTP security, never {@link Security#DEFAULT}
     */
    public Security smtpSecurity() { return smtpSecurity; }
    /**
     * @return the effective IMAP host
     */
    public Optional<String> imapHost() { return Optional.ofNullable(imapHost); }
    /**
     * @return the effective IMAP port
     */
    public int imapPort() { return imapPort; }
    /**
     * @return the effective IMAP security, never {@link Security#DEFAULT}
     */
    public Security imapSecurity() { return imapSecurity; }
    /**
     * @return the effective POP3 host
     */
    public Optional<String> pop3Host() { return Optional.ofNullable(pop3Host); }
    /**
     * @return the effective POP3 port
     */
    public int pop3Port() { return pop3Port; }
    /**
     * @return the effective EHLO name
     */
    public Optional<String> clientAlias() { return Optional.ofNullable(clientAlias); }
    /**
     * @return the effective transport id, if one was set
     */
    public Optional<String> transport() { return Optional.ofNullable(transport); }

    /**
     * How the account sends, with the effective SMTP values for the SMTP kinds.
     *
     * @return the effective send part; empty when neither the account nor its defaults account says
     */
    public Optional<SendSettings> sending() {
        if (sendKind == null) {
            return Optional.empty();
        }
        return Optional.of(switch (sendKind) {
            case SMTP, LOCAL_RELAY -> new SendSettings(sendKind, smtpHost, smtpPort, smtpSecurity, clientAlias);
            case GMAIL_API -> SendSettings.gmailApi();
            case GRAPH -> SendSettings.graph();
        });
    }

    /**
     * The account's mailbox with effective values: whether it fetches (its own choice, never inherited),
     * IMAP and POP3 servers, Sent folder.
     *
     * @return the effective mailbox part
     */
    public FetchSettings fetching() {
        return new FetchSettings(account.fetching().protocol(), imapHost, imapPort, imapSecurity, pop3Host, pop3Port,
                account.sentFolder().orElse(null));
    }

    /**
     * Where a field's effective value came from.
     *
     * @param field the field
     * @return the origin
     */
    public Origin origin(AccountField field) {
        return origins.get(Objects.requireNonNull(field, "field"));
    }

    /**
     * The sender of mail through this account: the sender address or the account address, with
     * the sender name or the display name.
     *
     * @return the sender
     */
    public EmailAddress sender() {
        EmailAddress address = account.senderAddress().orElse(account.email());
        String name = account.senderName().or(account::displayName).orElse(address.name());
        return EmailAddress.of(address.address(), name);
    }

    @Override
    public String toString() {
        return "ResolvedAccount[" + account.id() + " " + account.email().address() + " smtp=" + smtpHost + ":" + smtpPort
                + " " + smtpSecurity + " auth=" + authentication + "]";
    }
}
