package dev.mailroom.core;

import dev.mailroom.Account;
import dev.mailroom.Authentication;
import dev.mailroom.AccountHealth;
import dev.mailroom.AccountId;
import dev.mailroom.Diagnosis;
import dev.mailroom.Email;
import dev.mailroom.MailContext;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.Preview;
import dev.mailroom.Queued;
import dev.mailroom.Receipt;
import dev.mailroom.Resolution;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Security;
import dev.mailroom.core.internal.AuthorizationServers;
import dev.mailroom.core.internal.Composer;
import dev.mailroom.core.internal.Delivery;
import dev.mailroom.core.internal.DeliveryRecords;
import dev.mailroom.core.internal.Diagnostics;
import dev.mailroom.core.internal.Enqueuing;
import dev.mailroom.core.internal.Lifecycle;
import dev.mailroom.core.internal.Limits;
import dev.mailroom.core.internal.Listeners;
import dev.mailroom.core.internal.MessageRenderer;
import dev.mailroom.core.internal.OAuthTokens;
import dev.mailroom.core.internal.OutboxWorkers;
import dev.mailroom.core.internal.Resolver;
import dev.mailroom.core.internal.Slf4jProtocolLog;
import dev.mailroom.core.internal.TransportRegistry;
import dev.mailroom.spi.AccessTokens;
import dev.mailroom.spi.AccountRepository;
import dev.mailroom.spi.AccountTls;
import dev.mailroom.spi.AuthorizationServer;
import dev.mailroom.spi.DeliveryLog;
import dev.mailroom.spi.MailStore;
import dev.mailroom.spi.NotificationPreferences;
import dev.mailroom.spi.NotificationService;
import dev.mailroom.spi.NotificationTemplates;
import dev.mailroom.spi.OAuthStore;
import dev.mailroom.spi.OutboxRepository;
import dev.mailroom.spi.PoolLimits;
import dev.mailroom.spi.ProtocolLog;
import dev.mailroom.spi.RecipientDirectory;
import dev.mailroom.spi.TransportContext;
import dev.mailroom.spi.TransportProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import javax.net.ssl.SSLContext;

/**
 * The facade: sends mail through the right account, answers "which account would send this, and why",
 * tests account settings, and administers accounts. Build one per application with {@link #builder()}
 * and share it: it is thread-safe, holds pooled connections, and must be {@linkplain #close() closed}
 * on shutdown.
 *
 * <pre>{@code
 * Mailroom mailroom = Mailroom.builder()
 *     .accountRepository(myAccountRepository) // or new InMemoryAccountRepository()
 *     .defaultSecurity(Security.STARTTLS)     // the host's global choice for Security.DEFAULT
 *     .build();                               // transports found through ServiceLoader
 *
 * MailContext ctx = MailContext.tenant("acme").withUser("u-42");
 * Receipt r = mailroom.send(ctx, Email.builder().to("kunde@example.com").subject("Rechnung 4711").text("…").build());
 * Resolution why = mailroom.resolve(ctx, email);           // dry run: account, sender, provenance
 * Diagnosis check = mailroom.diagnose(draftAccount);       // staged connection test with server replies
 * mailroom.sendTestMail(draftAccount, "admin@acme.example");  // unsaved settings, nothing stored
 * mailroom.deliveryLog().errorsSince(Duration.ofHours(24));
 * }</pre>
 *
 * <p>Every operation that talks to a server has finite timeouts (see {@link Builder}); every failure
 * is a {@link MailException} with a stable code, and every attempt lands in the delivery log.
 */
