package dev.mailroom.smtp.internal;

import dev.mailroom.AccountField;
import dev.mailroom.Authentication;
import dev.mailroom.FieldProblem;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Security;
import dev.mailroom.spi.AccessToken;
import dev.mailroom.spi.AccessTokens;
import dev.mailroom.spi.AccountTls;
import dev.mailroom.spi.DomainNames;
import dev.mailroom.spi.TransportContext;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import javax.net.ssl.SSLSocketFactory;

/**
 * The Angus session for one account's settings: security, timeouts, allowed SASL mechanisms, EHLO
 * name, socket factories, TLS trust and verification name. Its {@link #fingerprint()} changes whenever any of those (or the password)
 * change, so a pool never reuses a connection opened with old settings.
 */
final class AccountSession {
    private static final List<String> PASSWORD_MECHANISMS = List.of("LOGIN", "PLAIN", "DIGEST-MD5", "NTLM");
    static final String XOAUTH2 = "XOAUTH2";
    /** Session property under which the connection finds its protocol-log redactor (to add the token as a secret). */
    static final String REDACTOR = "mailroom.redactor";

    private final ResolvedAccount account;
    private final Properties props;
    private final String user;
    private final String password;
    private final String fingerprint;
    private final List<String> mechanisms;
    private final boolean oauth;
    private final AccessTokens tokens;
    private final ScheduledExecutorService writeTimeouts;
    private final long writeTimeoutMillis;

    AccountSession(ResolvedAccount account, TransportContext settings, ScheduledExecutorService writeTimeouts) {
        this.account = account;
        Authentication auth = account.authentication().orElse(Authentication.none());
        this.tokens = settings.accessTokens();
        this.writeTimeouts = writeTimeouts;
        this.writeTimeoutMillis = settings.writeTimeout().toMillis();
        this.oauth = usesToken(auth) && !account.account().localRelay();
        boolean login = (auth instanceof Authentication.Password || oauth) && !account.account().localRelay();
        this.user = !login ? null : oauth ? tokenUser(account) : ((Authentication.Password) auth).user();
        // With OAuth there is no password: each new connection asks the token source (the token is not part of the fingerprint).
        this.password = login && !oauth ? ((Authentication.Password) auth).password().reveal() : null;

        List<String> mech = new ArrayList<>(oauth ? List.of(XOAUTH2) : PASSWORD_MECHANISMS);
        if (account.account().preventPlainTextLogin()) {
            mech.remove("PLAIN");
        }
        if (account.account().preventNtlm()) {
            mech.remove("NTLM");
        }
        this.mechanisms = List.copyOf(mech);

        Properties p = new Properties();
        String host = account.smtpHost().orElseThrow();
        p.setProperty("mail.smtp.host", host);
        p.setProperty("mail.smtp.port", Integer.toString(account.smtpPort()));
        p.setProperty("mail.smtp.connectiontimeout", Long.toString(settings.connectTimeout().toMillis()));
        p.setProperty("mail.smtp.timeout", Long.toString(settings.readTimeout().toMillis()));
        p.setProperty("mail.smtp.writetimeout", Long.toString(settings.writeTimeout().toMillis()));
        p.put("mail.smtp.executor.writetimeout", writeTimeouts);
        p.setProperty("mail.smtp.quitwait", "false");
        p.setProperty("mail.smtp.sendpartial", "false");
        p.setProperty("mail.smtp.from", account.sender().withAsciiDomain().address()); // IDNA, as the renderer does
        p.setProperty("mail.mime.allowutf8", "false");
        p.setProperty("mail.debug.auth", "false");
        account.clientAlias().ifPresent(a -> p.setProperty("mail.smtp.localhost", ehloName(a)));
        // XOAUTH2 is done by this class (connect), not by Angus: Angus sends the token only as an initial response,
        // whose line grows too long for some servers with real tokens (angus-mail #201), and cannot refresh and retry.
        p.setProperty("mail.smtp.auth", Boolean.toString(login && !oauth));
        p.setProperty("mail.smtp.auth.mechanisms", String.join(" ", mechanisms));
        p.setProperty("mail.smtp.auth.plain.disable", Boolean.toString(account.account().preventPlainTextLogin()));
        p.setProperty("mail.smtp.auth.ntlm.disable", Boolean.toString(account.account().preventNtlm()));
        p.setProperty("mail.smtp.auth.xoauth2.disable", "true");
        p.put("mail.smtp.socketFactory", NoDelaySocketFactory.INSTANCE);
        // Angus retries a failed connect with the JVM's default factory: a second connection, another trust store, a misleading error.
        p.setProperty("mail.smtp.socketFactory.fallback", "false");
        AccountTls tls = settings.accountTls(account);
        SSLSocketFactory ssl = tls.context().orElseGet(settings::defaultTls).getSocketFactory();
        // With a verification name, TLS runs over the connection to the host with that name as its peer: SNI and the
        // certificate check (endpoint identification, below) use it instead of the connect host; nothing is skipped.
        p.put("mail.smtp.ssl.socketFactory", new NoDelaySslSocketFactory(ssl, tls.serverName().orElse(null)));
        p.setProperty("mail.smtp.ssl.checkserveridentity", "true");
        p.setProperty("mail.smtp.ssl.protocols", "TLSv1.3 TLSv1.2");
        Security security = account.account().localRelay() ? Security.NONE : account.smtpSecurity();
        switch (security) {
            case TLS -> p.setProperty("mail.smtp.ssl.enable", "true");
            case STARTTLS -> {
                p.setProperty("mail.smtp.starttls.enable", "true");
                p.setProperty("mail.smtp.starttls.required", "true");
            }
            case NONE -> p.setProperty("mail.smtp.starttls.enable", "false");
            default -> throw new IllegalStateException("unresolved security " + security);
        }
        this.props = p;
        this.fingerprint = fingerprint(host, account, security, login, settings, tls);
    }

