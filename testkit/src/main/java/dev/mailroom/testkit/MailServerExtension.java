package dev.mailroom.testkit;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An in-process GreenMail server (SMTP, IMAP and POP3) on free loopback ports, started before and stopped
 * after each test. GreenMail stores one copy per recipient mailbox and has no STARTTLS: use
 * {@link SmtpTestServer} for TLS tests.
 *
 * <pre>{@code
 * @RegisterExtension
 * final MailServerExtension mail = MailServerExtension.builder().user("support@acme.test", "secret").build();
 *
 * @Test void sends() {
 *     ... send to kunde@example.test ...
 *     mail.awaitReceived(1).get(0).assertSubject("Rechnung 4711");
 * }
 * }</pre>
 */
public final class MailServerExtension implements BeforeEachCallback, AfterEachCallback, AutoCloseable {
    private final List<String[]> users;
    private GreenMail greenMail;

    private MailServerExtension(Builder b) {
        this.users = List.copyOf(b.users);
    }

    /** @return a builder; without users SMTP accepts mail without login */
    public static Builder builder() {
        return new Builder();
    }

    /** Configures a {@link MailServerExtension}; not thread-safe. */
    public static final class Builder {
        private final List<String[]> users = new ArrayList<>();

        private Builder() {
        }

        /**
         * Adds a mailbox whose login is the address.
         *
         * @param address the address and login
         * @param password the password
         * @return this
         */
        public Builder user(String address, String password) {
            users.add(new String[] {java.util.Objects.requireNonNull(address, "address"), address,
                    java.util.Objects.requireNonNull(password, "password")});
            return this;
        }

        /** @return the extension, started before each test and stopped after it */
        public MailServerExtension build() {
            return new MailServerExtension(this);
        }
    }

