package dev.mailroom.core;

import dev.mailroom.AccountId;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.OAuthClient;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Secret;
import dev.mailroom.core.internal.AuthorizationServers;
import dev.mailroom.core.internal.OAuthTokens;
import dev.mailroom.spi.AccessToken;
import dev.mailroom.spi.AuthorizationServer;
import dev.mailroom.spi.ConsentRequest;
import dev.mailroom.spi.OAuthStore;
import dev.mailroom.spi.TokenResponse;
import dev.mailroom.spi.TransportContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static dev.mailroom.core.OAuthFixture.ACCOUNT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Edge cases of the token source found in review: lock timeouts, lease release on every path, a lost lease, odd 4xx replies. */
final class OAuthTokensEdgeTest {

    /** A provider that passes everything to the scripted one, but whose refresh can be told to throw. */
    static class FailingRefresh implements AuthorizationServer {
        final AuthorizationServer delegate;
        volatile MailException fail;

        FailingRefresh(AuthorizationServer delegate) {
            this.delegate = delegate;
        }

        @Override
        public String provider() {
            return delegate.provider();
        }

        @Override
        public URI consentUrl(OAuthClient client, ConsentRequest request) {
            return delegate.consentUrl(client, request);
        }

        @Override
        public TokenResponse exchange(OAuthClient client, String code, Secret codeVerifier, TransportContext context) {
            return delegate.exchange(client, code, codeVerifier, context);
        }

        @Override
        public void revoke(OAuthClient client, Secret token, TransportContext context) {
            delegate.revoke(client, token, context);
        }

        @Override
        public TokenResponse refresh(OAuthClient client, Secret refreshToken, TransportContext context) {
            MailException e = fail;
            if (e != null) {
                throw e;
            }
            return delegate.refresh(client, refreshToken, context);
        }
    }

    private static OAuthTokens tokens(OAuthFixture f, AuthorizationServer server, Duration lease, Duration wait) {
        return new OAuthTokens(f.store, AuthorizationServers.create(List.of(server), false, OAuthTokensEdgeTest.class.getClassLoader()),
                TransportContext.builder().clock(f.clock).build(), f.clock,
                new OAuthTokens.Settings(lease, wait, Duration.ofMillis(10), Duration.ofSeconds(5), Duration.ofMinutes(5)),
                dev.mailroom.core.internal.Listeners.NONE);
    }

    @Test
    @DisplayName("D3: when this node's lock for the account cannot be taken in time, the still-valid cached token is returned instead of failing")
    void lockTimeout_stillValidCachedTokenReturned() throws Exception {
        OAuthFixture f = new OAuthFixture();
        try (Mailroom m = f.mailroom()) {
            f.connect(m);
            ResolvedAccount a = f.resolved(m);
            OAuthTokens t = tokens(f, f.provider, Duration.ofMinutes(1), Duration.ofMillis(300));
            AccessToken first = t.token(a);
            f.expireTokens(); // inside the refresh margin, not expired
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch gate = new CountDownLatch(1);
            f.provider.holdRefreshes(entered, gate);
            CompletableFuture<AccessToken> refreshing = CompletableFuture.supplyAsync(() -> t.token(a));
            try {
                assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
                assertThat(t.token(a)).as("the refresh on this node holds the lock; the cached token is still valid").isEqualTo(first);
            } finally {
                gate.countDown();
                f.provider.holdRefreshes(null, null);
            }
            assertThat(refreshing.get(10, TimeUnit.SECONDS)).isNotEqualTo(first);
        }
    }

    @Test
    @DisplayName("D3: a lease taken while waiting for another node is released when the store then fails")
    void leaseTakenWhileWaiting_releasedOnFailure() throws Exception {
        CountDownLatch refusedTwice = new CountDownLatch(2);
        class Flaky extends DelegatingOAuthStore {
            volatile boolean armed;
            volatile boolean failFind;

            Flaky() {
                super(new InMemoryOAuthStore());
            }

            @Override
            public boolean tryLease(AccountId account, String holder, Duration lease) {
                boolean got = super.tryLease(account, holder, lease);
                if (!holder.equals("other-node")) {
                    if (!got) {
                        refusedTwice.countDown();
                    } else if (armed) {
                        failFind = true;
                    }
                }
                return got;
            }

            @Override
            public java.util.Optional<OAuthStore.Grant> findGrant(AccountId account) {
                if (failFind) {
                    failFind = false;
                    armed = false;
                    throw new MailException(MailErrorCode.STORE_FAILED, "simulated store failure");
                }
                return super.findGrant(account);
            }
        }
        Flaky store = new Flaky();
        OAuthFixture f = new OAuthFixture(store);
        try (Mailroom m = f.mailroom()) {
            f.connect(m);
            ResolvedAccount a = f.resolved(m);
            OAuthTokens t = tokens(f, f.provider, Duration.ofMinutes(1), Duration.ofSeconds(20));
            AccessToken rejected = t.token(a);
            assertThat(store.tryLease(ACCOUNT, "other-node", Duration.ofMinutes(1))).isTrue();
            CompletableFuture<AccessToken> waiting = CompletableFuture.supplyAsync(() -> t.refresh(a, rejected));
            assertThat(refusedTwice.await(10, TimeUnit.SECONDS)).isTrue();
            store.armed = true;
            store.releaseLease(ACCOUNT, "other-node"); // this node takes the lease while waiting, then the store fails
            Throwable failure = catchThrowable(() -> waiting.get(10, TimeUnit.SECONDS));
            assertThat(failure).isInstanceOf(ExecutionException.class).hasRootCauseMessage("simulated store failure");
            assertThat(store.tryLease(ACCOUNT, "third-node", Duration.ofMinutes(1))).as("the lease was released").isTrue();
        }
    }