    /** The client alias in IDNA (punycode), as EHLO needs it; one that has no ASCII form is an account problem. */
    private String ehloName(String alias) {
        if (alias.startsWith("[")) {
            return alias; // an address literal, [192.0.2.1]
        }
        try {
            return DomainNames.installed().toAscii(alias);
        } catch (IllegalArgumentException e) {
            throw MailException.fieldProblems(MailErrorCode.INVALID_ACCOUNT, "account " + account.account().email().address()
                    + ": the client alias cannot be used as EHLO name", List.of(new FieldProblem(AccountField.CLIENT_ALIAS, e.getMessage())));
        }
    }

    /** The TLS part is the trust material's key and the verification name, not the context's identity: a host may build a new context per call. */
    private String fingerprint(String host, ResolvedAccount a, Security security, boolean login, TransportContext s, AccountTls tls) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            String text = String.join("\u0000", host, Integer.toString(a.smtpPort()), security.name(), Boolean.toString(login),
                    Boolean.toString(oauth), a.authentication().flatMap(Authentication::oauthClient).map(c -> c.value()).orElse(""),
                    String.valueOf(user), String.valueOf(password), String.join(",", mechanisms), a.clientAlias().orElse(""),
                    a.sender().address(), Boolean.toString(a.account().debug()), String.valueOf(System.identityHashCode(s)),
                    tls.key(), tls.serverName().orElse(""));
            return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    ResolvedAccount account() {
        return account;
    }

    String fingerprint() {
        return fingerprint;
    }

    boolean login() {
        return user != null;
    }

    List<String> mechanisms() {
        return mechanisms;
    }

    /** A new Angus session; with a sink, the protocol dialog is written to it, redacted. */
    Session newSession(Consumer<String> debugSink, boolean withLogin) {
        return newSession(debugSink, withLogin, false);
    }

    /** A new Angus session; {@code utf8} lets Angus send SMTPUTF8 and raw UTF-8 addresses. */
    Session newSession(Consumer<String> debugSink, boolean withLogin, boolean utf8) {
        Properties p = new Properties();
        p.putAll(props);
        if (utf8) {
            p.setProperty("mail.mime.allowutf8", "true");
        }
        if (!withLogin) {
            p.setProperty("mail.smtp.auth", "false");
        }
        Redactor redactor = debugSink == null ? null : new Redactor(user, password, debugSink);
        if (redactor != null) {
            p.put(REDACTOR, redactor);
        }
        Session s = Session.getInstance(p);
        if (redactor != null) {
            s.setDebugOut(new PrintStream(redactor, true, StandardCharsets.UTF_8));
            s.setDebug(true);
        }
        return s;
    }

    /** Opens a connection (greeting, EHLO, STARTTLS, AUTH). */
    TrackingSmtpTransport connect(Session session, boolean withLogin) throws MessagingException {
        return connect(new TrackingSmtpTransport(session), withLogin);
    }

