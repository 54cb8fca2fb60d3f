package dev.mailroom.testkit;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.subethamail.smtp.AuthenticationHandlerFactory;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.auth.LoginAuthenticationHandlerFactory;
import org.subethamail.smtp.auth.LoginFailedException;
import org.subethamail.smtp.auth.MultipleAuthenticationHandlerFactory;
import org.subethamail.smtp.auth.PlainAuthenticationHandlerFactory;
import org.subethamail.smtp.auth.UsernamePasswordValidator;
import org.subethamail.smtp.server.SMTPServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;

/**
 * A real SMTP server (SubEthaSMTP) on a free loopback port, with what GreenMail lacks: STARTTLS
 * (optional or required), implicit TLS, login with PLAIN/LOGIN, sender and recipient rejection.
 * Usable as a JUnit 5 extension ({@code @RegisterExtension}: started before and stopped after each
 * test) or by hand ({@link #start()}, {@link #close()}).
 *
 * <pre>{@code
 * @RegisterExtension
 * final SmtpTestServer smtp = SmtpTestServer.builder().startTls(true).user("app@acme.test", "s3cret").build();
 * ...
 * smtp.received().single().assertSubject("Hello");
 * }</pre>
 */
public final class SmtpTestServer implements BeforeEachCallback, AfterEachCallback, AutoCloseable {
    /** How the server protects the connection. */
    public enum Tls {
        /** Plain text, no STARTTLS offered. */
        NONE,
        /** STARTTLS offered, not required. */
        STARTTLS,
        /** STARTTLS offered and required before any mail command ({@code 530 Must issue a STARTTLS command first}). */
        STARTTLS_REQUIRED,
        /** TLS from the first byte (like port 465). */
        IMPLICIT
    }

    private final Builder config;
    private final ReceivedMails received = new ReceivedMails();
    private SMTPServer server;

    private SmtpTestServer(Builder b) {
        this.config = b;
    }

