package dev.mailroom.core;

import dev.mailroom.AccountHealth;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.OAuthStatus;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Secret;
import dev.mailroom.spi.AccessToken;
import dev.mailroom.spi.AccessTokens;
import dev.mailroom.spi.OAuthStore;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.mailroom.core.OAuthFixture.ACCOUNT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Access tokens: cached until shortly before expiry, refreshed once however many ask, rotation stored first, failures by class. */
@SuppressWarnings("try") // a Mailroom opened only so that the transports get their context
final class OAuthTokensTest {
    private final OAuthFixture f = new OAuthFixture();

    private static AccessTokens tokens(OAuthFixture f) {
        return f.transport.context().accessTokens();
    }

    private static MailErrorCode code(Throwable t) {
        assertThat(t).isInstanceOf(MailException.class);
        return ((MailException) t).code();
    }

    @Test
    @DisplayName("D3: Mailroom's own token source is wired into the transports when the host sets none; a host's source is used as it is")
    void ownSourceWired_hostSourceRespected() {
        try (Mailroom m = f.mailroom()) {
            assertThat(tokens(f).getClass().getName()).endsWith("internal.OAuthTokens");
        }
        AccessTokens host = new AccessTokens() {
            @Override
            public AccessToken token(ResolvedAccount account) {
                return AccessToken.of("host-token");
            }

            @Override
            public AccessToken refresh(ResolvedAccount account, AccessToken rejected) {
                return AccessToken.of("host-token-2");
            }
        };
        try (Mailroom m = f.builder().accessTokens(host).build()) {
            assertThat(tokens(f)).isSameAs(host);
            assertThat(m.health(ACCOUNT).state()).as("not connected through Mailroom: the host's grants are its own").isEqualTo(AccountHealth.State.OK);
        }
    }

    @Test
    @DisplayName("D3: the token from the consent is used until expiry − max(5 min, 10 % of its lifetime) (with jitter), then refreshed once")
    void cachedUntilMargin_thenRefreshed() {
        try (Mailroom m = f.mailroom()) {
            f.connect(m);
            ResolvedAccount a = f.resolved(m);
            AccessToken first = tokens(f).token(a);
            f.clock.advance(Duration.ofMinutes(52)); // 8 minutes before expiry: beyond the 6-minute margin plus at most 1 minute of jitter
            assertThat(tokens(f).token(a)).isEqualTo(first);
            assertThat(f.provider.refreshes).hasValue(0);
            f.clock.advance(Duration.ofMinutes(2).plusSeconds(1)); // 5:59 before expiry: inside the margin
            AccessToken second = tokens(f).token(a);
            assertThat(second).isNotEqualTo(first);
            assertThat(tokens(f).token(a)).isEqualTo(second);
            assertThat(f.provider.refreshes).hasValue(1);
            assertThat(second.expiresAt()).contains(f.clock.instant().plus(Duration.ofHours(1)));
        }
    }

