package dev.mailroom.inbound.internal;

import dev.mailroom.Account;
import dev.mailroom.Authentication;
import dev.mailroom.FetchSettings;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Security;
import dev.mailroom.spi.AccessToken;
import dev.mailroom.spi.TransportContext;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Properties;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * Opens an account's mailbox over IMAP or POP3 with Angus: finite timeouts, {@code BODY.PEEK} for IMAP, the
 * account's TLS choice (server identity checked, STARTTLS required when chosen), the login string passed verbatim
 * (an Exchange shared mailbox's {@code Domain\User\Alias} included), "prevent plain-text login" and "prevent NTLM"
 * as Angus' mechanism switches, and XOAUTH2 with a token from the context's source (refreshed once when refused).
 */
public final class Connector {
    private Connector() {
    }

    /** Where to connect, read from the account. */
    record Endpoint(String protocol, String host, int port, Security security) {
    }

    /**
     * The endpoint of an account's fetch protocol.
     *
     * @param account the account
     * @return protocol ({@code imap} or {@code pop3}), host, port and security
     * @throws MailException {@link MailErrorCode#ACCOUNT_INCOMPLETE} when the account does not fetch or lacks a host
     */
    static Endpoint endpoint(ResolvedAccount account) {
        FetchSettings.Protocol protocol = account.fetching().protocol();
        if (protocol == FetchSettings.Protocol.IMAP) {
            String host = account.imapHost().orElseThrow(() -> incomplete(account, "imapHost", "an IMAP host"));
            return new Endpoint("imap", host, account.imapPort(), account.imapSecurity());
        }
        if (protocol == FetchSettings.Protocol.POP3) {
            String host = account.pop3Host().orElseThrow(() -> incomplete(account, "pop3Host", "a POP3 host"));
            return new Endpoint("pop3", host, account.pop3Port(), account.imapSecurity());
        }
        throw new MailException(MailErrorCode.ACCOUNT_INCOMPLETE, "account " + account.id() + " does not fetch mail (fetching protocol "
                + protocol + "): set FetchSettings.imap(...) or FetchSettings.pop3(...) on the account");
    }

    private static MailException incomplete(ResolvedAccount account, String field, String what) {
        return new MailException(MailErrorCode.ACCOUNT_INCOMPLETE, "account " + account.id() + " fetches mail but has no " + field
                + ": set " + what + " on the account or its defaults account");
    }

    /**
     * Connects and opens the folder.
     *
     * @param account the account
     * @param context timeouts, TLS and the token source
     * @param folder the IMAP folder (ignored for POP3)
     * @return the open session
     * @throws MailException when connecting, logging in or opening the folder fails, with the server's reply
     */
    public static MailboxSession open(ResolvedAccount account, TransportContext context, String folder) {
        Endpoint e = endpoint(account);
        Store store = connect(account, context, e);
        try {
            return e.protocol().equals("imap") ? new ImapSession(store, folder) : new Pop3Session(store);
        } catch (MessagingException ex) {
            throw failure("opening " + (e.protocol().equals("imap") ? "folder " + folder : "the POP3 inbox") + " of account "
                    + account.id(), ex);
        }
    }

    /**
     * Connects and logs in.
     *
     * @param account the account
     * @param context timeouts, TLS and the token source
     * @param e where to connect
     * @return the connected store
     */
    static Store connect(ResolvedAccount account, TransportContext context, Endpoint e) {
        Authentication auth = account.authentication().orElse(Authentication.none());
        boolean oauth = auth instanceof Authentication.OAuth2;
        Session session = Session.getInstance(properties(account, context, e, oauth));
        String user;
        String secret;
        AccessToken token = null;
        if (auth instanceof Authentication.Password p) {
            user = p.user(); // verbatim: Exchange's shared-mailbox form Domain\User\Alias is just a login string
            secret = p.password().reveal();
        } else if (auth instanceof Authentication.OAuth2 o) {
            user = o.user();
            token = context.accessTokens().token(account);
            secret = token.reveal();
        } else {
            throw new MailException(MailErrorCode.AUTH_METHOD_NOT_SUPPORTED, "account " + account.id() + " logs in with "
                    + auth.kind() + ", but fetching needs a password or OAuth 2.0 (XOAUTH2) login");
        }
        try {
            Store store = session.getStore(e.protocol());
            try {
                store.connect(e.host(), e.port(), user, secret);
            } catch (AuthenticationFailedException refused) {
                if (token == null) {
                    throw refused;
                }
                token = context.accessTokens().refresh(account, token);
                store.connect(e.host(), e.port(), user, token.reveal());
            }
            return store;
        } catch (MessagingException ex) {
            throw failure("connecting to " + e.protocol().toUpperCase(java.util.Locale.ROOT) + " server " + e.host() + ":" + e.port()
                    + " for account " + account.id(), ex);
        }
    }

    static Properties properties(ResolvedAccount resolved, TransportContext context, Endpoint e, boolean oauth) {
        Account account = resolved.account();
        String p = "mail." + e.protocol() + ".";
        Properties props = new Properties();
        props.setProperty(p + "connectiontimeout", Long.toString(context.connectTimeout().toMillis()));
        props.setProperty(p + "timeout", Long.toString(context.readTimeout().toMillis()));
        props.setProperty(p + "writetimeout", Long.toString(context.writeTimeout().toMillis()));
        props.put(p + "executor.writetimeout", context.scheduler());
        props.setProperty("mail.imap.peek", "true");
        props.setProperty(p + "auth.plain.disable", Boolean.toString(account.preventPlainTextLogin()));
        props.setProperty(p + "auth.ntlm.disable", Boolean.toString(account.preventNtlm()));
        props.setProperty("mail.debug.auth", "false");
        if (oauth) {
            props.setProperty(p + "auth.mechanisms", "XOAUTH2");
        }
        if (e.security() == Security.TLS || e.security() == Security.STARTTLS) {
            props.put(p + "ssl.socketFactory", context.tls(resolved).getSocketFactory());
            props.setProperty(p + "ssl.checkserveridentity", "true");
            props.setProperty(p + (e.security() == Security.TLS ? "ssl.enable" : "starttls.enable"), "true");
            if (e.security() == Security.STARTTLS) {
                props.setProperty(p + "starttls.required", "true");
            }
        }
        return props;
    }

    /**
     * Turns a failure into a typed one that carries the server's reply.
     *
     * @param what what was being done
     * @param e the failure
     * @return the exception to throw
     */
    public static MailException failure(String what, Exception e) {
        String reply = e.getMessage();
        MailErrorCode code = MailErrorCode.CONNECTION_LOST;
        if (e instanceof AuthenticationFailedException) {
            code = MailErrorCode.AUTH_FAILED;
        } else if (reply != null && reply.contains("No authentication mechanisms supported")) {
            code = MailErrorCode.AUTH_MECHANISM_BLOCKED;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException) {
                code = MailErrorCode.UNKNOWN_HOST;
            } else if (t instanceof ConnectException) {
                code = MailErrorCode.CONNECTION_REFUSED;
            } else if (t instanceof SocketTimeoutException) {
                code = MailErrorCode.TIMEOUT;
            } else if (t instanceof SSLHandshakeException && String.valueOf(t.getMessage()).contains("PKIX")) {
                code = MailErrorCode.CERTIFICATE_UNTRUSTED;
            } else if (t instanceof SSLException) {
                code = MailErrorCode.TLS_FAILED;
            } else {
                continue;
            }
            reply = t.toString();
            break;
        }
        return new MailException(code, what + " failed: " + reply, reply, null, List.of(), e);
    }
}
