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
}
