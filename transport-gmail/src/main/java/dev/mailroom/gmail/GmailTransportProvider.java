package dev.mailroom.gmail;

import dev.mailroom.AccountField;
import dev.mailroom.Authentication;
import dev.mailroom.FieldProblem;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.SendSettings;
import dev.mailroom.gmail.internal.GmailTransport;
import dev.mailroom.gmail.internal.Pacer;
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
 * Sends mail through the Gmail API ({@code users.messages.send}) for accounts whose send settings are
 * {@link SendSettings#gmailApi()} and that log in with OAuth 2.0 ({@link Authentication#oauth2}). The access token
 * comes from the {@code AccessTokens} source Mailroom is built with; the grant needs the scope
 * {@code https://www.googleapis.com/auth/gmail.send}.
 *
 * <p>Found by the service loader when {@code mailroom-transport-gmail} is on the class or module path. A host that
 * registers transports itself, or a test that points it at a fake API, builds one:
 *
 * <pre>{@code
 * Mailroom mail = Mailroom.builder()
 *     .transport(GmailTransportProvider.builder().rootUrl(URI.create(fakeGmail.rootUrl())).build())
 *     .accessTokens(tokens)
 *     ...
 *     .build();
 * }</pre>
 *
 * <p>What it guarantees: Gmail keeps the Sent copy itself (no IMAP copy); messages up to 35 MiB
 * ({@value #MAX_MESSAGE_SIZE} bytes), larger ones are refused before anything is sent; a request is never
 * retried by the HTTP client, and a failure after the whole message went out is
 * {@link dev.mailroom.MailErrorCode#DELIVERY_UNCERTAIN}; after a 401 the token is refreshed once; sends of a
 * mailbox are paced to Google's per-user rate (150 per minute by default). Gmail delivers to the addresses in
 * the message's To, Cc and Bcc headers and always uses the mailbox as envelope sender: envelope recipients that
 * no header names (Bcc) are passed in a Bcc header, which Gmail removes. Immutable and thread-safe.
 */
public final class GmailTransportProvider implements TransportProvider {
    /** Google's Gmail API root URL. */
    public static final URI DEFAULT_ROOT_URL = URI.create("https://gmail.googleapis.com/");
    /** The largest message Gmail takes, in bytes (35 MiB). */
    public static final long MAX_MESSAGE_SIZE = 36_700_160L;
    /** Messages up to this size go as JSON {@code raw}; larger ones to the upload endpoint. */
    public static final long DEFAULT_RAW_LIMIT = 5L << 20;

    private static final TransportCapabilities CAPABILITIES = TransportCapabilities.builder().sentCopyByProvider(true)
            .maxMessageSize(MAX_MESSAGE_SIZE).smtpUtf8(true).authentication(AuthenticationKind.OAUTH2).build();

    private final String rootUrl;
    private final long rawLimit;
    private final int sendsPerMinute;
    private final int burst;
    private final Duration maxPacingWait;

    /** The provider for Google's API with the default limits; the service loader uses this constructor. */
    public GmailTransportProvider() {
        this(builder());
    }

    private GmailTransportProvider(Builder b) {
        this.rootUrl = b.rootUrl.toString().endsWith("/") ? b.rootUrl.toString() : b.rootUrl + "/";
        this.rawLimit = b.rawLimit;
        this.sendsPerMinute = b.sendsPerMinute;
        this.burst = b.burst;
        this.maxPacingWait = b.maxPacingWait;
    }

    /** @return a builder with the defaults: Google's root URL, 150 sends per minute and mailbox, bursts of 25, waits of at most 10 s */
    public static Builder builder() {
        return new Builder();
    }

    /** @return {@code gmail} */
    @Override
    public String id() {
        return "gmail";
    }

    /** @return whether the account sends with the Gmail API */
    @Override
    public boolean supports(ResolvedAccount account) {
        return account.sending().map(s -> s.kind() == SendSettings.Kind.GMAIL_API).orElse(false);
    }

    /**
     * The account must send with the Gmail API and log in with OAuth 2.0.
     *
     * @param account the resolved account
     * @return the problems, naming the field and the fix
     */
    @Override
    public List<FieldProblem> validate(ResolvedAccount account) {
        List<FieldProblem> problems = new ArrayList<>();
        SendSettings.Kind kind = account.sending().map(SendSettings::kind).orElse(null);
        if (kind != SendSettings.Kind.GMAIL_API) {
            problems.add(new FieldProblem(AccountField.SENDING, (kind == null ? "is not set" : "is " + kind)
                    + ": the gmail transport sends accounts whose send settings are SendSettings.gmailApi()"));
        }
        Authentication auth = account.authentication().orElse(null);
        if (auth != null && auth.kind() != Authentication.Kind.OAUTH2) {
            problems.add(new FieldProblem(AccountField.AUTHENTICATION, "is " + auth.kind()
                    + ": the Gmail API needs an OAuth 2.0 login, Authentication.oauth2(mailbox, registered Google client)"));
        }
        return problems;
    }

    /** @return Sent copy kept by Gmail, at most 35 MiB, UTF-8 addresses, OAuth 2.0 only */
    @Override
    public TransportCapabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public Transport open(TransportContext context) {
        return new GmailTransport(context, rootUrl, rawLimit, Pacer.system(sendsPerMinute, burst, maxPacingWait), this::validate);
    }

    @Override
    public String toString() {
        return "GmailTransportProvider[" + rootUrl + ", " + sendsPerMinute + "/min, burst " + burst + "]";
    }

    /** Builds a {@link GmailTransportProvider}; not thread-safe. */
    public static final class Builder {
        private URI rootUrl = DEFAULT_ROOT_URL;
        private long rawLimit = DEFAULT_RAW_LIMIT;
        private int sendsPerMinute = 150;
        private int burst = 25;
        private Duration maxPacingWait = Duration.ofSeconds(10);

        private Builder() {
        }

        /**
         * Another API root, e.g. a fake Gmail API in tests ({@code http://127.0.0.1:port/}).
         *
         * @param value an absolute http(s) URL
         * @return this builder
         */
        public Builder rootUrl(URI value) {
            Objects.requireNonNull(value, "rootUrl");
            if (!value.isAbsolute() || !("https".equals(value.getScheme()) || "http".equals(value.getScheme()))) {
                throw new IllegalArgumentException("rootUrl must be an absolute http(s) URL such as https://gmail.googleapis.com/, was " + value);
            }
            this.rootUrl = value;
            return this;
        }

        /**
         * The largest message sent as JSON {@code raw}; larger ones go to the upload endpoint.
         *
         * @param bytes at least 1 and at most {@link #MAX_MESSAGE_SIZE}
         * @return this builder
         */
        public Builder rawLimit(long bytes) {
            if (bytes < 1 || bytes > MAX_MESSAGE_SIZE) {
                throw new IllegalArgumentException("rawLimit must be between 1 and " + MAX_MESSAGE_SIZE + ", was " + bytes);
            }
            this.rawLimit = bytes;
            return this;
        }

        /**
         * Paces the sends of each mailbox: on average {@code perMinute}, at most {@code burst} at once. Google allows
         * 15,000 quota units per user and minute and a send costs 100: 150 per minute.
         *
         * @param perMinute sends per minute and mailbox, at least 1
         * @param burst sends at once after a quiet time, at least 1
         * @return this builder
         */
        public Builder pacing(int perMinute, int burst) {
            if (perMinute < 1 || burst < 1) {
                throw new IllegalArgumentException("perMinute and burst must be at least 1, were " + perMinute + " and " + burst);
            }
            this.sendsPerMinute = perMinute;
            this.burst = burst;
            return this;
        }

        /**
         * The longest a send waits for its mailbox's turn; a longer wait fails at once with
         * {@link dev.mailroom.MailErrorCode#RATE_LIMITED} and the time to wait (queued mail then waits in the outbox).
         *
         * @param value zero or positive, at most one minute
         * @return this builder
         */
        public Builder maxPacingWait(Duration value) {
            Objects.requireNonNull(value, "maxPacingWait");
            if (value.isNegative() || value.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException("maxPacingWait must be between zero and one minute, was " + value);
            }
            this.maxPacingWait = value;
            return this;
        }

        /** @return the provider */
        public GmailTransportProvider build() {
            return new GmailTransportProvider(this);
        }
    }
}
