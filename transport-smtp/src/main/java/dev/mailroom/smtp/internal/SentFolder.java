package dev.mailroom.smtp.internal;

import dev.mailroom.Authentication;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Security;
import dev.mailroom.spi.AccessToken;
import dev.mailroom.spi.AccessTokens;
import dev.mailroom.spi.AccountTls;
import dev.mailroom.spi.TransportContext;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.MimeMessage;
import org.eclipse.angus.mail.imap.IMAPFolder;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import javax.net.ssl.SSLSocketFactory;

/**
 * Appends a sent message to the account's IMAP Sent folder: the configured one (created when
 * missing), else the one flagged {@code \Sent} (RFC 6154 SPECIAL-USE), else the first existing folder
 * with a usual name. Same TLS rules (trust material and verification name of the account), finite timeouts
 * and login as SMTP: a password, or XOAUTH2 with a token from the transport context's token source.
 */
final class SentFolder {
    private static final List<String> USUAL_NAMES = List.of("Sent", "Sent Items", "Sent Messages", "Gesendet",
            "Gesendete Elemente", "Gesendete Objekte", "INBOX.Sent", "INBOX/Sent");

    private SentFolder() {
    }

    /** Appends the message, marked as seen; returns the folder's full name. */
    static String append(ResolvedAccount account, MimeMessage message, TransportContext settings, ScheduledExecutorService timer,
                         Consumer<String> debug) throws MessagingException {
        String host = account.imapHost().orElseThrow(() -> new MessagingException("no IMAP host is configured for the Sent copy"));
        Authentication auth = account.authentication().orElse(Authentication.none());
        boolean oauth = AccountSession.usesToken(auth);
        if (!(auth instanceof Authentication.Password) && !oauth) {
            throw new MessagingException("the Sent copy needs a password or OAuth 2.0 login; the account uses " + auth.kind());
        }
        String user = oauth ? AccountSession.tokenUser(account) : ((Authentication.Password) auth).user();
        Properties p = new Properties();
        p.setProperty("mail.imap.connectiontimeout", Long.toString(settings.connectTimeout().toMillis()));
        p.setProperty("mail.imap.timeout", Long.toString(settings.readTimeout().toMillis()));
        p.setProperty("mail.imap.writetimeout", Long.toString(settings.writeTimeout().toMillis()));
        p.put("mail.imap.executor.writetimeout", timer);
        p.put("mail.imap.socketFactory", NoDelaySocketFactory.INSTANCE);
        p.setProperty("mail.imap.socketFactory.fallback", "false");
        AccountTls tls = settings.accountTls(account);
        SSLSocketFactory ssl = tls.context().orElseGet(settings::defaultTls).getSocketFactory();
        // The account's verification name, as for SMTP: the certificate must carry that name instead of the connect host.
        p.put("mail.imap.ssl.socketFactory", new NoDelaySslSocketFactory(ssl, tls.serverName().orElse(null)));
        p.setProperty("mail.imap.ssl.checkserveridentity", "true");
        p.setProperty("mail.imap.auth.plain.disable", Boolean.toString(account.account().preventPlainTextLogin()));
        p.setProperty("mail.imap.auth.ntlm.disable", Boolean.toString(account.account().preventNtlm()));
        p.setProperty("mail.debug.auth", "false");
        if (oauth) {
            p.setProperty("mail.imap.auth.mechanisms", AccountSession.XOAUTH2);
            p.setProperty("mail.imap.auth.xoauth2.disable", "false");
            p.setProperty("mail.imap.auth.login.disable", "true");
            p.setProperty("mail.imap.auth.plain.disable", "true");
        }
        Security security = account.imapSecurity();
        if (security == Security.TLS) {
            p.setProperty("mail.imap.ssl.enable", "true");
        } else if (security == Security.STARTTLS) {
            p.setProperty("mail.imap.starttls.enable", "true");
            p.setProperty("mail.imap.starttls.required", "true");
        }
        Session session = Session.getInstance(p);
        Redactor redactor = debug == null ? null : new Redactor(user, oauth ? null : ((Authentication.Password) auth).password().reveal(), debug);
        if (redactor != null) {
            session.setDebugOut(new PrintStream(redactor, true, StandardCharsets.UTF_8));
            session.setDebug(true);
        }
        Store store = oauth ? connectWithToken(session, host, account, user, settings.accessTokens(), redactor)
                : connect(session, host, account, user, ((Authentication.Password) auth).password().reveal());
        try {
            Folder folder = find(store, account);
            message.setFlag(Flags.Flag.SEEN, true);
            folder.appendMessages(new Message[] {message});
            return folder.getFullName();
        } finally {
            Wire.forget(); // the TLS factory noted the IMAP socket for an SMTP connection: not needed
            try {
                store.close();
            } catch (MessagingException ignored) {
                // the copy is stored; closing is best effort
            }
        }
    }

    private static Store connect(Session session, String host, ResolvedAccount account, String user, String password)
            throws MessagingException {
        Store store = session.getStore("imap");
        store.connect(host, account.imapPort(), user, password);
        return store;
    }

    /** XOAUTH2 with the token source's token; a refused token is refreshed once and the login tried once more. */
    private static Store connectWithToken(Session session, String host, ResolvedAccount account, String user, AccessTokens tokens,
                                          Redactor redactor) throws MessagingException {
        AccessToken token = tokens.token(account);
        try {
            return connect(session, host, account, user, secret(redactor, user, token));
        } catch (AuthenticationFailedException refused) {
            AccessToken fresh = tokens.refresh(account, token);
            return connect(session, host, account, user, secret(redactor, user, fresh));
        }
    }

    private static String secret(Redactor redactor, String user, AccessToken token) {
        if (redactor != null) {
            redactor.secret(token.reveal());
            redactor.secret(java.util.Base64.getEncoder().encodeToString(("user=" + user + "\u0001auth=Bearer " + token.reveal()
                    + "\u0001\u0001").getBytes(StandardCharsets.UTF_8)));
        }
        return token.reveal();
    }

    private static Folder find(Store store, ResolvedAccount account) throws MessagingException {
        if (account.account().sentFolder().isPresent()) {
            Folder f = store.getFolder(account.account().sentFolder().get());
            if (!f.exists() && !f.create(Folder.HOLDS_MESSAGES)) {
                throw new MessagingException("the Sent folder '" + f.getFullName() + "' does not exist and cannot be created");
            }
            return f;
        }
        for (Folder f : store.getDefaultFolder().list("*")) {
            if (f instanceof IMAPFolder imap && Arrays.asList(imap.getAttributes()).contains("\\Sent")) {
                return f;
            }
        }
        for (String name : USUAL_NAMES) {
            Folder f = store.getFolder(name);
            if (f.exists()) {
                return f;
            }
        }
        throw new MessagingException("no folder is flagged \\Sent and none has a usual name (" + USUAL_NAMES
                + "): set the account's Sent folder name");
    }
}