    /**
     * Opens the given connection (greeting, EHLO, STARTTLS, AUTH); on failure it is closed and the failure
     * classified with what the connection recorded (greeting, EHLO reply, the step), which the caller may read.
     */
    TrackingSmtpTransport connect(TrackingSmtpTransport t, boolean withLogin) throws MessagingException {
        boolean ok = false;
        Wire.forget();
        try {
            if (withLogin && oauth) {
                AccessToken token = tokens.token(account); // a MailException (no token) goes out as it is: nothing was sent
                t.connect(account.smtpHost().orElseThrow(), account.smtpPort(), null, null);
                xoauth2(t, token);
            } else if (withLogin && user != null) {
                t.connect(account.smtpHost().orElseThrow(), account.smtpPort(), user, password);
                // Angus skips AUTH silently when the server does not offer it: never send unauthenticated by accident.
                if (!t.supportsExtension("AUTH") && !t.supportsExtension("AUTH=LOGIN")) {
                    throw new MailException(MailErrorCode.AUTH_NOT_OFFERED, account.smtpHost().orElse("?") + ":" + account.smtpPort()
                            + " offers no login (no AUTH in its EHLO reply), but the account has login data; nothing was sent",
                            t.ehloReply(), null, List.of(), null);
                }
            } else {
                t.connect(account.smtpHost().orElseThrow(), account.smtpPort(), null, null);
            }
            // Message transactions go straight to the socket the factories made for this connection (ADR 020).
            t.attachWire(Wire.take(t.isSSL(), writeTimeouts, writeTimeoutMillis, t.trace()));
            ok = true;
            return t;
        } catch (MessagingException e) {
            throw Failures.toException(e, t, account);
        } finally {
            Wire.forget();
            if (!ok) {
                closeQuietly(t);
            }
        }
    }

    /**
     * XOAUTH2 on a connected transport: a refusal ({@code 535}, or {@code 334} with error details) makes the
     * token source refresh the token once and the login is tried once more; a second refusal is AUTH_FAILED.
     */
    private void xoauth2(TrackingSmtpTransport t, AccessToken token) throws MessagingException {
        String offered = t.getExtensionParameter("AUTH");
        if (offered == null) {
            throw new MailException(MailErrorCode.AUTH_NOT_OFFERED, account.smtpHost().orElse("?") + ":" + account.smtpPort()
                    + " offers no login (no AUTH in its EHLO reply), but the account logs in with OAuth 2.0; nothing was sent",
                    t.ehloReply(), null, List.of(), null);
        }
        if (!List.of(offered.toUpperCase(java.util.Locale.ROOT).split("\\s+")).contains(XOAUTH2)) {
            throw new MailException(MailErrorCode.AUTH_MECHANISM_BLOCKED, account.smtpHost().orElse("?") + ":" + account.smtpPort()
                    + " does not offer XOAUTH2 (it offers " + offered + "), which OAuth 2.0 login needs; nothing was sent",
                    t.ehloReply(), "Use a password or app password for this server, or a server that offers XOAUTH2.", List.of(), null);
        }
        int code = t.xoauth2(user, token.reveal());
        if (code == 235) {
            return;
        }
        if (code != 535) { // not a refused token (454 temporary, 421 busy, 534 policy...): a fresh one would not help
            throw new jakarta.mail.AuthenticationFailedException(t.getLastServerResponse());
        }
        AccessToken fresh = tokens.refresh(account, token);
        code = t.xoauth2(user, fresh.reveal());
        if (code != 235) {
            throw new jakarta.mail.AuthenticationFailedException(t.getLastServerResponse());
        }
    }

    static void closeQuietly(TrackingSmtpTransport t) {
        try {
            t.close();
        } catch (MessagingException | RuntimeException ignored) {
            // closing a broken connection: nothing to report
        }
    }

    /** Whether the account logs in with an access token (XOAUTH2): OAuth 2.0 for a user, or an app acting for the mailbox. */
    static boolean usesToken(Authentication auth) {
        return auth.kind() == Authentication.Kind.OAUTH2 || auth.kind() == Authentication.Kind.MICROSOFT_APP;
    }

    /**
     * The XOAUTH2 user: the authorized mailbox for OAuth 2.0; for app credentials (Microsoft {@code SMTP.SendAsApp},
     * {@code IMAP.AccessAsApp}) the mailbox the app acts for, which is the account's address.
     */
    static String tokenUser(ResolvedAccount account) {
        Authentication auth = account.authentication().orElseThrow();
        return auth.username().orElse(account.account().email().address());
    }
}
