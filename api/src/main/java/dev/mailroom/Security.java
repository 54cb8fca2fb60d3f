package dev.mailroom;

/**
 * Transport encryption of a mail server connection.
 *
 * <p>{@link #DEFAULT} is resolved to the host application's global choice, configured once on the
 * {@code Mailroom} builder. STARTTLS is always <em>required</em>: a server that does not offer it is an
 * error, never a silent fallback to plain text.
 */
public enum Security {
    /** Plain text. Only sensible for a local relay or a trusted internal network. */
    NONE(25, 143, 110),
    /** Implicit TLS from the first byte ("SSL"), conventionally on port 465 (SMTP), 993, 995. */
    TLS(465, 993, 995),
    /** Plain connection upgraded with STARTTLS before anything else is said, conventionally on 587. */
    STARTTLS(587, 143, 110),
    /** Whatever the host application's global configuration says. */
    DEFAULT(-1, -1, -1);

    private final int smtpPort;
    private final int imapPort;
    private final int pop3Port;

    Security(int smtpPort, int imapPort, int pop3Port) {
        this.smtpPort = smtpPort;
        this.imapPort = imapPort;
        this.pop3Port = pop3Port;
    }

    /**
     * The conventional SMTP submission port for this choice.
     *
     * @return 25, 465 or 587
     * @throws IllegalStateException for {@link #DEFAULT}, which must be resolved first
     */
    public int defaultSmtpPort() {
        return port(smtpPort);
    }

    /**
     * The conventional IMAP port for this choice.
     *
     * @return 143 or 993
     * @throws IllegalStateException for {@link #DEFAULT}, which must be resolved first
     */
    public int defaultImapPort() {
        return port(imapPort);
    }

    /**
     * The conventional POP3 port for this choice.
     *
     * @return 110 or 995
     * @throws IllegalStateException for {@link #DEFAULT}, which must be resolved first
     */
    public int defaultPop3Port() {
        return port(pop3Port);
    }

    private int port(int p) {
        if (p < 0) {
            throw new IllegalStateException("Security.DEFAULT has no port: resolve it to the host's global setting first");
        }
        return p;
    }
}
