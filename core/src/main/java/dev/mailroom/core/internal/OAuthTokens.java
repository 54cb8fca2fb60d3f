package dev.mailroom.core.internal;

import dev.mailroom.AccountId;
import dev.mailroom.Authentication;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.OAuthClient;
import dev.mailroom.OAuthClientId;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.SendSettings;
import dev.mailroom.core.TokenRefresh;
import dev.mailroom.spi.AccessToken;
import dev.mailroom.spi.AccessTokens;
import dev.mailroom.spi.AuthorizationServer;
import dev.mailroom.spi.OAuthStore;
import dev.mailroom.spi.TokenResponse;
import dev.mailroom.spi.TransportContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Mailroom's own {@link AccessTokens}: access tokens of OAuth 2.0 accounts from their grants in the
 * {@link OAuthStore}. A token is used until {@code expires − max(5 min, 10 % of its lifetime)} (at most half its
 * lifetime) less a random jitter, then refreshed. Refreshing is single-flight: per account one thread of this
 * node (the others wait on its lock and take the result), and across nodes the one holding the store's refresh
 * lease (the others wait, bounded, for the grant's version to change and reuse the stored token). A rotated
 * refresh token is committed to the store before the new access token is handed out. See ADR 021.
 *
 * <p>Accounts with Microsoft application credentials ({@link Authentication.MicrosoftApp}) have no grant: their token
 * comes from the client credentials grant of their registered client, cached per directory, client and scope (shared
 * by every account of the same app) with the same refresh margin, fetched by one thread per key of this node; every
 * node fetches its own (there is no refresh token to rotate). The scope follows the token's purpose: for sending, how the
 * account sends: Graph ({@value #GRAPH_SCOPE}), otherwise Exchange Online's SMTP ({@value #EXCHANGE_SCOPE}); for
 * fetching always Exchange Online's IMAP and POP ({@value #EXCHANGE_SCOPE}). See ADR 023 and 029.
 */
public final class OAuthTokens implements AccessTokens {
    private static final Logger LOG = LoggerFactory.getLogger(OAuthTokens.class);
    private static final Duration MIN_MARGIN = Duration.ofMinutes(5);
    /** How long a client the provider refused is not asked again (unless it is registered again). */
    private static final Duration CLIENT_REJECTED_PAUSE = Duration.ofMinutes(15);
    /** The OAuth errors that mean the client registration itself is refused. */
    private static final java.util.regex.Pattern CLIENT_ERROR = java.util.regex.Pattern.compile("\\b(invalid_client|unauthorized_client)\\b",
            java.util.regex.Pattern.CASE_INSENSITIVE);
    /** The scope of an application token for Microsoft Graph. */
    public static final String GRAPH_SCOPE = "https://graph.microsoft.com/.default";
    /** The scope of an application token for Exchange Online's SMTP, IMAP and POP. */
    public static final String EXCHANGE_SCOPE = "https://outlook.office365.com/.default";

    /** Timing of refreshes: the store lease, how long to wait for another node, how often to look. */
    public record Settings(Duration lease, Duration waitForOtherNode, Duration pollInterval, Duration initialBackoff, Duration maxBackoff) {
        /** @return defaults for the given transport context's timeouts */
        static Settings defaults(TransportContext context) {
            Duration call = context.connectTimeout().plus(context.readTimeout()).plus(context.writeTimeout());
            return new Settings(call.plus(Duration.ofSeconds(30)), call.plus(Duration.ofSeconds(5)), Duration.ofMillis(100),
                    Duration.ofSeconds(5), Duration.ofMinutes(5));
        }
    }

    private record Cached(AccessToken token, Instant refreshAt) {
    }

    private record Rejection(MailException failure, Instant until) {
    }

    private record Unavailable(Instant until, int streak) {
    }

    /** Whose application token: one per directory, client and scope, shared by every account of that app. */
    private record AppKey(String directory, OAuthClientId client, String scope) {
    }

    private final OAuthStore store;
    private final AuthorizationServers servers;
    private final TransportContext context;
    private final Clock clock;
    private final Settings settings;
    private final Listeners listeners;
    private final String holder = "mailroom-" + UUID.randomUUID();
    private final ConcurrentMap<AccountId, Cached> cache = new ConcurrentHashMap<>();
    private final ConcurrentMap<AccountId, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final ConcurrentMap<OAuthClientId, Rejection> rejectedClients = new ConcurrentHashMap<>();
    private final ConcurrentMap<AccountId, Unavailable> unavailable = new ConcurrentHashMap<>();
    private final ConcurrentMap<AppKey, Cached> appCache = new ConcurrentHashMap<>();
    private final ConcurrentMap<AppKey, ReentrantLock> appLocks = new ConcurrentHashMap<>();
    private final ConcurrentMap<AppKey, Unavailable> appUnavailable = new ConcurrentHashMap<>();

    /**
     * @param store the grants
     * @param servers the providers
     * @param context timeouts and TLS for calls to the providers
     * @param clock the clock expiry is judged on
     * @param settings timing, or {@code null} for the defaults of the context
     * @param listeners told of every call to a provider for a token
     */
    public OAuthTokens(OAuthStore store, AuthorizationServers servers, TransportContext context, Clock clock, Settings settings,
                       Listeners listeners) {
        this.listeners = listeners;
        this.store = store;
        this.servers = servers;
        this.context = context;
        this.clock = clock;
        this.settings = settings != null ? settings : Settings.defaults(context);
    }

    @Override
    public AccessToken token(ResolvedAccount account) {
        Authentication auth = account.authentication().orElse(null);
        if (auth instanceof Authentication.MicrosoftApp app) {
            return appToken(account, app, appScope(account, Purpose.SEND), null);
        }
        AccountId id = account.account().id();
        Cached c = cache.get(id);
        if (c != null && clock.instant().isBefore(c.refreshAt())) {
            return c.token();
        }
        return obtain(account, null);
    }

    @Override
    public AccessToken refresh(ResolvedAccount account, AccessToken rejected) {
        return refresh(account, Purpose.SEND, rejected);
    }

    /** Application tokens are per resource: fetching (IMAP, POP) always uses Exchange Online's, whatever the account sends with. */
    @Override
    public AccessToken token(ResolvedAccount account, Purpose purpose) {
        java.util.Objects.requireNonNull(purpose, "purpose");
        if (account.authentication().orElse(null) instanceof Authentication.MicrosoftApp app) {
            return appToken(account, app, appScope(account, purpose), null);
        }
        return token(account);
    }

    @Override
    public AccessToken refresh(ResolvedAccount account, Purpose purpose, AccessToken rejected) {
        java.util.Objects.requireNonNull(rejected, "rejected");
        java.util.Objects.requireNonNull(purpose, "purpose");
        if (account.authentication().orElse(null) instanceof Authentication.MicrosoftApp app) {
            return appToken(account, app, appScope(account, purpose), rejected);
        }
        return obtain(account, rejected);
    }

    /**
     * Refreshes an account's grant when its provider lets refresh tokens expire unused
     * ({@link AuthorizationServer#idleRefresh()}) and its token was last issued longer ago than that: single-flight
     * with the lease, the rotated refresh token stored before anything else, failures recorded as for any refresh
     * (a refused grant is marked, an unavailable provider backs off).
     *
     * @param account an account that logs in with OAuth 2.0 consent
     * @return whether the provider was asked for a new token
     * @throws MailException as {@link #token} does, when the refresh fails
     */
    public boolean refreshIfIdle(ResolvedAccount account) {
        OAuthClientId clientId = clientOf(account);
        OAuthStore.Grant g = store.findGrant(account.account().id()).orElse(null);
        if (g == null || g.problem() != null || !g.client().equals(clientId)) {
            return false;
        }
        Optional<Duration> idle = store.findClient(clientId).flatMap(c -> servers.find(c.provider())).flatMap(AuthorizationServer::idleRefresh);
        if (idle.isEmpty()) {
            return false;
        }
        Instant last = g.accessTokenIssuedAt() != null ? g.accessTokenIssuedAt() : g.grantedAt();
        Instant idleBefore = clock.instant().minus(idle.get());
        if (last.isAfter(idleBefore)) {
            return false;
        }
        LOG.info("account {}: refreshing its OAuth grant, unused since {} (the provider expires refresh tokens unused for longer than {})",
                account.account().email().address(), last, idle.get());
        AccessToken before = g.accessToken();
        AccessToken after = obtain(account, null, idleBefore);
        return !after.equals(before);
    }

    /** Forgets this node's cached token of an account (after a new consent or a disconnect). */
    public void forget(AccountId account) {
        cache.remove(account);
        unavailable.remove(account);
    }

    /**
     * Forgets every cached token of this node: called when the store reports a change on any node (a disconnect,
     * a new consent, an account that no longer fits its grant). The next request reads the grant from the store, so
     * a disconnected account stops sending on every node, not only where it was disconnected.
     */
    public void forgetAll() {
        cache.clear();
        unavailable.clear();
    }

    /** A client was registered again: ask the provider again at once. */
    public void clientChanged(OAuthClientId client) {
        rejectedClients.remove(client);
        appCache.keySet().removeIf(k -> k.client().equals(client)); // perhaps a new secret: its tokens are fetched again
        appUnavailable.keySet().removeIf(k -> k.client().equals(client));
    }

    /**
     * @param client a client
     * @return the provider's refusal of the client, while this node does not ask it again
     */
    public Optional<MailException> rejection(OAuthClientId client) {
        Rejection r = rejectedClients.get(client);
        return r == null || !clock.instant().isBefore(r.until()) ? Optional.empty() : Optional.of(r.failure());
    }

    /** The scope of an application token: fetching is IMAP or POP (Exchange Online); sending follows how the account sends. */
    static String appScope(ResolvedAccount account, Purpose purpose) {
        if (purpose == Purpose.FETCH) {
            return EXCHANGE_SCOPE;
        }
        return account.sending().map(s -> s.kind() == SendSettings.Kind.GRAPH).orElse(false) ? GRAPH_SCOPE : EXCHANGE_SCOPE;
    }

    /** An application token (client credentials grant) for a Microsoft app account; single-flight per directory, client and scope. */
    private AccessToken appToken(ResolvedAccount account, Authentication.MicrosoftApp app, String scope, AccessToken rejected) {
        AppKey key = new AppKey(app.directoryId(), app.client(), scope);
        Cached c = appCache.get(key);
        if (rejected == null && c != null && clock.instant().isBefore(c.refreshAt())) {
            return c.token();
        }
        ReentrantLock lock = appLocks.computeIfAbsent(key, k -> new ReentrantLock());
        try {
            if (!lock.tryLock(settings.waitForOtherNode().toMillis(), TimeUnit.MILLISECONDS)) {
                Cached held = appCache.get(key);
                return stillValid(account, held == null ? null : held.token(), rejected, clock.instant(),
                        "another request for the application token on this node did not finish in time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(account, "interrupted while waiting for the application token");
        }
        try {
            Instant now = clock.instant();
            c = appCache.get(key);
            AccessToken current = c == null ? null : c.token();
            if (c != null && usable(c.token(), c.refreshAt(), rejected, now)) {
                return c.token();
            }
            rejection(app.client()).ifPresent(r -> {
                throw r;
            });
            Unavailable u = appUnavailable.get(key);
            if (u != null && now.isBefore(u.until())) {
                return stillValid(account, current, rejected, now, "the provider was unavailable; next try after " + u.until());
            }
            String address = account.account().email().address();
            OAuthClient client = store.findClient(app.client()).orElseThrow(() -> clientMissing(address, app.client()));
            AuthorizationServer server = servers.get(client.provider(), "OAuth client " + client.id());
            TokenResponse r;
            try {
                r = server.clientCredentials(client, app.directoryId(), List.of(key.scope()), context);
            } catch (MailException raw) {
                MailException e = classified(raw);
                listeners.tokenRefreshed(new TokenRefresh(account.account().id(), client.provider(), e.code()));
                appCache.remove(key);
                if (e.code() == MailErrorCode.OAUTH_CLIENT_REJECTED) {
                    rejectClient(client, e);
                } else if (e.code() == MailErrorCode.OAUTH_PROVIDER_UNAVAILABLE) {
                    Unavailable before = appUnavailable.get(key);
                    int streak = before == null ? 1 : before.streak() + 1;
                    Duration backoff = backoff(streak, e.retryAfter().orElse(null));
                    appUnavailable.put(key, new Unavailable(clock.instant().plus(backoff), streak));
                    LOG.warn("directory {}, client {}: the OAuth provider is unavailable ({}){}; next try in {}", app.directoryId(), client.id(),
                            e.getMessage(), e.serverReply().map(x -> " [provider: " + x + "]").orElse(""), backoff);
                    return stillValid(account, current, rejected, clock.instant(), e.getMessage(), e);
                }
                throw e;
            }
            listeners.tokenRefreshed(new TokenRefresh(account.account().id(), client.provider(), null));
            appUnavailable.remove(key);
            AccessToken token = r.accessToken();
            appCache.put(key, new Cached(token, refreshAt(token, now)));
            LOG.debug("directory {}, client {}: application token for {} obtained", app.directoryId(), client.id(), key.scope());
            return token;
        } finally {
            lock.unlock();
        }
    }

    private AccessToken obtain(ResolvedAccount account, AccessToken rejected) {
        return obtain(account, rejected, null);
    }

    /**
     * The account's token: the cached one while usable, else the stored one, else a refresh under the lease.
     *
     * @param idleBefore for the background refresh of idle grants: a token issued before this is refreshed even though
     *        it is still usable; {@code null} otherwise
     */
    private AccessToken obtain(ResolvedAccount account, AccessToken rejected, Instant idleBefore) {
        AccountId id = account.account().id();
        OAuthClientId clientId = clientOf(account);
        ReentrantLock lock = locks.computeIfAbsent(id, k -> new ReentrantLock());
        try {
            if (!lock.tryLock(settings.waitForOtherNode().toMillis(), TimeUnit.MILLISECONDS)) {
                // Another thread of this node refreshes: its result is not there yet, but a still-valid token is as good.
                Cached c = cache.get(id);
                return stillValid(account, c == null ? null : c.token(), rejected, clock.instant(),
                        "another refresh of its token on this node did not finish in time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(account, "interrupted while waiting for its token");
        }
        boolean leased = false; // this thread may hold the store's lease, and has not handed it to refreshLeased
        try {
            Instant now = clock.instant();
            Cached c = cache.get(id);
            if (idleBefore == null && c != null && usable(c.token(), c.refreshAt(), rejected, now)) {
                return c.token();
            }
            long deadline = System.nanoTime() + settings.waitForOtherNode().toNanos();
            while (true) {
                now = clock.instant();
                OAuthStore.Grant g = grant(account, clientId);
                AccessToken current = g.accessToken();
                if (current != null) {
                    Instant refreshAt = refreshAt(current, g.accessTokenIssuedAt());
                    if (usable(current, refreshAt, rejected, now) && (idleBefore == null || g.accessTokenIssuedAt().isAfter(idleBefore))) {
                        cache.put(id, new Cached(current, refreshAt));
                        return current;
                    }
                }
                rejection(clientId).ifPresent(r -> {
                    throw r;
                });
                Unavailable u = unavailable.get(id);
                if (u != null && now.isBefore(u.until())) {
                    return stillValid(account, current, rejected, now, "the provider was unavailable; next try after " + u.until());
                }
                if (store.tryLease(id, holder, settings.lease())) {
                    leased = true;
                    OAuthStore.Grant fresh = store.findGrant(id).orElse(null);
                    if (fresh == null || fresh.version() != g.version()) { // another node refreshed between our read and the lease
                        store.releaseLease(id, holder);
                        leased = false;
                        continue;
                    }
                    leased = false; // refreshLeased releases it on every path
                    return refreshLeased(account, fresh, rejected);
                }
                // Another node refreshes: wait for its result, bounded.
                Wait w = awaitOtherNode(id, g.version(), deadline);
                if (w == Wait.LEASED) {
                    leased = true;
                } else if (w == Wait.TIMED_OUT) {
                    return stillValid(account, current, rejected, clock.instant(),
                            "another node holds the refresh lease and did not finish within " + settings.waitForOtherNode());
                }
            }
        } finally {
            if (leased) {
                releaseQuietly(id, account.account().email().address());
            }
            lock.unlock();
        }
    }

    /** How waiting for another node ended. */
    private enum Wait {
        /** The grant changed (the other node stored its result, or it was replaced or removed). */
        CHANGED,
        /** The other node gave up its lease and this node took it. */
        LEASED,
        /** The deadline passed. */
        TIMED_OUT
    }

    /**
     * Waits until the grant's version changes (the other node stored its result) or its lease is free again (it
     * gave up, e.g. the provider was unavailable: this node then holds the lease, and must release it).
     */
    private Wait awaitOtherNode(AccountId id, long version, long deadline) {
        while (System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(settings.pollInterval().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Wait.TIMED_OUT;
            }
            Optional<OAuthStore.Grant> g = store.findGrant(id);
            if (g.isEmpty() || g.get().version() != version) {
                return Wait.CHANGED;
            }
            if (store.tryLease(id, holder, settings.lease())) {
                return Wait.LEASED;
            }
        }
        return Wait.TIMED_OUT;
    }

    private void releaseQuietly(AccountId id, String address) {
        try {
            store.releaseLease(id, holder);
        } catch (RuntimeException ex) {
            LOG.warn("account {}: releasing the refresh lease failed; it expires on its own: {}", address, ex.toString());
        }
    }

    /** Refreshes while holding the lease; stores the result before handing the token out; releases the lease on every path. */
    private AccessToken refreshLeased(ResolvedAccount account, OAuthStore.Grant grant, AccessToken rejected) {
        AccountId id = account.account().id();
        String address = account.account().email().address();
        boolean released = false;
        try {
            OAuthClient client = store.findClient(grant.client()).orElseThrow(() -> clientMissing(address, grant.client()));
            AuthorizationServer server = servers.get(client.provider(), "OAuth client " + client.id());
            Instant issuedAt = clock.instant();
            TokenResponse r;
            try {
                r = server.refresh(client, grant.refreshToken(), context);
            } catch (MailException raw) {
                MailException e = classified(raw);
                listeners.tokenRefreshed(new TokenRefresh(id, client.provider(), e.code()));
                released = failed(account, grant, client, e);
                if (e.code() == MailErrorCode.OAUTH_PROVIDER_UNAVAILABLE) {
                    return stillValid(account, grant.accessToken(), rejected, clock.instant(), e.getMessage(), e);
                }
                if (e.code() == MailErrorCode.OAUTH_GRANT_REVOKED && !released) {
                    // the grant changed while this node refreshed: the refusal was of an older refresh token
                    AccessToken newer = newerToken(id, grant.version(), rejected);
                    if (newer != null) {
                        return newer;
                    }
                }
                throw e;
            }
            listeners.tokenRefreshed(new TokenRefresh(id, client.provider(), null));
            // Committed before use: a rotated refresh token must never be lost once the provider invalidated the old one.
            // A compare-and-set on the version this refresh started from: it holds even if the lease ran out meanwhile.
            Optional<OAuthStore.Grant> saved = store.saveTokens(id, holder, grant.version(), r.accessToken(), issuedAt, r.refreshToken());
            if (saved.isEmpty()) {
                LOG.warn("account {}: its OAuth grant changed while this node refreshed (another node stored a newer token, or the account"
                        + " was connected again or disconnected); this node's result{} is dropped", address,
                        r.refreshToken().isPresent() ? ", with the refresh token the provider rotated for it," : "");
                AccessToken newer = newerToken(id, grant.version(), rejected);
                if (newer != null) {
                    return newer;
                }
                throw unavailable(account, "its OAuth grant changed while this node refreshed; try again");
            }
            released = true;
            unavailable.remove(id);
            AccessToken token = saved.get().accessToken();
            cache.put(id, new Cached(token, refreshAt(token, issuedAt)));
            LOG.debug("account {}: access token refreshed{}", address, r.refreshToken().isPresent() ? " (refresh token rotated)" : "");
            return token;
        } finally {
            if (!released) {
                releaseQuietly(id, address);
            }
        }
    }

    /** The token of a grant newer than {@code version}, when it has one that was not refused and has not expired. */
    private AccessToken newerToken(AccountId id, long version, AccessToken rejected) {
        OAuthStore.Grant g = store.findGrant(id).orElse(null);
        if (g == null || g.version() == version || g.problem() != null || g.accessToken() == null) {
            return null;
        }
        AccessToken t = g.accessToken();
        if (t.expiredAt(clock.instant()) || t.equals(rejected)) {
            return null;
        }
        cache.put(id, new Cached(t, refreshAt(t, g.accessTokenIssuedAt())));
        return t;
    }

    /**
     * The provider's failure as Mailroom acts on it: a refusal of the client that does not name {@code invalid_client}
     * or {@code unauthorized_client} in the provider's reply (e.g. an HTTP 400 without an OAuth error, an HTML error
     * page) says nothing sure about the client registration, so it is treated as a passing failure of this account
     * (backoff) instead of pausing every account of the client.
     */
    static MailException classified(MailException e) {
        if (e.code() != MailErrorCode.OAUTH_CLIENT_REJECTED || e.serverReply().isEmpty()
                || CLIENT_ERROR.matcher(e.serverReply().get()).find()) {
            return e;
        }
        return new MailException(MailErrorCode.OAUTH_PROVIDER_UNAVAILABLE, e.getMessage() + "; the reply names no invalid_client, so"
                + " it is treated as a passing failure of this account", e.serverReply().get(), null, List.of(), e);
    }

    /** Records a refresh failure by its code; returns whether the lease was released with it. */
    private boolean failed(ResolvedAccount account, OAuthStore.Grant grant, OAuthClient client, MailException e) {
        AccountId id = account.account().id();
        String address = account.account().email().address();
        cache.remove(id);
        switch (e.code()) {
            case OAUTH_GRANT_REVOKED -> {
                String detail = e.serverReply().orElse(e.getMessage());
                boolean marked = store.markProblem(id, holder, grant.version(),
                        new OAuthStore.Problem(MailErrorCode.OAUTH_GRANT_REVOKED, detail, clock.instant()));
                if (marked) {
                    LOG.warn("account {}: the provider refused its OAuth grant (OAUTH_GRANT_REVOKED) [provider: {}]; its queued mail is held until"
                            + " an administrator connects it again", address, detail);
                }
                return marked;
            }
            case OAUTH_CLIENT_REJECTED -> {
                rejectClient(client, e);
                return false;
            }
            case OAUTH_PROVIDER_UNAVAILABLE -> {
                Unavailable before = unavailable.get(id);
                int streak = before == null ? 1 : before.streak() + 1;
                Duration backoff = backoff(streak, e.retryAfter().orElse(null));
                unavailable.put(id, new Unavailable(clock.instant().plus(backoff), streak));
                LOG.warn("account {}: the OAuth provider is unavailable ({}){}; next try in {}", address, e.getMessage(),
                        e.serverReply().map(r -> " [provider: " + r + "]").orElse(""), backoff);
                return false;
            }
            default -> {
                return false;
            }
        }
    }

    /** The provider refused the client: logged once, not asked again for a while. */
    private void rejectClient(OAuthClient client, MailException e) {
        if (rejectedClients.put(client.id(), new Rejection(e, clock.instant().plus(CLIENT_REJECTED_PAUSE))) == null) {
            LOG.error("OAuth client {} ({}) was refused by the provider: {}{}. Every account using it fails until it is registered"
                    + " again with a valid client ID and secret.", client.id(), client.provider(), e.getMessage(),
                    e.serverReply().map(r -> " [provider: " + r + "]").orElse(""));
        }
    }

    private Duration backoff(int streak, Duration retryAfter) {
        long base = settings.initialBackoff().toMillis() << Math.min(streak - 1, 16);
        long capped = Math.min(base, settings.maxBackoff().toMillis());
        long jittered = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
        Duration d = Duration.ofMillis(jittered);
        return retryAfter != null && retryAfter.compareTo(d) > 0 ? retryAfter : d;
    }

    /** The current token, when it has not expired and was not refused; else the provider's unavailability. */
    private AccessToken stillValid(ResolvedAccount account, AccessToken current, AccessToken rejected, Instant now, String why) {
        return stillValid(account, current, rejected, now, why, null);
    }

    private AccessToken stillValid(ResolvedAccount account, AccessToken current, AccessToken rejected, Instant now, String why,
                                   MailException cause) {
        if (current != null && !current.expiredAt(now) && (rejected == null || !current.equals(rejected))) {
            return current;
        }
        throw cause != null ? cause : unavailable(account, why); // the provider's own failure carries its reply and Retry-After
    }

    private static boolean usable(AccessToken token, Instant refreshAt, AccessToken rejected, Instant now) {
        if (rejected != null) {
            return !token.equals(rejected) && !token.expiredAt(now);
        }
        return now.isBefore(refreshAt);
    }

    /** expires − max(5 min, 10 % of the lifetime), at most half the lifetime, less up to 5 % of the lifetime (max 1 min) of jitter per token. */
    static Instant refreshAt(AccessToken token, Instant issuedAt) {
        Instant expires = token.expiresAt().orElse(null);
        if (expires == null) {
            return Instant.MAX; // no known expiry: used until a server refuses it
        }
        long lifetime = Math.max(0, Duration.between(issuedAt, expires).toMillis());
        long margin = Math.min(Math.max(MIN_MARGIN.toMillis(), lifetime / 10), lifetime / 2);
        // the jitter comes from the token itself: the same on every look at one token (so the refresh point does not move
        // between two checks), different between tokens and accounts (so they do not all refresh at once)
        long jitter = Math.floorMod((long) token.hashCode(), Math.min(60_000, lifetime / 20) + 1);
        return expires.minusMillis(margin + jitter);
    }

    private OAuthStore.Grant grant(ResolvedAccount account, OAuthClientId clientId) {
        String address = account.account().email().address();
        OAuthStore.Grant g = store.findGrant(account.account().id()).orElseThrow(() -> new MailException(MailErrorCode.ACCESS_TOKEN_UNAVAILABLE,
                "account " + address + " is not connected to OAuth client " + clientId, null,
                "An administrator connects the account: mailroom.oauth().beginAuthorization(accountId), then signs in with the mailbox.",
                List.of(), null));
        if (!g.client().equals(clientId)) {
            throw new MailException(MailErrorCode.ACCESS_TOKEN_UNAVAILABLE, "account " + address + " was connected with OAuth client "
                    + g.client() + " but now uses " + clientId, null, "Connect the account again with its current OAuth client.", List.of(), null);
        }
        if (g.problem() != null) { // known on every node: no call to the provider until it is connected again
            throw new MailException(g.problem().code(), "the provider refused the OAuth grant of account " + address + " on "
                    + g.problem().since(), g.problem().detail(), g.problem().code().hint(), List.of(), null);
        }
        SendSettings.Kind kind = account.sending().map(SendSettings::kind).orElse(null);
        if (!g.scopes().isEmpty() && kind != null) {
            AuthorizationServer server = store.findClient(clientId).flatMap(c -> servers.find(c.provider())).orElse(null);
            MailException missing = server == null ? null : transportScopeMissing(server, kind, g.scopes(), address, clientId, false);
            if (missing != null) {
                throw missing;
            }
        }
        return g;
    }

    /**
     * The refusal when a grant's scopes do not let the account send through its kind of transport
     * ({@link AuthorizationServer#scopesFor}), or {@code null} when they do (or the provider asks for no check).
     *
     * @param server the provider
     * @param kind how the account sends
     * @param granted the grant's scopes, as the provider reported them
     * @param address the account's address
     * @param client its client
     * @param atConsent whether a consent is being completed (nothing is stored) rather than a grant used
     * @return the failure, or {@code null}
     */
    public static MailException transportScopeMissing(AuthorizationServer server, SendSettings.Kind kind, java.util.Set<String> granted,
                                                      String address, OAuthClientId client, boolean atConsent) {
        List<String> accepted = server.scopesFor(kind);
        if (accepted.isEmpty() || accepted.stream().anyMatch(granted::contains)) {
            return null;
        }
        String scope = accepted.get(0);
        return new MailException(MailErrorCode.OAUTH_SCOPE_MISSING, "account " + address + " sends through " + kind + ", which needs the"
                + " OAuth scope " + scope + (accepted.size() > 1 ? " (or one of " + String.join(", ", accepted.subList(1, accepted.size())) + ")" : "")
                + (atConsent ? ", but the consent did not grant it; nothing was stored" : ", but its grant does not have it"), null,
                "Add " + scope + " to the scopes of OAuth client " + client + " (registerClient), then connect the account again"
                        + " (beginAuthorization) and allow it on the consent page.", List.of(), null);
    }

    static OAuthClientId clientOf(ResolvedAccount account) {
        Authentication auth = account.authentication().orElse(null);
        if (auth == null || auth.kind() != Authentication.Kind.OAUTH2) {
            throw new MailException(MailErrorCode.ACCESS_TOKEN_UNAVAILABLE, "account " + account.account().email().address()
                    + " does not log in with OAuth 2.0", null, "Set Authentication.oauth2(user, client) on the account.", List.of(), null);
        }
        return auth.oauthClient().orElseThrow();
    }

    private static MailException clientMissing(String address, OAuthClientId client) {
        return new MailException(MailErrorCode.OAUTH_CLIENT_MISSING, "account " + address + " refers to OAuth client " + client
                + ", which is not registered", null, "Register it with mailroom.oauth().registerClient(...).", List.of(), null);
    }

    private static MailException unavailable(ResolvedAccount account, String why) {
        return new MailException(MailErrorCode.OAUTH_PROVIDER_UNAVAILABLE, "no access token for account "
                + account.account().email().address() + ": " + why);
    }

    @Override
    public String toString() {
        return "OAuthTokens[" + store + "]";
    }
}
