package dev.mailroom.testkit;

import dev.mailroom.AccountId;
import dev.mailroom.MailErrorCode;
import dev.mailroom.OAuthClient;
import dev.mailroom.OAuthClientId;
import dev.mailroom.Secret;
import dev.mailroom.spi.AccessToken;
import dev.mailroom.spi.OAuthStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract every {@link OAuthStore} must keep, Mailroom's and a host's: clients are replaced whole and keep
 * their secret for a placeholder; a started consent is taken once, by one of many concurrent callers, and never
 * after it expired; grants carry their secrets and a version that rises with every change; the refresh lease has
 * one holder; tokens and problems are stored only for the version the refresh started from (a compare-and-set,
 * whoever holds the lease now), and storing releases the caller's lease; no secret shows in a
 * {@code toString()}. Extend it and return a fresh, empty store from {@link #newStore()}.
 */
public abstract class OAuthStoreContract {
    private static final String CLIENT_SECRET = "canary-client-secret-Zq81";
    private static final String REFRESH = "canary-refresh-token-Xy42";
    private static final String ACCESS = "canary-access-token-Ab17";
    private static final AccountId ACCOUNT = AccountId.of("support");
    private static final OAuthClientId CLIENT = OAuthClientId.of("acme-google");

    private OAuthStore store;
    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    /** For subclasses. */
    protected OAuthStoreContract() {
    }

    /**
     * A fresh, empty store for each test.
     *
     * @return the store under test
     */
    protected abstract OAuthStore newStore();

    @BeforeEach
    void setUpStore() {
        store = newStore();
    }

    private static OAuthClient client(String id, String secret, String... scopes) {
        return OAuthClient.builder(OAuthClientId.of(id), "google").name("ACME " + id).clientId(id + ".apps.googleusercontent.com")
                .clientSecret(secret == null ? Secret.stored() : Secret.of(secret)).redirectUri(URI.create("https://erp.acme.test/oauth/callback"))
                .scopes(List.of(scopes)).build();
    }

    private OAuthStore.Grant grant(String refresh) {
        return OAuthStore.Grant.of(ACCOUNT, CLIENT, "support@acme.test", Set.of("https://mail.google.com/"), now, Secret.of(refresh),
                AccessToken.of(ACCESS, now.plus(Duration.ofHours(1))), now);
    }

    @Test
    @DisplayName("D1: a client is stored with every value and its secret, replaced whole, listed by id and deleted")
    void clients_savedReplacedListedDeleted() {
        store.saveClient(client("b-client", CLIENT_SECRET, "https://mail.google.com/"));
        OAuthClient a = OAuthClient.builder(OAuthClientId.of("a-client"), "microsoft").clientId("app-id").clientSecret(Secret.of("other"))
                .redirectUri(URI.create("https://erp.acme.test/cb")).directory("contoso.onmicrosoft.com")
                .endpoints(URI.create("http://127.0.0.1:1/auth"), URI.create("http://127.0.0.1:1/token")).scopes(List.of("s1", "s2")).build();
        store.saveClient(a);
        OAuthClient found = store.findClient(OAuthClientId.of("b-client")).orElseThrow();
        assertEquals(client("b-client", CLIENT_SECRET, "https://mail.google.com/"), found);
        assertEquals(CLIENT_SECRET, found.clientSecret().reveal());
        assertEquals(a, store.findClient(a.id()).orElseThrow());
        assertEquals(List.of("a-client", "b-client"), store.findClients().stream().map(c -> c.id().value()).toList());

        store.saveClient(client("b-client", "new-secret", "s3"));
        OAuthClient replaced = store.findClient(OAuthClientId.of("b-client")).orElseThrow();
        assertEquals(List.of("s3"), replaced.scopes());
        assertEquals("new-secret", replaced.clientSecret().reveal());

        assertTrue(store.deleteClient(a.id()));
        assertFalse(store.deleteClient(a.id()));
        assertTrue(store.findClient(a.id()).isEmpty());
    }

    @Test
    @DisplayName("D1: the client secret is write-only: a placeholder keeps the stored secret, and is refused for a client not stored")
    void clients_placeholderKeepsSecret() {
        store.saveClient(client("c", CLIENT_SECRET, "s1"));
        store.saveClient(client("c", null, "s1", "s2").toBuilder().name("Renamed").build());
        OAuthClient c = store.findClient(OAuthClientId.of("c")).orElseThrow();
        assertEquals("Renamed", c.name());
        assertEquals(List.of("s1", "s2"), c.scopes());
        assertEquals(CLIENT_SECRET, c.clientSecret().reveal());
        assertThrows(IllegalArgumentException.class, () -> store.saveClient(client("unknown", null)));
        assertTrue(store.findClient(OAuthClientId.of("unknown")).isEmpty());
    }

    @Test
    @DisplayName("D2: a started consent is taken once with its verifier; a second take, an unknown state and an expired consent find nothing")
    void consents_singleUseAndExpiry() {
        String state = "state-0123456789abcdefghijkl";
        store.savePendingConsent(new OAuthStore.PendingConsent(state, ACCOUNT, CLIENT, Secret.of("verifier-canary-0123456789-0123456789-0123"),
                now, now.plus(Duration.ofMinutes(10))));
        assertTrue(store.takePendingConsent("state-unknown-0123456789abc", now).isEmpty());
        OAuthStore.PendingConsent taken = store.takePendingConsent(state, now.plus(Duration.ofMinutes(9))).orElseThrow();
        assertEquals(ACCOUNT, taken.account());
        assertEquals(CLIENT, taken.client());
        assertEquals("verifier-canary-0123456789-0123456789-0123", taken.codeVerifier().reveal());
        assertEquals(now.plus(Duration.ofMinutes(10)), taken.expiresAt());
        assertTrue(store.takePendingConsent(state, now).isEmpty(), "a consent is taken once");

        String expired = "state-expired-0123456789abc";
        store.savePendingConsent(new OAuthStore.PendingConsent(expired, ACCOUNT, CLIENT, Secret.of("v"), now, now.plus(Duration.ofMinutes(10))));
        assertTrue(store.takePendingConsent(expired, now.plus(Duration.ofMinutes(10))).isEmpty(), "expired at its expiry");
        assertTrue(store.takePendingConsent(expired, now).isEmpty(), "an expired consent is removed when found");
    }

    @Test
    @DisplayName("D2: of 8 concurrent takes of one consent exactly one gets it")
    void consents_concurrentTake_oneWins() throws Exception {
        String state = "state-race-0123456789abcdefgh";
        store.savePendingConsent(new OAuthStore.PendingConsent(state, ACCOUNT, CLIENT, Secret.of("v"), now, now.plus(Duration.ofMinutes(10))));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Optional<OAuthStore.PendingConsent>>> takes = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Callable<Optional<OAuthStore.PendingConsent>> take = () -> {
                    start.await();
                    return store.takePendingConsent(state, now);
                };
                takes.add(pool.submit(take));
            }
            start.countDown();
            int got = 0;
            for (Future<Optional<OAuthStore.PendingConsent>> f : takes) {
                got += f.get(30, TimeUnit.SECONDS).isPresent() ? 1 : 0;
            }
            assertEquals(1, got);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @DisplayName("D2: a grant is stored with its secrets, replaced by a new consent with a higher version, and deleted")
    void grants_savedReplacedDeleted() {
        assertTrue(store.findGrant(ACCOUNT).isEmpty());
        OAuthStore.Grant saved = store.saveGrant(grant(REFRESH));
        assertTrue(saved.version() > 0);
        OAuthStore.Grant found = store.findGrant(ACCOUNT).orElseThrow();
        assertEquals(saved.version(), found.version());
        assertEquals(REFRESH, found.refreshToken().reveal());
        assertEquals(AccessToken.of(ACCESS, now.plus(Duration.ofHours(1))), found.accessToken());
        assertEquals(now, found.accessTokenIssuedAt());
        assertEquals("support@acme.test", found.identity());
        assertEquals(Set.of("https://mail.google.com/"), found.scopes());
        assertEquals(now, found.grantedAt());
        assertEquals(CLIENT, found.client());
        assertNull(found.problem());

        OAuthStore.Grant again = store.saveGrant(grant("refresh-2"));
        assertTrue(again.version() > saved.version());
        assertEquals("refresh-2", store.findGrant(ACCOUNT).orElseThrow().refreshToken().reveal());
        assertTrue(store.deleteGrant(ACCOUNT));
        assertFalse(store.deleteGrant(ACCOUNT));
        assertTrue(store.findGrant(ACCOUNT).isEmpty());
    }

    @Test
    @DisplayName("D2: two nodes storing a grant for the same account at once both succeed (no key violation); one of them is kept, with the higher version")
    void grants_concurrentSave_bothSucceed() throws Exception {
        for (int round = 0; round < 5; round++) {
            store.deleteGrant(ACCOUNT);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<OAuthStore.Grant>> saves = new ArrayList<>();
                for (String refresh : List.of("refresh-a", "refresh-b")) {
                    Callable<OAuthStore.Grant> save = () -> {
                        start.await();
                        return store.saveGrant(grant(refresh));
                    };
                    saves.add(pool.submit(save));
                }
                start.countDown();
                OAuthStore.Grant a = saves.get(0).get(30, TimeUnit.SECONDS);
                OAuthStore.Grant b = saves.get(1).get(30, TimeUnit.SECONDS);
                assertTrue(a.version() != b.version(), "each save has its own version");
                OAuthStore.Grant kept = store.findGrant(ACCOUNT).orElseThrow();
                assertEquals(Math.max(a.version(), b.version()), kept.version());
                assertEquals(a.version() > b.version() ? "refresh-a" : "refresh-b", kept.refreshToken().reveal());
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    @DisplayName("D3: the refresh lease has one holder at a time; storing tokens bumps the version, keeps or rotates the refresh token and releases the lease")
    void lease_oneHolder_saveReleases() {
        assertFalse(store.tryLease(ACCOUNT, "node-a", Duration.ofMinutes(1)), "no grant, no lease");
        long v0 = store.saveGrant(grant(REFRESH)).version();
        assertTrue(store.tryLease(ACCOUNT, "node-a", Duration.ofMinutes(1)));
        assertTrue(store.tryLease(ACCOUNT, "node-a", Duration.ofMinutes(1)), "the holder may take it again");
        assertFalse(store.tryLease(ACCOUNT, "node-b", Duration.ofMinutes(1)));

        AccessToken fresh = AccessToken.of("fresh-access", now.plus(Duration.ofHours(2)));
        OAuthStore.Grant g = store.saveTokens(ACCOUNT, "node-a", v0, fresh, now.plusSeconds(1), Optional.empty()).orElseThrow();
        assertTrue(g.version() > v0);
        OAuthStore.Grant read = store.findGrant(ACCOUNT).orElseThrow();
        assertEquals(g.version(), read.version());
        assertEquals(fresh, read.accessToken());
        assertEquals(now.plusSeconds(1), read.accessTokenIssuedAt());
        assertEquals(REFRESH, read.refreshToken().reveal(), "kept when not rotated");

        assertTrue(store.tryLease(ACCOUNT, "node-b", Duration.ofMinutes(1)), "released: another node may take it");
        OAuthStore.Grant rotated = store.saveTokens(ACCOUNT, "node-b", g.version(), AccessToken.of("third"), now,
                Optional.of(Secret.of("rotated-refresh"))).orElseThrow();
        assertTrue(rotated.version() > g.version());
        assertEquals("rotated-refresh", store.findGrant(ACCOUNT).orElseThrow().refreshToken().reveal());
        assertNull(store.findGrant(ACCOUNT).orElseThrow().accessToken().expiresAt().orElse(null));
        assertTrue(store.tryLease(ACCOUNT, "node-a", Duration.ofMinutes(1)), "node-b's save released its lease");
    }

    @Test
    @DisplayName("D3: storing tokens is a compare-and-set on the version the refresh started from: a result of an older version never overwrites a newer grant")
    void saveTokens_staleVersionRefused() {
        long v0 = store.saveGrant(grant(REFRESH)).version();
        assertTrue(store.tryLease(ACCOUNT, "node-a", Duration.ofMinutes(1)));
        long v1 = store.saveTokens(ACCOUNT, "node-a", v0, AccessToken.of("first"), now, Optional.of(Secret.of("refresh-1"))).orElseThrow()
                .version();
        assertTrue(store.saveTokens(ACCOUNT, "node-b", v0, AccessToken.of("late"), now, Optional.of(Secret.of("stale"))).isEmpty(),
                "a refresh of the old version after another was stored");
        assertEquals("refresh-1", store.findGrant(ACCOUNT).orElseThrow().refreshToken().reveal());
        assertEquals(v1, store.findGrant(ACCOUNT).orElseThrow().version());

        long consent = store.saveGrant(grant("after-consent")).version();
        assertTrue(store.saveTokens(ACCOUNT, "node-a", v1, AccessToken.of("late"), now, Optional.of(Secret.of("stale"))).isEmpty(),
                "a new consent is never overwritten by a refresh of the old grant");
        assertEquals("after-consent", store.findGrant(ACCOUNT).orElseThrow().refreshToken().reveal());
        store.deleteGrant(ACCOUNT);
        assertTrue(store.saveTokens(ACCOUNT, "node-a", consent, AccessToken.of("late"), now, Optional.empty()).isEmpty(), "no grant");
    }

    @Test
    @DisplayName("D3: a node whose lease ran out and was taken by another still stores its rotated refresh token while the grant is unchanged; the other keeps its lease and its own save then fails")
    void saveTokens_leaseLostButGrantUnchanged_rotationKept() {
        long v0 = store.saveGrant(grant(REFRESH)).version();
        assertTrue(store.tryLease(ACCOUNT, "node-a", Duration.ofMillis(1)));
        takeWhenExpired("node-b");
        OAuthStore.Grant saved = store.saveTokens(ACCOUNT, "node-a", v0, AccessToken.of("from-a"), now, Optional.of(Secret.of("rotated-by-a")))
                .orElseThrow(() -> new AssertionError("the rotated refresh token of node-a was dropped"));
        assertEquals("rotated-by-a", store.findGrant(ACCOUNT).orElseThrow().refreshToken().reveal());
        assertFalse(store.tryLease(ACCOUNT, "node-c", Duration.ofMinutes(1)), "node-b still holds its lease");
        assertTrue(store.saveTokens(ACCOUNT, "node-b", v0, AccessToken.of("from-b"), now, Optional.empty()).isEmpty(),
                "node-b refreshed from the old version: refused");
        assertEquals(saved.version(), store.findGrant(ACCOUNT).orElseThrow().version());
        store.releaseLease(ACCOUNT, "node-b");
        assertTrue(store.tryLease(ACCOUNT, "node-c", Duration.ofMinutes(1)));
    }

    private void takeWhenExpired(String holder) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        boolean taken = false;
        while (!taken && System.nanoTime() < deadline) {
            taken = store.tryLease(ACCOUNT, holder, Duration.ofMinutes(1));
            if (!taken) {
                try {
                    Thread.sleep(5); // waiting for time to pass on the store's clock, not for another thread
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
        }
        assertTrue(taken, holder + " took the expired lease");
    }

    @Test
    @DisplayName("D3: a lease that is not released runs out, and another node takes it; releasing a lease one does not hold does nothing")
    void lease_expires() {
        store.saveGrant(grant(REFRESH));
        assertTrue(store.tryLease(ACCOUNT, "node-a", Duration.ofMillis(1)));
        takeWhenExpired("node-b");
        store.releaseLease(ACCOUNT, "node-a");
        assertFalse(store.tryLease(ACCOUNT, "node-a", Duration.ofMinutes(1)), "releasing a lease one does not hold does nothing");
        store.releaseLease(ACCOUNT, "node-b");
        assertTrue(store.tryLease(ACCOUNT, "node-a", Duration.ofMinutes(1)));
    }

    @Test
    @DisplayName("D3: a problem is stored only for the version whose refresh token was refused, drops the cached token, releases the lease; a new consent clears it")
    void problem_storedAndClearedByConsent() {
        long v = store.saveGrant(grant(REFRESH)).version();
        OAuthStore.Problem revoked = new OAuthStore.Problem(MailErrorCode.OAUTH_GRANT_REVOKED, "invalid_grant: Token has been expired or revoked.",
                now);
        assertFalse(store.markProblem(ACCOUNT, "node-a", v - 1, revoked), "a refusal of an older version");
        assertTrue(store.tryLease(ACCOUNT, "node-a", Duration.ofMinutes(1)));
        assertTrue(store.markProblem(ACCOUNT, "node-a", v, revoked));
        OAuthStore.Grant g = store.findGrant(ACCOUNT).orElseThrow();
        assertEquals(revoked, g.problem());
        assertNull(g.accessToken());
        assertTrue(g.version() > v);
        assertFalse(store.markProblem(ACCOUNT, "node-a", v, revoked), "the version changed");
        assertTrue(store.tryLease(ACCOUNT, "node-b", Duration.ofMinutes(1)), "the lease was released");
        store.saveGrant(grant("after-consent"));
        assertNull(store.findGrant(ACCOUNT).orElseThrow().problem());
        assertTrue(store.tryLease(ACCOUNT, "node-a", Duration.ofMinutes(1)), "a new consent drops the lease");
    }

    @Test
    @DisplayName("D3: no secret shows in the toString of the store, a client, a consent or a grant")
    void toString_showsNoSecret() {
        store.saveClient(client("c", CLIENT_SECRET, "s"));
        store.saveGrant(grant(REFRESH));
        String state = "state-canary-0123456789abcdefg";
        OAuthStore.PendingConsent consent = new OAuthStore.PendingConsent(state, ACCOUNT, CLIENT, Secret.of("verifier-canary"), now,
                now.plusSeconds(60));
        String all = store + " " + store.findClient(OAuthClientId.of("c")).orElseThrow() + " " + store.findGrant(ACCOUNT).orElseThrow() + " "
                + consent;
        for (String canary : List.of(CLIENT_SECRET, REFRESH, ACCESS, state, "verifier-canary")) {
            assertFalse(all.contains(canary), canary);
        }
    }
}