public final class Mailroom implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Mailroom.class);

    private final AccountRepository repository;
    private final Resolver resolver;
    private final TransportRegistry transports;
    private final Lifecycle lifecycle = new Lifecycle();
    private final AccountAdmin admin;
    private final DeliveryLogView logView;
    private final AutoCloseable listenerHandle;
    private final OutboxView outboxView;
    private final OutboxWorkers workers;
    private final Delivery delivery;
    private final Enqueuing enqueuing;
    private final Diagnostics diagnostics;
    private final NotificationService notifications;
    private final OAuthAdmin oauth;
    private final TransportContext transportContext;
    private volatile OAuthTokens oauthTokens; // set last in the constructor: the change listener may run before
    /** The most grants refreshed in the background per run. */
    static final int IDLE_REFRESH_BATCH = 100;
    private final java.util.concurrent.ScheduledFuture<?> idleRefresh;

    private Mailroom(Builder b) {
        this.repository = b.accounts != null ? b.accounts : new InMemoryAccountRepository();
        DeliveryLog deliveryLog = b.deliveryLog != null ? b.deliveryLog : new InMemoryDeliveryLog();
        OutboxRepository outbox = b.outbox != null ? b.outbox : new InMemoryOutboxRepository(b.clock);
        String warning = durabilityWarning(repository, outbox, deliveryLog);
        if (warning != null) {
            LOG.warn(warning);
        }
        Security hostDefault = b.defaultSecurity != null ? b.defaultSecurity : Security.STARTTLS;
        OAuthStore oauthStore = b.oauthStore != null ? b.oauthStore : new InMemoryOAuthStore(b.clock);
        if (oauthStore instanceof InMemoryOAuthStore && !(repository instanceof InMemoryAccountRepository)) {
            LOG.warn(OAuthAdmin.IN_MEMORY_WARNING);
        }
        TransportContext.Builder contextBuilder = TransportContext.builder()
                .timeouts(b.connectTimeout, b.readTimeout, b.writeTimeout)
                .tls(b.sslContext)
                .accountTls(b.accountTls != null ? b.accountTls : account -> AccountTls.mailroomWide())
                .hostDefaultSecurity(hostDefault)
                .poolLimits(new PoolLimits(b.maxConnectionsPerAccount, b.connectionIdleTimeout, b.poolWaitTimeout))
                .protocolLog(b.protocolLog != null ? b.protocolLog : new Slf4jProtocolLog())
                .clock(b.clock)
                .sendBudget(OutboxWorkers.sendBudget(b.outboxLease));
        AuthorizationServers servers = AuthorizationServers.create(b.authorizationServers, true,
                b.classLoader != null ? b.classLoader : Mailroom.class.getClassLoader());
        Listeners listeners = new Listeners(b.listeners);
        OAuthTokens tokens = new OAuthTokens(oauthStore, servers, contextBuilder.build(), b.clock, null, listeners);
        TransportContext context = contextBuilder.accessTokens(b.accessTokens != null ? b.accessTokens : tokens).build();
        this.transportContext = context;
        this.transports = TransportRegistry.create(b.providers, b.discoverTransports,
                b.classLoader != null ? b.classLoader : Mailroom.class.getClassLoader(), context);
        this.resolver = new Resolver(repository, hostDefault, b.resolutionCacheSize, Duration.ofMinutes(10), transports::problemsForSending);
        MessageRenderer renderer = new MessageRenderer(b.clock);
        RecipientDirectory directory = b.directory != null ? b.directory : RecipientDirectory.NONE;
        Composer composer = new Composer(repository, directory, b.refuseConfusableDomains);
        this.admin = new AccountAdmin(repository, resolver, this::evict);
        this.logView = new DeliveryLogView(deliveryLog, b.clock);
        this.listenerHandle = repository.addChangeListener(this::repositoryChanged);
        this.outboxView = new OutboxView(outbox);
        this.workers = b.outboxThreads == 0 ? null : new OutboxWorkers(outbox, resolver, deliveryLog,
                (account, transportId, message) -> transports.get(transportId).send(account, message),
                new OutboxWorkers.Settings(b.outboxThreads, 10, b.outboxLease, b.outboxPollInterval, b.outboxInitialBackoff,
                        b.outboxMaxBackoff, b.outboxMaxAge, b.outboxAccountPause, b.outboxRetention, b.deliveryLogRetention,
                        Duration.ofHours(1)), b.clock, listeners);
        if (workers != null && !b.deferOutboxWorkers) {
            workers.start();
        }
        Limits limits = new Limits(b.maxRecipients, b.maxSubjectLength, b.maxMessageSize);
        DeliveryRecords records = new DeliveryRecords(deliveryLog, b.clock);
        this.delivery = new Delivery(resolver, transports, renderer, composer, limits, records, lifecycle, listeners);
        this.enqueuing = new Enqueuing(resolver, transports, renderer, composer, outbox, limits, records, lifecycle, workers);
        this.oauth = new OAuthAdmin(repository, oauthStore, servers, tokens, context, b.clock, this::repositoryChanged);
        this.oauthTokens = tokens;
        this.idleRefresh = b.accessTokens != null ? null : servers.shortestIdleRefresh().map(idle -> {
            // often enough that a grant is refreshed well before its limit; the first run soon after start
            Duration every = Duration.ofHours(1).compareTo(idle.dividedBy(4)) < 0 ? Duration.ofHours(1) : idle.dividedBy(4);
            return context.scheduler().scheduleWithFixedDelay(this::refreshIdleQuietly, Math.min(60_000, every.toMillis()), every.toMillis(),
                    java.util.concurrent.TimeUnit.MILLISECONDS);
        }).orElse(null);
        this.diagnostics = new Diagnostics(repository, resolver, transports, delivery, records, lifecycle,
                AccountAdmin::withStoredSecrets, (q, n) -> logView.traffic(q, n, DeliveryLog::countsForHealth), context.accessTokens(),
                b.accessTokens != null ? account -> java.util.Optional.empty() : oauth::statusIfOAuth, // the host's tokens: its grants
                (ids, since) -> deliveryLog.healthEntries(ids, since, Diagnostics.HEALTH_ENTRIES));
        this.notifications = new DefaultNotificationService(enqueuing, repository, records, directory,
                b.notificationPreferences != null ? b.notificationPreferences : new InMemoryNotificationPreferences(),
                b.notificationTemplates != null ? b.notificationTemplates : NotificationTemplates.standard(), b.defaultLocale, b.systemInfo);
    }

    /**
     * The build-time warning when accounts are durable but {@code enqueue} is not: accounts from anything but
     * an {@link InMemoryAccountRepository}, with the in-memory outbox or delivery log.
     *
     * @return the warning, or {@code null} when there is nothing to say
     */
    static String durabilityWarning(AccountRepository accounts, OutboxRepository outbox, DeliveryLog log) {
        if (accounts instanceof InMemoryAccountRepository) {
            return null;
        }
        List<String> inMemory = new ArrayList<>();
        if (outbox instanceof InMemoryOutboxRepository) {
            inMemory.add("the outbox");
        }
        if (log instanceof InMemoryDeliveryLog) {
            inMemory.add("the delivery log");
        }
        if (inMemory.isEmpty()) {
            return null;
        }
        return "accounts come from a durable store (" + accounts.getClass().getName() + ") but " + String.join(" and ", inMemory)
                + (inMemory.size() == 1 ? " is" : " are") + " in memory, lost on restart: enqueue is not durable: set .outboxRepository(…) and "
                + ".deliveryLogRepository(…), or .store(…) to take all of them from one store";
    }

    /**
     * A new builder.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Sends an email through the account resolution chooses for the context and the email's From
     * address. Blocks until the server accepted the message or the attempt failed; bounded by
     * the configured timeouts. Never retries after the message may have been handed over.
     *
     * @param context who sends
     * @param email the email
     * @return the receipt with Message-ID, account, transport and the server's reply
     * @throws MailException on any failure; also recorded in the delivery log
     */
    public Receipt send(MailContext context, Email email) {
        return delivery.send(context, email);
    }

    /**
     * Stores the email durably in the outbox and returns; workers deliver it (on this node or another
     * sharing the outbox), retrying transient failures (resolution and composition as for
     * {@link #send}). The Message-ID and the bytes are fixed now, so every retry sends the same message.
     *
     * @param context who sends
     * @param email the email
     * @return the queued entry
     * @throws MailException when no account may send or the email cannot be composed; nothing is stored then
     */
    public Queued enqueue(MailContext context, Email email) {
        return enqueue(context, email, null);
    }

    /**
     * Like {@link #enqueue(MailContext, Email)}, with the caller's idempotency key: enqueuing again with the
     * same key returns the entry stored the first time and stores nothing. A key is remembered while its
     * entry is kept: until it is sent or failed, then for the outbox retention (default 7 days,
     * {@link Builder#outboxRetention}).
     *
     * @param context who sends
     * @param email the email
     * @param idempotencyKey the caller's key (e.g. "invoice-4711"), 1 to 200 characters, or {@code null}
     * @return the queued entry; {@link Queued#existing()} for a repeated key
     * @throws MailException when no account may send or the email cannot be composed; nothing is stored then
     */
    public Queued enqueue(MailContext context, Email email, String idempotencyKey) {
        return enqueuing.enqueue(context, email, idempotencyKey);
    }

    /**
     * The administrator's read-only view of the outbox: entries by status and account, possible duplicates,
     * counts. Workers alone claim and mark entries.
     *
     * @return the view
     */
    public OutboxView outbox() {
        return outboxView;
    }

    /**
     * Exactly what {@link #send} would send, without sending: account, transport, envelope,
     * From and Reply-To after the sender policy, the bodies with the signature, and warnings. Secrets are
     * redacted; nothing is logged or stored.
     *
     * @param context who would send
     * @param email the email
     * @return the preview
     * @throws MailException when no account may send, or the email cannot be composed
     */
    public Preview preview(MailContext context, Email email) {
        return delivery.preview(context, email);
    }

    /**
     * Dry run of {@link #send}: which account would send, with which sender, by which rule, and where
     * each effective field came from. Sends nothing; secrets are redacted.
     *
     * @param context who would send
     * @param email the email (only its From address matters)
     * @return the resolution
     * @throws MailException when no account may send, with the reason
     */
    public Resolution resolve(MailContext context, Email email) {
        return delivery.resolve(context, email);
    }

    /**
     * Dry run for a context without a specific email: which account sends the context's mail.
     *
     * @param context who would send
     * @return the resolution
     * @throws MailException when no account may send, with the reason
     */
    public Resolution resolve(MailContext context) {
        return delivery.resolve(context);
    }

    /**
     * Tests an account's settings stage by stage: DNS, TCP, greeting, capabilities, TLS, login
     * and sender, each with the server's exact reply and, on failure, a code and a hint. Works with a
     * stored account or an unsaved draft; blanks are filled from the stored defaults account, a
     * {@link dev.mailroom.Secret#stored()} placeholder from the stored account with the same id.
     * Stores nothing but a delivery-log entry. Never throws for a failed stage.
     *
     * @param account the account or draft
     * @return the diagnosis
     */
    public Diagnosis diagnose(Account account) {
        return diagnostics.diagnose(account);
    }

    /**
     * Sends a test mail to the account's own address.
     *
     * @param account a stored account or an unsaved draft
     * @return the receipt
     * @throws MailException on failure, with the server's reply and a hint
     */
    public Receipt sendTestMail(Account account) {
        Objects.requireNonNull(account, "account");
        return sendTestMail(account, account.email().address());
    }

    /**
     * Sends a test mail with the given settings, saved or not, to any address. The draft is not
     * stored; the attempt is recorded in the delivery log.
     *
     * @param account a stored account or an unsaved draft
     * @param to the recipient
     * @return the receipt
     * @throws MailException on failure, with the server's reply and a hint
     */
    public Receipt sendTestMail(Account account, String to) {
        return diagnostics.sendTestMail(account, to);
    }

    /**
     * The context this Mailroom gives its transports: the connect, read and write timeouts, the TLS settings (the
     * trust material and each account's TLS), the host's default security, the protocol log, the clock, and the
     * source of OAuth access tokens (this Mailroom's grants, or the host's {@code accessTokens}). Pass it to the
     * components that connect to mail servers for the same accounts, such as the inbound fetcher
     * ({@code Inbound.builder(…).context(mailroom.transportContext())}), so that they connect with the same settings.
     *
     * <p>Thread-safe and immutable. Valid until this Mailroom is closed: its token source refreshes and stores
     * tokens through this Mailroom's store.
     *
     * @return the context, the same instance on every call
     */
    public TransportContext transportContext() {
        return transportContext;
    }

    /**
     * Account administration and mail settings.
     *
     * @return the administration
     */
    public AccountAdmin accounts() {
        return admin;
    }

    /**
     * OAuth 2.0: the registry of OAuth clients and connecting accounts to their mailboxes.
     *
     * @return the OAuth administration of this Mailroom
     */
    public OAuthAdmin oauth() {
        return oauth;
    }

    /**
     * The delivery log.
     *
     * @return read access to the log
     */
    public DeliveryLogView deliveryLog() {
        return logView;
    }

    /**
     * Notifications: events to the users they concern, by their preferences and in their language,
     * through the tenant's system account and the outbox; and support requests.
     *
     * @return the notification service of this Mailroom
     */
    public NotificationService notifications() {
        return notifications;
    }

    /**
     * How an account is doing, from its real traffic of the last 24 hours in the delivery log: DISABLED when
     * the account is off; AUTH_REQUIRED when its stored secret cannot be opened on this node (the reason
     * names the key) or the latest attempt failed at login; DEGRADED when the latest attempt failed
     * otherwise, or succeeded after recent failures; OK otherwise. Connection tests and test mails are not
     * traffic: testing a draft, saved or not, never changes the stored account's health. Works on every
     * node that shares the delivery log.
     *
     * @param id the account
     * @return the health
     * @throws MailException {@link MailErrorCode#INVALID_ACCOUNT} if the account does not exist
     */
    public AccountHealth health(AccountId id) {
        return diagnostics.health(id);
    }

    /**
     * The health of several accounts at once, each equal to {@link #health(AccountId)}, with one read of the
     * account list and one of the delivery log (the store's {@code DeliveryLog#healthEntries}) instead of one per
     * account: for health checks and dashboards over all accounts. Never contacts a mail server; an OAuth 2.0
     * account's grant is still looked up on its own.
     *
     * <pre>{@code
     * Map<AccountId, AccountHealth> all = mailroom.health(mailroom.accounts().list().stream().map(Account::id).toList());
     * }</pre>
     *
     * @param ids the accounts
     * @return account → health, in the order given; ids of accounts that do not exist are left out
     */
    public Map<AccountId, AccountHealth> health(Collection<AccountId> ids) {
        return diagnostics.health(ids);
    }

    /**
     * The ids of the available transports, in the order they are tried.
     *
     * @return e.g. {@code [smtp]}
     */
    public List<String> transports() {
        return transports.ids();
    }

    /**
     * Starts this node's outbox workers, for a Mailroom built with {@link Builder#deferOutboxWorkers()} (e.g. when an
     * application container's lifecycle starts). Idempotent; after {@link #stopOutboxWorkers()} they start again.
     * Without workers ({@code outboxWorkers(0)}) it does nothing.
     *
     * @throws IllegalStateException when this Mailroom is closed
     */
    public void startOutboxWorkers() {
        lifecycle.ensureOpen();
        if (workers != null) {
            workers.start();
        }
    }

    /**
     * Stops this node's outbox workers gracefully: sends in progress finish (each has finite timeouts), mail they
     * claimed but did not try yet goes back to the queue at once, for any node. Returns when they stopped, or
     * after 30 s. Enqueuing goes on; the mail waits for workers on this or another node. Idempotent.
     */
    public void stopOutboxWorkers() {
        if (workers != null) {
            workers.close();
        }
    }

    /**
     * Whether this node's outbox workers run.
     *
     * @return true while they run
     */
    public boolean outboxWorkersRunning() {
        return workers != null && workers.isRunning();
    }

    /**
     * Drops all cached resolutions. For hosts whose repository cannot report changes made elsewhere.
     */
    public void invalidateCaches() {
        resolver.invalidate();
    }

    /** Closes pooled connections and stops listening to the repository. Idempotent. */
    @Override
    public void close() {
        if (lifecycle.close()) {
            if (idleRefresh != null) {
                idleRefresh.cancel(false);
            }
            if (workers != null) {
                workers.close();
            }
            try {
                listenerHandle.close();
            } catch (Exception e) {
                LOG.warn("removing the repository listener failed", e);
            }
            transports.close();
        }
    }

    /**
     * Refreshes the OAuth grants whose provider would otherwise let them expire unused (at most
     * {@value #IDLE_REFRESH_BATCH} per run; the rest on the next); runs on the transports' scheduler. Each failure is
     * recorded as for any refresh and does not stop the others.
     *
     * @return how many grants were refreshed
     */
    int refreshIdleOAuthGrants() {
        OAuthTokens t = oauthTokens;
        if (t == null || lifecycle.isClosed()) {
            return 0;
        }
        int refreshed = 0;
        for (Account a : repository.findAll()) {
            Authentication auth = a.authentication().orElse(null);
            if (auth == null || auth.kind() != Authentication.Kind.OAUTH2 || !a.enabled()) {
                continue;
            }
            try {
                if (t.refreshIfIdle(admin.resolved(a.id())) && ++refreshed >= IDLE_REFRESH_BATCH) {
                    break;
                }
            } catch (RuntimeException e) { // recorded (grant problem, backoff, log) by the token source; the next account goes on
                LOG.debug("account {}: background refresh of its OAuth grant failed: {}", a.id(), e.getMessage());
            }
        }
        return refreshed;
    }

    private void refreshIdleQuietly() {
        try {
            int n = refreshIdleOAuthGrants();
            if (n > 0) {
                LOG.info("refreshed {} OAuth grants that would otherwise expire unused", n);
            }
        } catch (RuntimeException e) { // e.g. the account repository is unreachable: the next run tries again
            LOG.warn("background refresh of idle OAuth grants failed; next run as scheduled: {}", e.toString());
        }
    }

    /** A save or delete, on this node or (through the store's change stamp) another. */
    private void repositoryChanged() {
        resolver.invalidate();
        OAuthTokens t = oauthTokens; // null while the constructor runs
        if (t != null) {
            t.forgetAll(); // a grant dropped or replaced on another node must not live on in this node's cache
        }
        OutboxWorkers w = workers; // null while the constructor runs
        if (w != null) {
            w.settingsChanged();
        }
    }

    private void evict(AccountId id) {
        for (String t : transports.ids()) {
            transports.get(t).evict(id);
        }
        oauth.accountChanged(id);
    }

    /**
     * Configures a {@link Mailroom}. Not thread-safe. Each option may be set once; a second call, a
     * {@code null}, a non-positive or an infinite timeout fail at once with an exception that names the
     * option.
     */
    public static final class Builder {
        private AccountRepository accounts;
        private DeliveryLog deliveryLog;
        private final List<TransportProvider> providers = new ArrayList<>();
        private boolean discoverTransports = true;
        private ClassLoader classLoader;
        private Security defaultSecurity;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration readTimeout = Duration.ofSeconds(60);
        private Duration writeTimeout = Duration.ofSeconds(60);
        private SSLContext sslContext;
        private Function<ResolvedAccount, AccountTls> accountTls;
        private int maxConnectionsPerAccount = 4;
        private Duration connectionIdleTimeout = Duration.ofSeconds(30);
        private Duration poolWaitTimeout = Duration.ofSeconds(30);
        private ProtocolLog protocolLog;
        private AccessTokens accessTokens;
        private OAuthStore oauthStore;
        private final List<AuthorizationServer> authorizationServers = new ArrayList<>();
        private RecipientDirectory directory;
        private Clock clock = Clock.systemUTC();
        private long resolutionCacheSize = 10_000;
        private int maxRecipients = 500;
        private int maxSubjectLength = 255;
        private OutboxRepository outbox;
        private int outboxThreads = 2;
        private Duration outboxPollInterval = Duration.ofSeconds(1);
        private Duration outboxLease = Duration.ofMinutes(5);
        private Duration outboxInitialBackoff = Duration.ofMinutes(1);
        private Duration outboxMaxBackoff = Duration.ofHours(1);
        private Duration outboxMaxAge = Duration.ofDays(5);
        private Duration outboxAccountPause = Duration.ofMinutes(5);
        private Duration outboxRetention = Duration.ofDays(7);
        private Duration deliveryLogRetention;
        private long maxMessageSize = 100L * 1024 * 1024;
        private NotificationPreferences notificationPreferences;
        private NotificationTemplates notificationTemplates;
        private java.util.Locale defaultLocale = java.util.Locale.ENGLISH;
        private java.util.Map<String, String> systemInfo = java.util.Map.of();
        private final List<String> set = new ArrayList<>();
        private boolean refuseConfusableDomains;
        private boolean deferOutboxWorkers;
        private final List<MailroomListener> listeners = new ArrayList<>();

        private Builder() {
        }

        private void once(String option) {
            if (set.contains(option)) {
                throw new IllegalStateException(option + " was already set");
            }
            set.add(option);
        }

        /**
         * Where accounts and settings live. Default: a new {@link InMemoryAccountRepository}.
         *
         * @param repository the repository
         * @return this
         */
        public Builder accountRepository(AccountRepository repository) {
            once("accountRepository");
            this.accounts = Objects.requireNonNull(repository, "accounts");
            return this;
        }

        /**
         * Takes accounts, the delivery log, the outbox, notification preferences and (when the store has one) the
         * OAuth store from one store, e.g. the JDBC store. Counts as setting {@link #accounts}, {@link #deliveryLog},
         * {@link #outbox}, {@link #notificationPreferences} and {@link #oauthStore}: setting any of them as well
         * fails, whichever comes first.
         *
         * @param store the store
         * @return this
         * @throws IllegalStateException if one of the four was already set
         */
        public Builder store(MailStore store) {
            Objects.requireNonNull(store, "store");
            AccountRepository a = Objects.requireNonNull(store.accounts(), "store.accounts()");
            DeliveryLog l = Objects.requireNonNull(store.deliveryLog(), "store.deliveryLog()");
            OutboxRepository o = Objects.requireNonNull(store.outbox(), "store.outbox()");
            NotificationPreferences p = Objects.requireNonNull(store.preferences(), "store.preferences()");
            java.util.Optional<OAuthStore> oauth = Objects.requireNonNull(store.oauth(), "store.oauth()");
            for (String option : oauth.isPresent() ? List.of("accountRepository", "deliveryLogRepository", "outboxRepository",
                    "notificationPreferences", "oauthStore") : List.of("accountRepository", "deliveryLogRepository", "outboxRepository",
                    "notificationPreferences")) {
                if (set.contains(option)) {
                    throw new IllegalStateException(option + " was already set; store(…) sets it too");
                }
            }
            accountRepository(a);
            deliveryLogRepository(l);
            outboxRepository(o);
            notificationPreferences(p);
            oauth.ifPresent(this::oauthStore);
            return this;
        }

        /**
         * Where attempts are logged. Default: a new {@link InMemoryDeliveryLog}.
         *
         * @param log the log
         * @return this
         */
        public Builder deliveryLogRepository(DeliveryLog log) {
            once("deliveryLogRepository");
            this.deliveryLog = Objects.requireNonNull(log, "deliveryLog");
            return this;
        }

        /**
         * Registers a transport explicitly (in addition to those the service loader finds).
         *
         * @param provider the provider
         * @return this
         */
        public Builder transport(TransportProvider provider) {
            providers.add(Objects.requireNonNull(provider, "provider"));
            return this;
        }

        /**
         * Whether to find transports with {@link java.util.ServiceLoader}. Default: true.
         *
         * @param discover false to use only explicitly registered transports
         * @return this
         */
        public Builder discoverTransports(boolean discover) {
            once("discoverTransports");
            this.discoverTransports = discover;
            return this;
        }

        /**
         * The class loader to discover transports with. Default: Mailroom's own.
         *
         * @param loader the class loader
         * @return this
         */
        public Builder classLoader(ClassLoader loader) {
            once("classLoader");
            this.classLoader = Objects.requireNonNull(loader, "classLoader");
            return this;
        }

        /**
         * The host's global security, used where an account says {@link Security#DEFAULT}.
         * Default: {@link Security#STARTTLS}.
         *
         * @param security NONE, TLS or STARTTLS
         * @return this
         */
        public Builder defaultSecurity(Security security) {
            once("defaultSecurity");
            Objects.requireNonNull(security, "defaultSecurity");
            if (security == Security.DEFAULT) {
                throw new IllegalArgumentException("defaultSecurity must be NONE, TLS or STARTTLS: it is what DEFAULT means");
            }
            this.defaultSecurity = security;
            return this;
        }

        /**
         * @param timeout TCP connect timeout; default 10 s
         * @return this
         */
        public Builder connectTimeout(Duration timeout) {
            once("connectTimeout");
            this.connectTimeout = timeout(timeout, "connectTimeout");
            return this;
        }

        /**
         * @param timeout how long to wait for each server reply; default 60 s
         * @return this
         */
        public Builder readTimeout(Duration timeout) {
            once("readTimeout");
            this.readTimeout = timeout(timeout, "readTimeout");
            return this;
        }

        /**
         * @param timeout how long one write may block; default 60 s
         * @return this
         */
        public Builder writeTimeout(Duration timeout) {
            once("writeTimeout");
            this.writeTimeout = timeout(timeout, "writeTimeout");
            return this;
        }

        /**
         * Where users' notification choices are kept. Default: in memory ({@link InMemoryNotificationPreferences});
         * the JDBC store has a durable one ({@code JdbcStore#preferences()}).
         *
         * @param preferences the store
         * @return this
         */
        public Builder notificationPreferences(NotificationPreferences preferences) {
            once("notificationPreferences");
            this.notificationPreferences = Objects.requireNonNull(preferences, "notificationPreferences");
            return this;
        }

        /**
         * The templates of notification mail. Default: {@link NotificationTemplates#standard()} (English and
         * German for the five standard types).
         *
         * @param templates the templates
         * @return this
         */
        public Builder notificationTemplates(NotificationTemplates templates) {
            once("notificationTemplates");
            this.notificationTemplates = Objects.requireNonNull(templates, "notificationTemplates");
            return this;
        }

        /**
         * The language of notifications for recipients whose own is unknown, and the fallback when no template
         * exists in a recipient's language. Default: English.
         *
         * @param locale the locale
         * @return this
         */
        public Builder defaultLocale(java.util.Locale locale) {
            once("defaultLocale");
            this.defaultLocale = Objects.requireNonNull(locale, "defaultLocale");
            return this;
        }

        /**
         * What the host says about itself in support requests' system information, e.g. product, version,
         * licence. Mailroom adds its own and the Java version, and the tenant's mail settings without secrets.
         *
         * @param info name → value, in the order to show
         * @return this
         */
        public Builder systemInfo(java.util.Map<String, String> info) {
            once("systemInfo");
            java.util.Map<String, String> copy = new java.util.LinkedHashMap<>();
            Objects.requireNonNull(info, "systemInfo").forEach((k, v) -> copy.put(Objects.requireNonNull(k, "systemInfo key"),
                    Objects.requireNonNull(v, "systemInfo value of " + k)));
            this.systemInfo = java.util.Collections.unmodifiableMap(copy);
            return this;
        }

        /**
         * The TLS context whose trust managers decide which server certificates are trusted (e.g. a
         * private CA). Server names are always checked. Default: the JVM's trust store.
         *
         * @param context the context
         * @return this
         */
        public Builder sslContext(SSLContext context) {
            once("sslContext");
            this.sslContext = Objects.requireNonNull(context, "sslContext");
            return this;
        }

        /**
         * TLS per account, for tenants with their own CA or a relay whose certificate names another host:
         * the function gives an account's trust material under a stable key
         * ({@link AccountTls#trust(String, SSLContext)}, or {@link AccountTls#mailroomWide()} for the
         * context of {@link #sslContext(SSLContext)}) and, with {@link AccountTls#verifyAs(String)}, the name
         * its SMTP server's certificate must carry instead of the connect host. Names are always checked.
         * Called for each new connection; pooled connections are kept while the key and name stay the same,
         * so the function may build a new context each time. Default: the Mailroom-wide context for all.
         *
         * @param perAccount the TLS settings of an account; never returns {@code null}
         * @return this
         */
        public Builder accountTls(Function<ResolvedAccount, AccountTls> perAccount) {
            once("accountTls");
            this.accountTls = Objects.requireNonNull(perAccount, "accountTls");
            return this;
        }

        /**
         * @param max pooled connections per account, 1 to 64; default 4
         * @return this
         */
        public Builder maxConnectionsPerAccount(int max) {
            once("maxConnectionsPerAccount");
            if (max < 1 || max > 64) {
                throw new IllegalArgumentException("maxConnectionsPerAccount must be between 1 and 64, was " + max);
            }
            this.maxConnectionsPerAccount = max;
            return this;
        }

        /**
         * @param timeout how long an idle pooled connection is kept; default 30 s
         * @return this
         */
        public Builder connectionIdleTimeout(Duration timeout) {
            once("connectionIdleTimeout");
            this.connectionIdleTimeout = timeout(timeout, "connectionIdleTimeout");
            return this;
        }

        /**
         * @param timeout how long a send waits for a busy account's connection; default 30 s
         * @return this
         */
        public Builder poolWaitTimeout(Duration timeout) {
            once("poolWaitTimeout");
            this.poolWaitTimeout = timeout(timeout, "poolWaitTimeout");
            return this;
        }

        /**
         * Where the protocol dialog of accounts with the debug flag goes, credentials redacted.
         * Default: SLF4J logger {@code dev.mailroom.protocol} at INFO.
         *
         * @param log the sink
         * @return this
         */
        public Builder protocolLog(ProtocolLog log) {
            once("protocolLog");
            this.protocolLog = Objects.requireNonNull(log, "protocolLog");
            return this;
        }

        /**
         * Where transports get OAuth 2.0 access tokens for accounts that log in with a token (SMTP and IMAP
         * XOAUTH2, HTTP APIs), for hosts that manage tokens themselves. Default: Mailroom's own, from the grants
         * of accounts connected with {@link Mailroom#oauth()}.
         *
         * @param tokens the source, shared by every transport
         * @return this
         */
        public Builder accessTokens(AccessTokens tokens) {
            once("accessTokens");
            this.accessTokens = Objects.requireNonNull(tokens, "accessTokens");
            return this;
        }

        /**
         * Where OAuth clients, started consents and accounts' grants are kept. Default: the {@link #store}'s, else
         * an {@link InMemoryOAuthStore} (lost on restart: every OAuth account must be connected again).
         *
         * @param store the OAuth store, e.g. {@code jdbcStore.oauth().orElseThrow()}
         * @return this
         */
        public Builder oauthStore(OAuthStore store) {
            once("oauthStore");
            this.oauthStore = Objects.requireNonNull(store, "oauthStore");
            return this;
        }

        /**
         * Registers an OAuth provider explicitly, in addition to those the service loader finds (the provider
         * modules, e.g. mailroom-transport-gmail); it takes the place of a discovered one for the same provider.
         *
         * @param server the provider's authorization server
         * @return this
         */
        public Builder authorizationServer(AuthorizationServer server) {
            authorizationServers.add(Objects.requireNonNull(server, "server"));
            return this;
        }

        /**
         * The host's user directory, for signature variables and the Reply-To of individual
         * senders. Default: {@link RecipientDirectory#NONE}.
         *
         * @param directory the directory
         * @return this
         */
        public Builder directory(RecipientDirectory directory) {
            once("directory");
            this.directory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * The clock for log entries and Date headers. Default: system UTC.
         *
         * @param clock the clock
         * @return this
         */
        public Builder clock(Clock clock) {
            once("clock");
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * How many resolutions to cache. Default 10,000.
         *
         * @param size at least 1
         * @return this
         */
        public Builder resolutionCacheSize(long size) {
            once("resolutionCacheSize");
            if (size < 1) {
                throw new IllegalArgumentException("resolutionCacheSize must be at least 1, was " + size);
            }
            this.resolutionCacheSize = size;
            return this;
        }

        /**
         * The durable queue behind {@link Mailroom#enqueue}. Default: an {@link InMemoryOutboxRepository}
         * (lost on restart; use the JDBC store's outbox in production, or {@link #store} for all four durable parts).
         *
         * @param outbox the outbox
         * @return this
         */
        public Builder outboxRepository(OutboxRepository outbox) {
            once("outboxRepository");
            this.outbox = Objects.requireNonNull(outbox, "outbox");
            return this;
        }

        /**
         * Adds a listener told of every delivery attempt, e.g. for metrics ({@code mailroom-micrometer}). Listeners run on the
         * sending thread, in the order added; one that throws is logged and never breaks a send.
         *
         * @param listener the listener
         * @return this
         */
        public Builder listener(MailroomListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * The outbox workers start with {@link Mailroom#startOutboxWorkers()} instead of at build: for an application
         * container that starts and stops them with its own lifecycle (the Spring Boot starter does). Enqueuing works
         * before; the mail waits. Default: the workers start at build.
         *
         * @return this
         */
        public Builder deferOutboxWorkers() {
            once("deferOutboxWorkers");
            this.deferOutboxWorkers = true;
            return this;
        }

        /**
         * How many worker threads deliver the outbox on this node; 0 for a node that only enqueues. Default 2.
         * Each worker claims up to 10 mails and delivers the accounts among them in parallel (a slow server
         * delays only its own account), so a node may use up to {@code threads × 10} database connections at
         * once for reading messages and recording outcomes: size the data source's pool for that.
         *
         * @param threads 0 to 64
         * @return this
         */
        public Builder outboxWorkers(int threads) {
            once("outboxWorkers");
            if (threads < 0 || threads > 64) {
                throw new IllegalArgumentException("outboxWorkers must be between 0 and 64, was " + threads);
            }
            this.outboxThreads = threads;
            return this;
        }

        /**
         * Retry timing of the outbox: the first retry after about {@code initial}, doubling up to {@code max}
         * (with jitter), giving up on a message older than {@code maxAge}; an account problem (login, sender,
         * TLS set-up) pauses the account's mail for {@code accountPause} without using up the retry budget.
         * Defaults: 1 min, 1 h, 5 days (like Postfix), 5 min.
         *
         * @param initial the first backoff
         * @param max the longest backoff
         * @param maxAge the age after which a message fails
         * @param accountPause the pause after an account problem
         * @return this
         */
        public Builder outboxRetry(Duration initial, Duration max, Duration maxAge, Duration accountPause) {
            once("outboxRetry");
            this.outboxInitialBackoff = positiveAny(initial, "initial");
            this.outboxMaxBackoff = positiveAny(max, "max");
            this.outboxMaxAge = positiveAny(maxAge, "maxAge");
            this.outboxAccountPause = positiveAny(accountPause, "accountPause");
            return this;
        }

        /**
         * How long sent and failed mails stay in the outbox after they finished, payload included; the
         * workers delete older ones about once an hour ({@link OutboxRepository#purgeFinished}). An
         * idempotency key ({@link Mailroom#enqueue(MailContext, Email, String)}) is remembered as long.
         * Default 7 days.
         *
         * @param retention positive
         * @return this
         */
        public Builder outboxRetention(Duration retention) {
            once("outboxRetention");
            this.outboxRetention = positiveAny(retention, "outboxRetention");
            return this;
        }

        /**
         * How long the delivery log keeps entries: the outbox workers delete older ones about once an
         * hour ({@link DeliveryLog#purgeOlderThan}). Default: kept until the host deletes them (for the JDBC
         * store, {@code store.deliveryLog().purgeOlderThan(retention)}); the in-memory log keeps its newest
         * 10,000 entries regardless.
         *
         * @param retention positive, e.g. 90 days
         * @return this
         */
        public Builder deliveryLogRetention(Duration retention) {
            once("deliveryLogRetention");
            this.deliveryLogRetention = positiveAny(retention, "deliveryLogRetention");
            return this;
        }

        /**
         * How long a worker holds the mails it claimed; a node that dies leaves them to others after this.
         * Must exceed the longest send (connect + read timeouts). Transports get half of it as their
         * {@link TransportContext#sendBudget() send budget}: a send of several requests (Graph's large messages)
         * that has not reached its final request by then stops and is retried; raise the lease for large
         * messages over slow links. Default 5 min.
         *
         * @param lease the lease
         * @return this
         */
        public Builder outboxLease(Duration lease) {
            once("outboxLease");
            this.outboxLease = timeout(lease, "outboxLease");
            return this;
        }

        /**
         * How often idle workers look for due mail (enqueues on this node wake them at once). Default 1 s.
         *
         * @param interval the interval
         * @return this
         */
        public Builder outboxPollInterval(Duration interval) {
            once("outboxPollInterval");
            this.outboxPollInterval = timeout(interval, "outboxPollInterval");
            return this;
        }

        private static Duration positiveAny(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, was " + d);
            }
            return d;
        }

        /**
         * The most envelope recipients (To, Cc and Bcc) one message may have. Default 500.
         *
         * @param max 1 to 100,000
         * @return this
         */
        public Builder maxRecipients(int max) {
            once("maxRecipients");
            if (max < 1 || max > 100_000) {
                throw new IllegalArgumentException("maxRecipients must be between 1 and 100000, was " + max);
            }
            this.maxRecipients = max;
            return this;
        }

        /**
         * The longest subject (in characters) a message may have; longer ones are refused with
         * {@link MailErrorCode#INVALID_EMAIL} before anything is sent or stored. Default 255: Outlook and
         * Exchange cut longer subjects.
         *
         * @param max 1 to {@link Email#MAX_SUBJECT_LENGTH}
         * @return this
         */
        public Builder maxSubjectLength(int max) {
            once("maxSubjectLength");
            if (max < 1 || max > Email.MAX_SUBJECT_LENGTH) {
                throw new IllegalArgumentException("maxSubjectLength must be between 1 and " + Email.MAX_SUBJECT_LENGTH + ", was " + max);
            }
            this.maxSubjectLength = max;
            return this;
        }

        /**
         * The largest message (estimated size on the wire) Mailroom sends; servers also refuse messages over
         * their advertised SIZE before anything is sent. Default 100 MiB.
         *
         * @param bytes at least 1 KiB
         * @return this
         */
        public Builder maxMessageSize(long bytes) {
            once("maxMessageSize");
            if (bytes < 1024) {
                throw new IllegalArgumentException("maxMessageSize must be at least 1024 bytes, was " + bytes);
            }
            this.maxMessageSize = bytes;
            return this;
        }

        /**
         * Refuses mail to or from a domain that may imitate another one (mixed scripts such as a Cyrillic "а"
         * in {@code pаypal.com}, UTS #39) with {@link MailErrorCode#INVALID_EMAIL}, instead of only warning
         * in {@link Mailroom#preview} and the log. Default: warn only.
         *
         * @return this
         */
        public Builder refuseConfusableDomains() {
            once("refuseConfusableDomains");
            this.refuseConfusableDomains = true;
            return this;
        }

        /**
         * Builds: opens every transport and subscribes to repository changes.
         *
         * @return the mailroom
         * @throws IllegalStateException if two transports share an id
         */
        public Mailroom build() {
            return new Mailroom(this);
        }

        private static Duration timeout(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero() || d.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException(name + " must be positive and at most one hour (timeouts are never infinite), was " + d);
            }
            return d;
        }
    }
}
