package dev.mailroom.graph;

import dev.mailroom.AccountField;
import dev.mailroom.Authentication;
import dev.mailroom.FieldProblem;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.SendSettings;
import dev.mailroom.graph.internal.GraphTransport;
import dev.mailroom.graph.internal.MailboxGate;
import dev.mailroom.spi.Transport;
import dev.mailroom.spi.TransportCapabilities;
import dev.mailroom.spi.TransportCapabilities.AuthenticationKind;
import dev.mailroom.spi.TransportContext;
import dev.mailroom.spi.TransportProvider;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Sends mail through Microsoft Graph ({@code POST /v1.0/users/{mailbox}/sendMail}) for accounts whose send settings
 * are {@link SendSettings#graph()} and that log in with Microsoft 365 application credentials
 * ({@link Authentication#microsoftApp}) or OAuth 2.0 ({@link Authentication#oauth2}). The access token comes from
 * the {@code AccessTokens} source Mailroom is built with: Mailroom's own serves application credentials through
 * {@link MicrosoftAuthorizationServer} (scope {@code https://graph.microsoft.com/.default}); the app needs the Graph
 * application permission {@code Mail.Send} (and {@code User.Read.All} for the diagnosis's sender lookup), and the
 * account's address must be a mailbox of the directory.
 *
 * <p>Found by the service loader when {@code mailroom-transport-graph} is on the class path. A test points it at a
 * fake Graph:
 *
 * <pre>{@code
 * Mailroom mail = Mailroom.builder()
 *     .transport(GraphTransportProvider.builder().graphUrl(fakeGraph.rootUrl()).build())
 *     ...
 *     .build();
 * }</pre>
 *
 * <p>What it guarantees: Graph sends the rendered message (MIME, base64) and keeps it in Sent Items (no IMAP copy).
 * Messages up to {@value #SINGLE_REQUEST_SIZE} bytes go in one {@code sendMail} request (Graph's 4 MB request limit
 * in base64). Larger ones, up to {@value #MAX_MESSAGE_SIZE} bytes, go as a draft made from the message without its
 * large attachments, the attachments through upload sessions in chunks (never the whole message in memory), then
 * the draft is sent; this needs the Graph permission {@code Mail.ReadWrite} besides {@code Mail.Send}, and Exchange
 * builds the sent message from the draft (see the project's ADR 028 for what differs). Any failure after the draft
 * was made deletes the draft. A request is never repeated by the HTTP client, and a failure after the
 * whole message went out is {@link dev.mailroom.MailErrorCode#DELIVERY_UNCERTAIN}; after a 401 the token is
 * refreshed once; at most 4 requests per mailbox run at once (Microsoft's limit), a fifth waits at most 30 s. A
 * 202 means Exchange accepted the message, not that it was delivered. Graph delivers to the To, Cc and Bcc headers:
 * envelope-only (Bcc) recipients are passed in a Bcc header, which Exchange does not pass on. Immutable and
 * thread-safe.
 */
public final class GraphTransportProvider implements TransportProvider {
    /** Microsoft Graph's root URL (global service). */
    public static final URI DEFAULT_GRAPH_URL = URI.create("https://graph.microsoft.com/");
    /** The largest message sent with one {@code sendMail} request, in bytes: its base64 form fills Graph's 4 MB request limit. */
    public static final long SINGLE_REQUEST_SIZE = GraphTransport.MAX_MESSAGE_SIZE;
    /**
     * The largest message sent at all, in bytes (150 MiB, Exchange Online's highest message size limit, encoding
     * included); a mailbox's own limit is often lower (35 MB by default) and Graph refuses above it.
     */
    public static final long MAX_MESSAGE_SIZE = GraphTransport.MAX_UPLOAD_SIZE;

    private static final TransportCapabilities CAPABILITIES = TransportCapabilities.builder().sentCopyByProvider(true)
            .maxMessageSize(MAX_MESSAGE_SIZE).smtpUtf8(true).authentication(AuthenticationKind.APP_CREDENTIALS, AuthenticationKind.OAUTH2).build();

    private final String graphUrl;
    private final int concurrentPerMailbox;
    private final Duration maxWait;

    /** The provider for Microsoft's Graph with the default limits; the service loader uses this constructor. */
    public GraphTransportProvider() {
        this(builder());
    }

    private GraphTransportProvider(Builder b) {
        this.graphUrl = b.graphUrl.toString().endsWith("/") ? b.graphUrl.toString() : b.graphUrl + "/";
        this.concurrentPerMailbox = b.concurrentPerMailbox;
        this.maxWait = b.maxWait;
    }

    /** @return a builder with the defaults: Microsoft's Graph, 4 concurrent requests per mailbox, waits of at most 30 s */
    public static Builder builder() {
        return new Builder();
    }

    /** @return {@code graph} */
    @Override
    public String id() {
        return "graph";
    }

    /** @return whether the account sends with Graph */
    @Override
    public boolean supports(ResolvedAccount account) {
        return account.sending().map(s -> s.kind() == SendSettings.Kind.GRAPH).orElse(false);
    }

    /**
     * The account must send with Graph and log in with application credentials or OAuth 2.0.
     *
     * @param account the resolved account
     * @return the problems, naming the field and the fix
     */
    @Override
    public List<FieldProblem> validate(ResolvedAccount account) {
        List<FieldProblem> problems = new ArrayList<>();
        SendSettings.Kind kind = account.sending().map(SendSettings::kind).orElse(null);
        if (kind != SendSettings.Kind.GRAPH) {
            problems.add(new FieldProblem(AccountField.SENDING, (kind == null ? "is not set" : "is " + kind)
                    + ": the graph transport sends accounts whose send settings are SendSettings.graph()"));
        }
        Authentication auth = account.authentication().orElse(null);
        if (auth == null || (auth.kind() != Authentication.Kind.MICROSOFT_APP && auth.kind() != Authentication.Kind.OAUTH2)) {
            problems.add(new FieldProblem(AccountField.AUTHENTICATION, "is " + (auth == null ? "not set" : auth.kind())
                    + ": Graph needs Authentication.microsoftApp(directoryId, registered Microsoft client) or an OAuth 2.0 login"));
        }
        return problems;
    }

    /** @return Sent copy kept by Exchange, at most {@value #MAX_MESSAGE_SIZE} bytes, UTF-8 addresses, application credentials or OAuth 2.0 */
    @Override
    public TransportCapabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public Transport open(TransportContext context) {
        return new GraphTransport(context, graphUrl, new MailboxGate(concurrentPerMailbox, maxWait), this::validate);
    }

    @Override
    public String toString() {
        return "GraphTransportProvider[" + graphUrl + ", " + concurrentPerMailbox + " per mailbox]";
    }

    /** Builds a {@link GraphTransportProvider}; not thread-safe. */
    public static final class Builder {
        private URI graphUrl = DEFAULT_GRAPH_URL;
        private int concurrentPerMailbox = 4;
        private Duration maxWait = Duration.ofSeconds(30);

        private Builder() {
        }

        /**
         * Another Graph root, e.g. a national cloud or a fake Graph in tests ({@code http://127.0.0.1:port/}).
         *
         * @param value an absolute http(s) URL
         * @return this builder
         */
        public Builder graphUrl(URI value) {
            Objects.requireNonNull(value, "graphUrl");
            if (!value.isAbsolute() || !("https".equals(value.getScheme()) || "http".equals(value.getScheme()))) {
                throw new IllegalArgumentException("graphUrl must be an absolute http(s) URL such as https://graph.microsoft.com/, was " + value);
            }
            this.graphUrl = value;
            return this;
        }

        /**
         * How many requests of one mailbox run at once; Microsoft answers more than 4 with 429.
         *
         * @param value between 1 and 4
         * @param maxWait the longest a request waits for its turn, zero to one minute; then it fails with
         *                {@link dev.mailroom.MailErrorCode#POOL_EXHAUSTED} and nothing is sent
         * @return this builder
         */
        public Builder concurrentPerMailbox(int value, Duration maxWait) {
            Objects.requireNonNull(maxWait, "maxWait");
            if (value < 1 || value > 4) {
                throw new IllegalArgumentException("concurrentPerMailbox must be between 1 and 4 (Microsoft's limit), was " + value);
            }
            if (maxWait.isNegative() || maxWait.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException("maxWait must be between zero and one minute, was " + maxWait);
            }
            this.concurrentPerMailbox = value;
            this.maxWait = maxWait;
            return this;
        }

        /** @return the provider */
        public GraphTransportProvider build() {
            return new GraphTransportProvider(this);
        }
    }
}
