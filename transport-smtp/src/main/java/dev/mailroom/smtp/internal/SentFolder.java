package dev.mailroom.smtp.internal;

import dev.mailroom.Authentication;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Security;
import dev.mailroom.spi.TransportContext;
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
 * with a usual name. Same TLS rules and finite timeouts as SMTP.
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
        if (!(auth instanceof Authentication.Password password)) {
            throw new MessagingException("the Sent copy needs a password login; the account uses " + auth);
        }
        Properties p = new Properties();
        p.setProperty("mail.imap.connectiontimeout", Long.toString(settings.connectTimeout().toMillis()));
        p.setProperty("mail.imap.timeout", Long.toString(settings.readTimeout().toMillis()));
        p.setProperty("mail.imap.writetimeout", Long.toString(settings.writeTimeout().toMillis()));
        p.put("mail.imap.executor.writetimeout", timer);
        p.put("mail.imap.socketFactory", NoDelaySocketFactory.INSTANCE);
        p.setProperty("mail.imap.socketFactory.fallback", "false");
        SSLSocketFactory ssl = settings.tls(account).getSocketFactory();
        p.put("mail.imap.ssl.socketFactory", new NoDelaySslSocketFactory(ssl, null)); // the verification name is for the SMTP server
        p.setProperty("mail.imap.ssl.checkserveridentity", "true");
        p.setProperty("mail.imap.auth.plain.disable", Boolean.toString(account.account().preventPlainTextLogin()));
        p.setProperty("mail.imap.auth.ntlm.disable", Boolean.toString(account.account().preventNtlm()));
        p.setProperty("mail.debug.auth", "false");
        Security security = account.imapSecurity();
        if (security == Security.TLS) {
            p.setProperty("mail.imap.ssl.enable", "true");
        } else if (security == Security.STARTTLS) {
            p.setProperty("mail.imap.starttls.enable", "true");
            p.setProperty("mail.imap.starttls.required", "true");
        }
        Session session = Session.getInstance(p);
        if (debug != null) {
            session.setDebugOut(new PrintStream(new Redactor(password.user(), password.password().reveal(), debug), true, StandardCharsets.UTF_8));
            session.setDebug(true);
        }
        Store store = session.getStore("imap");
        try {
            store.connect(host, account.imapPort(), password.user(), password.password().reveal());
            Folder folder = find(store, account);
            message.setFlag(Flags.Flag.SEEN, true);
            folder.appendMessages(new Message[] {message});
            return folder.getFullName();
        } finally {
            try {
                store.close();
            } catch (MessagingException ignored) {
                // the copy is stored; closing is best effort
            }
        }
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
