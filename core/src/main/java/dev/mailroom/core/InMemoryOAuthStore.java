package dev.mailroom.core;

import dev.mailroom.AccountId;
import dev.mailroom.OAuthClient;
import dev.mailroom.OAuthClientId;
import dev.mailroom.Secret;
import dev.mailroom.spi.AccessToken;
import dev.mailroom.spi.OAuthStore;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An {@link OAuthStore} in memory: for tests and single-node setups that accept connecting every OAuth account
 * again after a restart. It is Mailroom's default when the store has no OAuth store of its own. Secrets are kept
 * as given (not sealed: nothing is written anywhere). Thread-safe; leases are measured on the given clock.
 */
public final class InMemoryOAuthStore implements OAuthStore {
    private record Lease(String holder, Instant until) {
    }

    private final Clock clock;
    private final Map<OAuthClientId, OAuthClient> clients = new TreeMap<>((a, b) -> a.value().compareTo(b.value()));
    private final Map<String, PendingConsent> consents = new HashMap<>();
    private final Map<AccountId, Grant> grants = new HashMap<>();
    private final Map<AccountId, Lease> leases = new HashMap<>();
    private long versions;

    /** A store whose leases run on the system clock. */
    public InMemoryOAuthStore() {
        this(Clock.systemUTC());
    }

    /**
     * @param clock the clock leases are measured on
     */
    public InMemoryOAuthStore(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public synchronized void saveClient(OAuthClient client) {
        Objects.requireNonNull(client, "client");
        if (client.clientSecret().isPlaceholder()) {
            OAuthClient stored = clients.get(client.id());
            if (stored == null) {
                throw new IllegalArgumentException("OAuth client " + client.id() + " is not registered yet: give its client secret, not a placeholder");
            }
            client = client.toBuilder().clientSecret(stored.clientSecret()).build();
        }
        clients.put(client.id(), client);
    }

    @Override
    public synchronized Optional<OAuthClient> findClient(OAuthClientId id) {
        return Optional.ofNullable(clients.get(Objects.requireNonNull(id, "id")));
    }

    @Override
    public synchronized List<OAuthClient> findClients() {
        return List.copyOf(clients.values());
    }

    @Override
    public synchronized boolean deleteClient(OAuthClientId id) {
        return clients.remove(Objects.requireNonNull(id, "id")) != null;
    }

    @Override
    public synchronized void savePendingConsent(PendingConsent consent) {
        Objects.requireNonNull(consent, "consent");
        consents.values().removeIf(c -> !c.expiresAt().isAfter(consent.createdAt()));
        consents.put(consent.state(), consent);
    }

    @Override
    public synchronized Optional<PendingConsent> takePendingConsent(String state, Instant now) {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(now, "now");
        PendingConsent c = consents.remove(state);
        return c == null || !now.isBefore(c.expiresAt()) ? Optional.empty() : Optional.of(c);
    }

    @Override
    public synchronized Optional<Grant> findGrant(AccountId account) {
        return Optional.ofNullable(grants.get(Objects.requireNonNull(account, "account")));
    }

    @Override
    public synchronized Grant saveGrant(Grant grant) {
        Objects.requireNonNull(grant, "grant");
        Grant stored = new Grant(grant.account(), grant.client(), grant.identity(), grant.scopes(), grant.grantedAt(), grant.refreshToken(),
                grant.accessToken(), grant.accessTokenIssuedAt(), ++versions, grant.problem());
        grants.put(grant.account(), stored);
        leases.remove(grant.account());
        return stored;
    }

    @Override
    public synchronized boolean deleteGrant(AccountId account) {
        leases.remove(Objects.requireNonNull(account, "account"));
        return grants.remove(account) != null;
    }

    @Override
    public synchronized boolean tryLease(AccountId account, String holder, Duration lease) {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(holder, "holder");
        Objects.requireNonNull(lease, "lease");
        if (!grants.containsKey(account)) {
            return false;
        }
        Lease l = leases.get(account);
        Instant now = clock.instant();
        if (l != null && !l.holder().equals(holder) && now.isBefore(l.until())) {
            return false;
        }
        leases.put(account, new Lease(holder, now.plus(lease)));
        return true;
    }

    @Override
    public synchronized Optional<Grant> saveTokens(AccountId account, String holder, long expectedVersion, AccessToken accessToken,
                                                   Instant issuedAt, Optional<Secret> rotatedRefreshToken) {
        Objects.requireNonNull(holder, "holder");
        Objects.requireNonNull(accessToken, "accessToken");
        Objects.requireNonNull(issuedAt, "issuedAt");
        Objects.requireNonNull(rotatedRefreshToken, "rotatedRefreshToken");
        Grant g = grants.get(Objects.requireNonNull(account, "account"));
        if (g == null || g.version() != expectedVersion) {
            return Optional.empty();
        }
        Grant stored = new Grant(account, g.client(), g.identity(), g.scopes(), g.grantedAt(), rotatedRefreshToken.orElse(g.refreshToken()),
                accessToken, issuedAt, ++versions, null);
        grants.put(account, stored);
        releaseLease(account, holder);
        return Optional.of(stored);
    }

    @Override
    public synchronized boolean markProblem(AccountId account, String holder, long expectedVersion, Problem problem) {
        Objects.requireNonNull(holder, "holder");
        Objects.requireNonNull(problem, "problem");
        Grant g = grants.get(Objects.requireNonNull(account, "account"));
        if (g == null || g.version() != expectedVersion) {
            return false;
        }
        grants.put(account, new Grant(account, g.client(), g.identity(), g.scopes(), g.grantedAt(), g.refreshToken(), null, null,
                ++versions, problem));
        releaseLease(account, holder);
        return true;
    }

    @Override
    public synchronized void releaseLease(AccountId account, String holder) {
        if (holds(Objects.requireNonNull(account, "account"), holder)) {
            leases.remove(account);
        }
    }

    /** The holder took the lease last and nobody took it since (it may have run out meanwhile). */
    private boolean holds(AccountId account, String holder) {
        Lease l = leases.get(account);
        return l != null && l.holder().equals(Objects.requireNonNull(holder, "holder"));
    }

    @Override
    public String toString() {
        return "InMemoryOAuthStore";
    }
}