    /**
     * Starts the servers (also called before each test).
     *
     * @return this
     */
    public synchronized MailServerExtension start() {
        if (greenMail == null) {
            ServerSetup[] setups = ServerSetup.dynamicPort(new ServerSetup[] {
                    new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP),
                    new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_IMAP),
                    new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_POP3)});
            GreenMailConfiguration config = GreenMailConfiguration.aConfig();
            for (String[] u : users) {
                config = config.withUser(u[0], u[1], u[2]);
            }
            GreenMail gm = new GreenMail(setups).withConfiguration(config);
            gm.start();
            greenMail = gm;
        }
        return this;
    }

    /**
     * Adds a mailbox to the running server, e.g. one whose password is an OAuth access token: GreenMail accepts
     * an XOAUTH2 login when the token equals the mailbox's password.
     *
     * @param address the address and login
     * @param password the password (or access token)
     * @return this
     * @throws IllegalStateException if the server is not running
     */
    public synchronized MailServerExtension addUser(String address, String password) {
        if (greenMail == null) {
            throw new IllegalStateException("the server is not running: add users on the builder, or start() first");
        }
        greenMail.setUser(java.util.Objects.requireNonNull(address, "address"), address, java.util.Objects.requireNonNull(password, "password"));
        return this;
    }

    /** @return the host to connect to */
    public String host() {
        return "127.0.0.1";
    }

    /** @return the SMTP port */
    public int smtpPort() {
        return running().getSmtp().getPort();
    }

    /** @return the IMAP port */
    public int imapPort() {
        return running().getImap().getPort();
    }

    /** @return the POP3 port */
    public int pop3Port() {
        return running().getPop3().getPort();
    }

    /** @return the underlying GreenMail, for what this class does not cover */
    public GreenMail greenMail() {
        return running();
    }

    /**
     * Waits (bounded, 10 s) until at least {@code count} messages arrived, one per recipient mailbox.
     *
     * @param count how many
     * @return the messages in arrival order
     * @throws AssertionError if fewer arrived in time
     */
    public List<ReceivedMail> awaitReceived(int count) {
        return awaitReceived(count, Duration.ofSeconds(10));
    }

    /**
     * Waits until at least {@code count} messages arrived.
     *
     * @param count how many
     * @param timeout the bound
     * @return the messages
     * @throws AssertionError if fewer arrived in time
     */
    public List<ReceivedMail> awaitReceived(int count, Duration timeout) {
        if (!running().waitForIncomingEmail(timeout.toMillis(), count)) {
            throw new AssertionError("expected " + count + " message(s) within " + timeout + " but received "
                    + running().getReceivedMessages().length);
        }
        return received();
    }

    /** @return the messages received so far */
    public List<ReceivedMail> received() {
        MimeMessage[] msgs = running().getReceivedMessages();
        return Arrays.stream(msgs).map(ReceivedMail::of).toList();
    }

    @Override
    public synchronized void close() {
        if (greenMail != null) {
            greenMail.stop();
            greenMail = null;
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        start();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    private synchronized GreenMail running() {
        if (greenMail == null) {
            throw new IllegalStateException("the mail server is not started");
        }
        return greenMail;
    }

    // ---- Incoming mail for hosts' inbound tests (docs/adr/030) ----

    /**
     * Puts a mail into a mailbox, as if a customer had sent it: the next fetch of that mailbox finds it.
     *
     * @param mailbox the mailbox's address (a user of this server)
     * @param mail the mail
     * @return the mail's Message-ID, to find the ticket or to reply to it ({@link IncomingMail#inReplyTo})
     * @throws IllegalArgumentException if the mailbox is not a user of this server
     */
    public String deliverTo(String mailbox, IncomingMail mail) {
        java.util.Objects.requireNonNull(mailbox, "mailbox");
        java.util.Objects.requireNonNull(mail, "mail");
        com.icegreen.greenmail.user.GreenMailUser user = running().getUserManager().getUser(mailbox);
        if (user == null) {
            throw new IllegalArgumentException("no mailbox " + mailbox + ": add it with builder().user(address, password) or addUser");
        }
        try {
            MimeMessage m = new MimeMessage(jakarta.mail.Session.getInstance(new java.util.Properties()),
                    new java.io.ByteArrayInputStream(mail.render(mailbox).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            user.deliver(m);
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException("could not deliver to " + mailbox, e);
        }
        return mail.messageIdOrNew();
    }

    /**
     * An account that fetches a mailbox of this server over IMAP (plain, on the loopback port) and sends through
     * its SMTP port: pass it to {@code Inbound#fetch} to run one fetch in a test.
     *
     * @param mailbox the mailbox's address (a user of this server); also the account's id
     * @return the resolved account
     * @throws IllegalArgumentException if the mailbox is not a user of this server
     */
    public dev.mailroom.ResolvedAccount imapAccount(String mailbox) {
        return fetchAccount(mailbox, dev.mailroom.FetchSettings.imap(host(), imapPort(), dev.mailroom.Security.NONE));
    }

    /**
     * As {@link #imapAccount}, over POP3.
     *
     * @param mailbox the mailbox's address (a user of this server); also the account's id
     * @return the resolved account
     */
    public dev.mailroom.ResolvedAccount pop3Account(String mailbox) {
        return fetchAccount(mailbox, dev.mailroom.FetchSettings.pop3(host(), pop3Port()).withImap(null, null, dev.mailroom.Security.NONE));
    }

    private dev.mailroom.ResolvedAccount fetchAccount(String mailbox, dev.mailroom.FetchSettings fetching) {
        java.util.Objects.requireNonNull(mailbox, "mailbox");
        com.icegreen.greenmail.user.GreenMailUser user = running().getUserManager().getUser(mailbox);
        if (user == null) {
            throw new IllegalArgumentException("no mailbox " + mailbox + ": add it with builder().user(address, password) or addUser");
        }
        dev.mailroom.Account account = dev.mailroom.Account.builder().id(mailbox).description("Test mailbox " + mailbox).email(mailbox)
                .authentication(dev.mailroom.Authentication.password(user.getLogin(), dev.mailroom.Secret.of(user.getPassword())))
                .smtp(host(), smtpPort(), dev.mailroom.Security.NONE).fetching(fetching).build();
        return dev.mailroom.ResolvedAccount.of(account, null, dev.mailroom.Security.NONE);
    }

    /**
     * The subjects of the mail in a mailbox's folder, to check what a fetch left on the server.
     *
     * @param mailbox the mailbox's address
     * @param folder the folder, e.g. {@code INBOX}
     * @return the subjects in order; empty if the folder does not exist
     */
    public List<String> subjectsIn(String mailbox, String folder) {
        com.icegreen.greenmail.user.GreenMailUser user = running().getUserManager().getUser(java.util.Objects.requireNonNull(mailbox, "mailbox"));
        if (user == null) {
            throw new IllegalArgumentException("no mailbox " + mailbox);
        }
        try (jakarta.mail.Store store = jakarta.mail.Session.getInstance(new java.util.Properties()).getStore("imap")) {
            store.connect(host(), imapPort(), user.getLogin(), user.getPassword());
            jakarta.mail.Folder f = store.getFolder(java.util.Objects.requireNonNull(folder, "folder"));
            if (!f.exists()) {
                return List.of();
            }
            f.open(jakarta.mail.Folder.READ_ONLY);
            List<String> out = new ArrayList<>();
            for (jakarta.mail.Message m : f.getMessages()) {
                out.add(m.getSubject());
            }
            f.close(false);
            return out;
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException("could not read " + folder + " of " + mailbox, e);
        }
    }
}
