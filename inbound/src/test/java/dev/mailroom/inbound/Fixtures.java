package dev.mailroom.inbound;

import dev.mailroom.Account;
import dev.mailroom.Authentication;
import dev.mailroom.FetchSettings;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Secret;
import dev.mailroom.Security;
import dev.mailroom.testkit.MailServerExtension;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.MimeMessage;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/** Accounts, messages and a peek into the GreenMail mailbox for the fetch tests. */
final class Fixtures {
    static final String USER = "support@acme.test";
    static final String PASSWORD = "pw-Zq81";

    private Fixtures() {
    }

    static ResolvedAccount imapAccount(MailServerExtension mail) {
        return resolved(Account.builder().id("support").description("Support").email(USER).authentication(Authentication.password(USER, Secret.of(PASSWORD)))
                .fetching(FetchSettings.imap(mail.host(), mail.imapPort(), Security.NONE)));
    }

    static ResolvedAccount pop3Account(MailServerExtension mail) {
        return resolved(Account.builder().id("support").description("Support").email(USER).authentication(Authentication.password(USER, Secret.of(PASSWORD)))
                .fetching(FetchSettings.pop3(mail.host(), mail.pop3Port()).withImap(null, null, Security.NONE)));
    }

    static ResolvedAccount resolved(Account.Builder b) {
        return ResolvedAccount.of(b.build(), null, Security.NONE);
    }

    static String message(String id, String subject, String body) {
        return "From: Kunde <kunde@example.test>\r\nTo: support@acme.test\r\nSubject: " + subject + "\r\nMessage-ID: <" + id
                + "@example.test>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=UTF-8\r\n\r\n" + body + "\r\n";
    }

    static void deliver(MailServerExtension mail, String raw) {
        deliver(mail, USER, raw);
    }

    static void deliver(MailServerExtension mail, String login, String raw) {
        try {
            MimeMessage m = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw.getBytes(StandardCharsets.UTF_8)));
            mail.greenMail().getUserManager().getUser(login).deliver(m);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static Store imap(MailServerExtension mail) throws Exception {
        Store store = Session.getInstance(new Properties()).getStore("imap");
        store.connect(mail.host(), mail.imapPort(), USER, PASSWORD);
        return store;
    }

    /** Subjects in a folder, with "*" appended to those flagged \Seen and "!" to those flagged \Deleted. */
    static List<String> folder(MailServerExtension mail, String name) throws Exception {
        try (Store store = imap(mail)) {
            Folder f = store.getFolder(name);
            if (!f.exists()) {
                return List.of();
            }
            f.open(Folder.READ_ONLY);
            List<String> out = new ArrayList<>();
            for (Message m : f.getMessages()) {
                out.add(m.getSubject() + (m.isSet(Flags.Flag.SEEN) ? "*" : "") + (m.isSet(Flags.Flag.DELETED) ? "!" : ""));
            }
            f.close(false);
            return out;
        }
    }

    /** A handler that records subjects like a ticket system and can be told to fail. */
    static final class Tickets implements InboundHandler {
        final List<FetchedMail> tickets = new ArrayList<>();
        int failuresLeft;
        boolean alwaysFail;

        @Override
        public synchronized InboundResult accept(FetchedMail mail) {
            if (alwaysFail || failuresLeft > 0) {
                failuresLeft--;
                throw new IllegalStateException("ticket database unavailable");
            }
            tickets.add(mail);
            return InboundResult.ticket(Integer.toString(tickets.size()));
        }

        synchronized List<String> subjects() {
            return tickets.stream().map(FetchedMail::subject).toList();
        }
    }
}