    @Test
    @DisplayName("D3: a node whose lease ran out and was taken by another during a slow refresh still stores the rotated refresh token when the grant did not change meanwhile")
    void leaseLostDuringRefresh_rotatedTokenKept() throws Exception {
        OAuthFixture g = new OAuthFixture(InMemoryOAuthStore::new); // the store's leases run on the fixture's clock
        try (Mailroom m = g.mailroom()) {
            g.connect(m);
            ResolvedAccount a = g.resolved(m);
            OAuthTokens t = tokens(g, g.provider, Duration.ofMinutes(1), Duration.ofSeconds(5));
            String before = g.store.findGrant(ACCOUNT).orElseThrow().refreshToken().reveal();
            g.clock.advance(Duration.ofMinutes(56)); // inside the margin
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch gate = new CountDownLatch(1);
            g.provider.holdRefreshes(entered, gate);
            CompletableFuture<AccessToken> refreshing = CompletableFuture.supplyAsync(() -> t.token(a));
            try {
                assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
                g.clock.advance(Duration.ofMinutes(2)); // the lease ran out on the store's clock
                assertThat(g.store.tryLease(ACCOUNT, "other-node", Duration.ofMinutes(1))).isTrue();
            } finally {
                gate.countDown();
                g.provider.holdRefreshes(null, null);
            }
            Throwable failure = catchThrowable(() -> refreshing.get(10, TimeUnit.SECONDS));
            String stored = g.store.findGrant(ACCOUNT).orElseThrow().refreshToken().reveal();
            assertThat(g.provider.accepts(before)).as("the provider rotated it").isFalse();
            assertThat(g.provider.accepts(stored)).as("the rotated refresh token was stored, not lost").isTrue();
            assertThat(failure).isNull();
        }
    }

    @Test
    @DisplayName("D3: a 4xx without an OAuth error is not a refused client: that account backs off with the reply logged, the client's other accounts still refresh")
    void oddClientError_onlyThatAccountBacksOff() {
        OAuthFixture f = new OAuthFixture();
        f.accounts.save(OAuthFixture.account("sales", "sales@acme.test"));
        FailingRefresh server = new FailingRefresh(f.provider);
        try (Mailroom m = f.mailroom(); LogCapture logs = LogCapture.start()) {
            f.connect(m);
            f.connect(m, AccountId.of("sales"), "sales@acme.test");
            OAuthTokens t = tokens(f, server, Duration.ofMinutes(1), Duration.ofSeconds(5));
            ResolvedAccount support = f.resolved(m);
            ResolvedAccount sales = OAuthFixture.resolved(m, AccountId.of("sales"));
            AccessToken current = t.token(support);
            f.expireTokens();
            server.fail = new MailException(MailErrorCode.OAUTH_CLIENT_REJECTED, "Google refused the request while refreshing the access token"
                    + " (HTTP 400)", "400 <html><title>Bad Request</title></html>", null, List.of(), null);
            assertThat(t.token(support)).as("the token is still valid: kept").isEqualTo(current);
            assertThat(t.rejection(OAuthFixture.CLIENT)).as("the client is not paused").isEmpty();
            assertThat(logs.text()).contains("400 <html><title>Bad Request</title></html>");
            server.fail = null;
            int before = f.provider.refreshes.get();
            assertThat(t.token(sales)).isNotNull();
            assertThat(f.provider.refreshes).as("the other account of the client refreshes").hasValue(before + 1);
            f.clock.advance(Duration.ofMinutes(5));
            server.fail = new MailException(MailErrorCode.OAUTH_CLIENT_REJECTED, "refused (HTTP 400)", "400", null, List.of(), null);
            Throwable t2 = catchThrowable(() -> t.token(support));
            assertThat(t2).isInstanceOfSatisfying(MailException.class, e -> assertThat(e.code()).isEqualTo(MailErrorCode.OAUTH_PROVIDER_UNAVAILABLE));
        }
    }
}
