package dev.mailroom;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The account's mailbox: its IMAP and POP3 servers, the Sent folder, and whether incoming mail is fetched
 * from it ({@link Protocol#NONE}, {@link Protocol#IMAP} or {@link Protocol#POP3}). One part of an
 * {@link Account}; immutable.
 *
 * <p>The IMAP server is used for fetching over IMAP and for the copy of sent mail in the Sent folder, so
 * an account that only sends can still name it: {@code FetchSettings.none().withImap(host, port, security)}.
 * Server fields may be left blank; they are then filled, field by field, from the defaults account. The
 * protocol is never inherited: an account fetches only when it says so itself. POP3 uses the IMAP
 * security choice.
 *
 * <pre>{@code
 * FetchSettings tickets = FetchSettings.imap("imap.acme.example", 993, Security.TLS);
 * FetchSettings sendOnly = FetchSettings.none().withImap("imap.acme.example", null, Security.TLS).withSentFolder("Sent");
 * }</pre>
 */
public final class FetchSettings {
    /** Whether, and over which protocol, incoming mail is fetched. */
    public enum Protocol {
        /** Not fetched. */
        NONE,
        /** Fetched over IMAP. */
        IMAP,
        /** Fetched over POP3. */
        POP3
    }

    private static final FetchSettings NONE = new FetchSettings(Protocol.NONE, null, null, null, null, null, null);

    private final Protocol protocol;
    private final String imapHost;
    private final Integer imapPort;
    private final Security imapSecurity;
    private final String pop3Host;
    private final Integer pop3Port;
    private final String sentFolder;

    /** Unchecked: callers validated the values. */
    FetchSettings(Protocol protocol, String imapHost, Integer imapPort, Security imapSecurity, String pop3Host, Integer pop3Port,
                  String sentFolder) {
        this.protocol = protocol;
        this.imapHost = AccountChecks.blankToNull(imapHost);
        this.imapPort = imapPort;
        this.imapSecurity = imapSecurity;
        this.pop3Host = AccountChecks.blankToNull(pop3Host);
        this.pop3Port = pop3Port;
        this.sentFolder = AccountChecks.blankToNull(sentFolder);
    }

    /**
     * Nothing is fetched and no server is named.
     *
     * @return the settings
     */
    public static FetchSettings none() {
        return NONE;
    }

    /**
     * Incoming mail is fetched over IMAP from this server.
     *
     * @param host host name, or {@code null} to inherit
     * @param port port, or {@code null} to inherit or take the conventional port
     * @param security the security, or {@code null} to inherit
     * @return the settings
     * @throws MailException {@link MailErrorCode#INVALID_ACCOUNT} naming the bad field
     */
    public static FetchSettings imap(String host, Integer port, Security security) {
        return NONE.withProtocol(Protocol.IMAP).withImap(host, port, security);
    }

    /**
     * Incoming mail is fetched over POP3 from this server.
     *
     * @param host host name, or {@code null} to inherit
     * @param port port, or {@code null} to inherit or take the conventional port
     * @return the settings
     * @throws MailException {@link MailErrorCode#INVALID_ACCOUNT} naming the bad field
     */
    public static FetchSettings pop3(String host, Integer port) {
        return NONE.withProtocol(Protocol.POP3).withPop3(host, port);
    }

    /**
     * A copy with another protocol, servers kept.
     *
     * @param protocol whether and how to fetch
     * @return the copy
     */
    public FetchSettings withProtocol(Protocol protocol) {
        return new FetchSettings(Objects.requireNonNull(protocol, "protocol"), imapHost, imapPort, imapSecurity, pop3Host, pop3Port, sentFolder);
    }

    /**
     * A copy with this IMAP server.
     *
     * @param host host name, or {@code null} to inherit
     * @param port port, or {@code null}
     * @param security the security, or {@code null} to inherit
     * @return the copy
     * @throws MailException {@link MailErrorCode#INVALID_ACCOUNT} naming the bad field
     */
    public FetchSettings withImap(String host, Integer port, Security security) {
        return checked(protocol, host, port, security, pop3Host, pop3Port, sentFolder);
    }

    /**
     * A copy with this POP3 server.
     *
     * @param host host name, or {@code null} to inherit
     * @param port port, or {@code null}
     * @return the copy
     * @throws MailException {@link MailErrorCode#INVALID_ACCOUNT} naming the bad field
     */
    public FetchSettings withPop3(String host, Integer port) {
        return checked(protocol, imapHost, imapPort, imapSecurity, host, port, sentFolder);
    }

    /**
     * A copy with the IMAP folder that receives copies of sent mail.
     *
     * @param folder the folder, or {@code null} for the folder flagged {@code \Sent} (RFC 6154)
     * @return the copy
     * @throws MailException {@link MailErrorCode#INVALID_ACCOUNT} if the name is too long or has control characters
     */
    public FetchSettings withSentFolder(String folder) {
        return checked(protocol, imapHost, imapPort, imapSecurity, pop3Host, pop3Port, folder);
    }

    private static FetchSettings checked(Protocol protocol, String imapHost, Integer imapPort, Security imapSecurity, String pop3Host,
                                         Integer pop3Port, String sentFolder) {
        List<FieldProblem> problems = new ArrayList<>();
        AccountChecks.checkHost(imapHost, AccountField.IMAP_HOST, problems);
        AccountChecks.checkPort(imapPort, AccountField.IMAP_PORT, problems);
        AccountChecks.checkHost(pop3Host, AccountField.POP3_HOST, problems);
        AccountChecks.checkPort(pop3Port, AccountField.POP3_PORT, problems);
        AccountChecks.checkFolder(sentFolder, problems);
        AccountChecks.throwIfAny("fetch settings", problems);
        return new FetchSettings(protocol, imapHost, imapPort, imapSecurity, pop3Host, pop3Port, sentFolder);
    }

    /**
     * @return whether and how incoming mail is fetched
     */
    public Protocol protocol() { return protocol; }
    /**
     * @return the IMAP host; empty means inherited
     */
    public Optional<String> imapHost() { return Optional.ofNullable(imapHost); }
    /**
     * @return the IMAP port; empty means inherited or conventional
     */
    public Optional<Integer> imapPort() { return Optional.ofNullable(imapPort); }
    /**
     * @return the IMAP security; empty means inherited
     */
    public Optional<Security> imapSecurity() { return Optional.ofNullable(imapSecurity); }
    /**
     * @return the POP3 host; empty means inherited
     */
    public Optional<String> pop3Host() { return Optional.ofNullable(pop3Host); }
    /**
     * @return the POP3 port; empty means inherited or conventional
     */
    public Optional<Integer> pop3Port() { return Optional.ofNullable(pop3Port); }
    /**
     * @return the Sent folder; empty means the folder flagged {@code \Sent} (RFC 6154)
     */
    public Optional<String> sentFolder() { return Optional.ofNullable(sentFolder); }

    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof FetchSettings f && protocol == f.protocol && Objects.equals(imapHost, f.imapHost)
                && Objects.equals(imapPort, f.imapPort) && imapSecurity == f.imapSecurity && Objects.equals(pop3Host, f.pop3Host)
                && Objects.equals(pop3Port, f.pop3Port) && Objects.equals(sentFolder, f.sentFolder);
    }

    @Override
    public int hashCode() {
        return Objects.hash(protocol, imapHost, imapPort, imapSecurity, pop3Host, pop3Port, sentFolder);
    }

    @Override
    public String toString() {
        return "fetch(" + protocol + (imapHost == null ? "" : " imap=" + imapHost + ":" + (imapPort == null ? "-" : imapPort))
                + (pop3Host == null ? "" : " pop3=" + pop3Host + ":" + (pop3Port == null ? "-" : pop3Port))
                + (sentFolder == null ? "" : " sent=" + sentFolder) + ")";
    }
}