    @Test
    @DisplayName("D3: 50 threads asking for an expired token cause exactly one refresh and all get the new token")
    void fiftyThreads_oneRefresh() throws Exception {
        try (Mailroom m = f.mailroom()) {
            f.connect(m);
            ResolvedAccount a = f.resolved(m);
            AccessToken old = tokens(f).token(a);
            f.expireTokens();
            ExecutorService pool = Executors.newFixedThreadPool(50);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<AccessToken>> got = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    got.add(pool.submit(() -> {
                        start.await();
                        return tokens(f).token(a);
                    }));
                }
                start.countDown();
                Set<AccessToken> distinct = new java.util.HashSet<>();
                for (Future<AccessToken> g : got) {
                    distinct.add(g.get(30, TimeUnit.SECONDS));
                }
                assertThat(distinct).hasSize(1).doesNotContain(old);
            } finally {
                pool.shutdownNow();
            }
            assertThat(f.provider.refreshes).hasValue(1);
        }
    }

    @Test
    @DisplayName("D3: while another node holds the refresh lease this node waits and reuses the token that node stores, without asking the provider")
    void otherNodeRefreshing_tokenReused() throws Exception {
        try (Mailroom m = f.mailroom()) {
            f.connect(m);
            ResolvedAccount a = f.resolved(m);
            AccessToken rejected = tokens(f).token(a);
            assertThat(f.store.tryLease(ACCOUNT, "other-node", Duration.ofMinutes(1))).isTrue();
            java.util.concurrent.CompletableFuture<AccessToken> waiting = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> tokens(f).refresh(a, rejected));
            AccessToken stored = AccessToken.of("token-of-the-other-node", f.clock.instant().plus(Duration.ofHours(1)));
            long version = f.store.findGrant(ACCOUNT).orElseThrow().version();
            assertThat(f.store.saveTokens(ACCOUNT, "other-node", version, stored, f.clock.instant(), Optional.empty())).isPresent();
            assertThat(waiting.get(10, TimeUnit.SECONDS)).isEqualTo(stored);
            assertThat(f.provider.refreshes).hasValue(0);
        }
    }

    @Test
    @DisplayName("D3: when the other node gives up its lease without a result, this node takes the lease and refreshes at once")
    void otherNodeGaveUp_thisNodeRefreshes() throws Exception {
        CountDownLatch refusedTwice = new CountDownLatch(2); // refused when asking, and again while waiting
        OAuthFixture g = new OAuthFixture(new DelegatingOAuthStore(new InMemoryOAuthStore()) {
            @Override
            public boolean tryLease(dev.mailroom.AccountId account, String holder, Duration lease) {
                boolean got = super.tryLease(account, holder, lease);
                if (!got) {
                    refusedTwice.countDown();
                }
                return got;
            }
        });
        try (Mailroom m = g.mailroom()) {
            g.connect(m);
            ResolvedAccount a = g.resolved(m);
            AccessToken rejected = tokens(g).token(a);
            assertThat(g.store.tryLease(ACCOUNT, "other-node", Duration.ofMinutes(1))).isTrue();
            java.util.concurrent.CompletableFuture<AccessToken> waiting = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> tokens(g).refresh(a, rejected));
            assertThat(refusedTwice.await(10, TimeUnit.SECONDS)).as("this node is waiting for the other").isTrue();
            g.store.releaseLease(ACCOUNT, "other-node");
            assertThat(waiting.get(10, TimeUnit.SECONDS)).isNotEqualTo(rejected);
            assertThat(g.provider.refreshes).hasValue(1);
        }
    }

    @Test
    @DisplayName("D3: refresh after a 401/535 forces a new token only while the cached one is the rejected one")
    void refreshAfterRejection_onlyForTheRejectedToken() {
        try (Mailroom m = f.mailroom()) {
            f.connect(m);
            ResolvedAccount a = f.resolved(m);
            AccessToken first = tokens(f).token(a);
            AccessToken second = tokens(f).refresh(a, first);
            assertThat(second).isNotEqualTo(first);
            assertThat(f.provider.refreshes).hasValue(1);
            assertThat(tokens(f).refresh(a, first)).as("another login refused the old token; the new one is cached already").isEqualTo(second);
            assertThat(f.provider.refreshes).hasValue(1);
            assertThat(tokens(f).token(a)).isEqualTo(second);
        }
    }

    @Test
    @DisplayName("D3: a rotated refresh token is stored before the access token is used: after a crash right after the save, a new node refreshes with it, the old one is refused")
    void rotationPersistedBeforeUse() {
        InMemoryOAuthStore shared = new InMemoryOAuthStore(f.clock);
        OAuthFixture g = new OAuthFixture(new CrashAfterSave(shared));
        String before;
        try (Mailroom m = g.mailroom()) {
            g.connect(m);
            before = shared.findGrant(ACCOUNT).orElseThrow().refreshToken().reveal();
            g.expireTokens();
            ((CrashAfterSave) g.store).crash = true;
            Throwable t = catchThrowable(() -> tokens(g).token(g.resolved(m)));
            assertThat(t).hasMessageContaining("crash");
        }
        String rotated = shared.findGrant(ACCOUNT).orElseThrow().refreshToken().reveal();
        assertThat(rotated).isNotEqualTo(before);
        assertThat(g.provider.accepts(before)).as("the provider refuses the old refresh token after rotating").isFalse();
        assertThat(g.provider.accepts(rotated)).isTrue();
        // a new node on the same store
        OAuthFixture restarted = new OAuthFixture(shared);
        try (Mailroom m = Mailroom.builder().accountRepository(g.accounts).oauthStore(shared).authorizationServer(g.provider)
                .transport(restarted.transport).discoverTransports(false).clock(g.clock).outboxWorkers(0).build()) {
            ResolvedAccount a = OAuthFixture.resolved(m, ACCOUNT);
            AccessToken stored = tokens(restarted).token(a);
            assertThat(stored).as("the token saved before the crash is reused").isEqualTo(shared.findGrant(ACCOUNT).orElseThrow().accessToken());
            AccessToken fresh = tokens(restarted).refresh(a, stored);
            assertThat(fresh).isNotEqualTo(stored);
            assertThat(g.provider.accepts(rotated)).isFalse();
        }
    }

    @Test
    @DisplayName("D3: while the provider is unavailable the current token is used as long as it is valid, with backoff; an expired one fails with OAUTH_PROVIDER_UNAVAILABLE")
    void providerUnavailable_keepsValidToken() {
        try (Mailroom m = f.mailroom()) {
            f.connect(m);
            ResolvedAccount a = f.resolved(m);
            AccessToken current = tokens(f).token(a);
            f.expireTokens(); // inside the margin, not yet expired
            f.provider.failRefreshWith("unavailable");
            assertThat(tokens(f).token(a)).isEqualTo(current);
            assertThat(tokens(f).token(a)).isEqualTo(current);
            assertThat(f.provider.refreshes).as("backoff: not asked again at once").hasValue(1);
            f.clock.advance(Duration.ofMinutes(5));
            Throwable t = catchThrowable(() -> tokens(f).token(a));
            assertThat(code(t)).isEqualTo(MailErrorCode.OAUTH_PROVIDER_UNAVAILABLE);
            assertThat(((MailException) t).serverReply()).hasValueSatisfying(r -> assertThat(r).contains("503"));
            f.provider.failRefreshWith(null);
            f.clock.advance(Duration.ofMinutes(10));
            assertThat(tokens(f).token(a)).isNotEqualTo(current);
            assertThat(m.oauth().status(ACCOUNT).state()).isEqualTo(OAuthStatus.State.CONNECTED);
        }
    }

    @Test
    @DisplayName("D2/D3: a revoked grant (invalid_grant) is OAUTH_GRANT_REVOKED, known to every node, not asked again, and the account needs consent; consent clears it")
    void revokedGrant_reportedNotRetried() {
        try (Mailroom m = f.mailroom(); Mailroom other = f.mailroom()) {
            f.connect(m);
            ResolvedAccount a = f.resolved(m);
            f.expireTokens();
            f.provider.revokeAll();
            Throwable t = catchThrowable(() -> tokens(f).token(a));
            assertThat(code(t)).isEqualTo(MailErrorCode.OAUTH_GRANT_REVOKED);
            assertThat(((MailException) t).serverReply()).hasValueSatisfying(r -> assertThat(r).contains("invalid_grant"));
            assertThat(code(catchThrowable(() -> tokens(f).token(a)))).isEqualTo(MailErrorCode.OAUTH_GRANT_REVOKED);
            assertThat(f.provider.refreshes).as("not retried").hasValue(1);
            OAuthStatus status = other.oauth().status(ACCOUNT);
            assertThat(status.state()).isEqualTo(OAuthStatus.State.CONSENT_REQUIRED);
            assertThat(status.reason()).contains("OAUTH_GRANT_REVOKED").contains("invalid_grant").contains("Connect the account again");
            AccountHealth health = other.health(ACCOUNT);
            assertThat(health.state()).isEqualTo(AccountHealth.State.AUTH_REQUIRED);
            assertThat(health.reason()).contains("Connect the account again");
            f.connect(m, ACCOUNT, OAuthFixture.ADDRESS);
            assertThat(tokens(f).token(a)).isNotNull();
            assertThat(m.health(ACCOUNT).state()).isEqualTo(AccountHealth.State.OK);
        }
    }

    @Test
    @DisplayName("D1/D3: a refused client (invalid_client) is logged once for the registration, not asked again for its other accounts, shown in their health, and retried once registered again")
    void clientRejected_reportedOncePerClient() {
        f.accounts.save(OAuthFixture.account("sales", "sales@acme.test"));
        try (Mailroom m = f.mailroom(); LogCapture logs = LogCapture.start()) {
            f.connect(m);
            f.connect(m, dev.mailroom.AccountId.of("sales"), "sales@acme.test");
            f.expireTokens();
            f.provider.failRefreshWith("invalid_client");
            assertThat(code(catchThrowable(() -> tokens(f).token(f.resolved(m))))).isEqualTo(MailErrorCode.OAUTH_CLIENT_REJECTED);
            assertThat(code(catchThrowable(() -> tokens(f).token(OAuthFixture.resolved(m, dev.mailroom.AccountId.of("sales"))))))
                    .isEqualTo(MailErrorCode.OAUTH_CLIENT_REJECTED);
            assertThat(code(catchThrowable(() -> tokens(f).token(f.resolved(m))))).isEqualTo(MailErrorCode.OAUTH_CLIENT_REJECTED);
            assertThat(f.provider.refreshes).hasValue(1);
            assertThat(logs.lines().stream().filter(l -> l.contains("was refused by the provider"))).hasSize(1);
            assertThat(m.health(dev.mailroom.AccountId.of("sales")).reason()).contains("OAUTH_CLIENT_REJECTED").contains(OAuthFixture.CLIENT.value());
            assertThat(m.health(dev.mailroom.AccountId.of("sales")).state()).isEqualTo(AccountHealth.State.AUTH_REQUIRED);
            assertThat(m.health(dev.mailroom.AccountId.of("sales")).reason()).contains("the OAuth client registration, not the account");
            OAuthStatus status = m.oauth().status(dev.mailroom.AccountId.of("sales"));
            assertThat(status.state()).as("the client needs fixing, not the account").isEqualTo(OAuthStatus.State.CLIENT_BROKEN);
            assertThat(status.connectedAs()).as("the grant is kept").contains("sales@acme.test");
            f.provider.failRefreshWith(null);
            m.oauth().registerClient(OAuthFixture.client());
            assertThat(tokens(f).token(f.resolved(m))).isNotNull();
            assertThat(f.provider.refreshes).hasValue(2);
            assertThat(m.health(dev.mailroom.AccountId.of("sales")).state()).isEqualTo(AccountHealth.State.OK);
            assertThat(m.oauth().status(dev.mailroom.AccountId.of("sales")).state()).isEqualTo(OAuthStatus.State.CONNECTED);
            m.oauth().removeClient(OAuthFixture.CLIENT);
            assertThat(m.oauth().status(ACCOUNT).state()).as("an unregistered client").isEqualTo(OAuthStatus.State.CLIENT_BROKEN);
        }
    }

    @Test
    @DisplayName("A9: an OAuth account that was never connected fails with ACCESS_TOKEN_UNAVAILABLE saying how to connect it, and its health says so")
    void notConnected() {
        try (Mailroom m = f.mailroom()) {
            m.oauth().registerClient(OAuthFixture.client());
            Throwable t = catchThrowable(() -> tokens(f).token(f.resolved(m)));
            assertThat(code(t)).isEqualTo(MailErrorCode.ACCESS_TOKEN_UNAVAILABLE);
            assertThat(((MailException) t).hint()).contains("beginAuthorization");
            assertThat(m.health(ACCOUNT).state()).isEqualTo(AccountHealth.State.AUTH_REQUIRED);
            assertThat(m.health(ACCOUNT).reason()).contains("not connected");
        }
    }

    /** A store whose token save commits and then "crashes" the node, before the token could be used. */
    static final class CrashAfterSave extends DelegatingOAuthStore {
        volatile boolean crash;

        CrashAfterSave(OAuthStore delegate) {
            super(delegate);
        }

        @Override
        public Optional<OAuthStore.Grant> saveTokens(dev.mailroom.AccountId account, String holder, long expectedVersion, AccessToken accessToken,
                                                     Instant issuedAt, Optional<Secret> rotated) {
            Optional<OAuthStore.Grant> saved = super.saveTokens(account, holder, expectedVersion, accessToken, issuedAt, rotated);
            if (crash) {
                throw new IllegalStateException("simulated crash right after the save");
            }
            return saved;
        }
    }
}