    /** @return a builder: plain, no login, localhost certificate */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts the server on a free port of 127.0.0.1.
     *
     * @return this
     */
    public synchronized SmtpTestServer start() {
        if (server != null) {
            return this;
        }
        SMTPServer.Builder b = SMTPServer.port(0).hostName("localhost").softwareName("Mailroom SmtpTestServer")
                .messageHandlerFactory(this::handler).connectionTimeoutMs(30_000);
        try {
            b.bindAddress(InetAddress.getByName("127.0.0.1"));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        switch (config.tls) {
            case STARTTLS -> b.enableTLS().startTlsSocketFactory(config.certificate);
            case STARTTLS_REQUIRED -> b.enableTLS().requireTLS().startTlsSocketFactory(config.certificate);
            case IMPLICIT -> b.serverSocketFactory(config.certificate);
            default -> { }
        }
        if (!config.users.isEmpty()) {
            b.authenticationHandlerFactory(authFactory());
            if (config.requireAuth) {
                b.requireAuth();
            }
        }
        server = b.build();
        server.start();
        return this;
    }

    /** @return the port the server listens on */
    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("the server is not started");
        }
        return server.getPortAllocated();
    }

    /** @return {@code localhost} (the name the test certificate carries) */
    public String host() {
        return "localhost";
    }

    /** @return what the server received */
    public ReceivedMails received() {
        return received;
    }

    /** Stops the server. Idempotent. */
    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop();
            server = null;
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        received.clear();
        start();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    private AuthenticationHandlerFactory authFactory() {
        UsernamePasswordValidator validator = (user, password, ctx) -> {
            if (!Objects.equals(config.users.get(user), password)) {
                throw new LoginFailedException("535 5.7.8 Error: authentication failed: " + user);
            }
        };
        List<AuthenticationHandlerFactory> factories = new ArrayList<>();
        for (String m : config.mechanisms) {
            switch (m) {
                case "PLAIN" -> factories.add(new PlainAuthenticationHandlerFactory(validator));
                case "LOGIN" -> factories.add(new LoginAuthenticationHandlerFactory(validator));
                default -> throw new IllegalArgumentException("SmtpTestServer supports PLAIN and LOGIN, not " + m);
            }
        }
        return new MultipleAuthenticationHandlerFactory(factories);
    }

    private MessageHandler handler(MessageContext ctx) {
        return new MessageHandler() {
            private String from;
            private final List<String> recipients = new ArrayList<>();

            @Override
            public void from(String address) throws RejectException {
                if (config.senderReject != null) {
                    throw new RejectException(config.senderRejectCode, config.senderReject.replace("{sender}", address));
                }
                from = address;
            }

            @Override
            public void recipient(String address) throws RejectException {
                String reject = config.recipientRejects.get(address.toLowerCase(java.util.Locale.ROOT));
                if (reject != null) {
                    throw new RejectException(Integer.parseInt(reject.substring(0, 3)), reject.substring(4));
                }
                recipients.add(address);
            }

            @Override
            public String data(InputStream data) throws IOException {
                received.add(new ReceivedMail(from, recipients, data.readAllBytes()));
                return null;
            }

            @Override
            public void done() {
            }
        };
    }

    /** Configures an {@link SmtpTestServer}. */
    public static final class Builder {
        private Tls tls = Tls.NONE;
        private SSLContext certificate = TestCertificates.localhostServerContext();
        private final Map<String, String> users = new ConcurrentHashMap<>();
        private List<String> mechanisms = List.of("PLAIN", "LOGIN");
        private boolean requireAuth = true;
        private String senderReject;
        private int senderRejectCode;
        private final Map<String, String> recipientRejects = new ConcurrentHashMap<>();

        private Builder() {
        }

        /**
         * How the connection is protected.
         *
         * @param tls how the connection is protected
         * @return this
         */
        public Builder tls(Tls tls) {
            this.tls = Objects.requireNonNull(tls, "tls");
            return this;
        }

        /**
         * The server's certificate.
         *
         * @param context the server's certificate, e.g. {@link TestCertificates#wrongNameServerContext()}
         * @return this
         */
        public Builder certificate(SSLContext context) {
            this.certificate = Objects.requireNonNull(context, "context");
            return this;
        }

        /**
         * Adds a login; with at least one user, AUTH is offered and required.
         *
         * @param user the user name
         * @param password the password
         * @return this
         */
        public Builder user(String user, String password) {
            users.put(user, password);
            return this;
        }

        /**
         * The AUTH mechanisms offered.
         *
         * @param mechanisms the AUTH mechanisms offered, from PLAIN and LOGIN
         * @return this
         */
        public Builder authMechanisms(String... mechanisms) {
            this.mechanisms = List.of(mechanisms);
            return this;
        }

        /**
         * Whether mail commands need a login first.
         *
         * @param require whether mail commands need a login first (default true when users exist)
         * @return this
         */
        public Builder requireAuth(boolean require) {
            this.requireAuth = require;
            return this;
        }

        /**
         * Rejects every MAIL FROM, e.g. {@code rejectSender(553, "5.7.1 <{sender}>: Sender address rejected: not owned by user x")}.
         *
         * @param code the reply code
         * @param text the reply text; {@code {sender}} is replaced by the address
         * @return this
         */
        public Builder rejectSender(int code, String text) {
            this.senderRejectCode = code;
            this.senderReject = text;
            return this;
        }

        /**
         * Rejects one recipient.
         *
         * @param address the recipient
         * @param reply the full reply, e.g. {@code 550 5.1.1 <x>: Recipient address rejected: User unknown}
         * @return this
         */
        public Builder rejectRecipient(String address, String reply) {
            recipientRejects.put(address.toLowerCase(java.util.Locale.ROOT), reply);
            return this;
        }

        /** @return the server, not yet started */
        public SmtpTestServer build() {
            return new SmtpTestServer(this);
        }
    }
}
