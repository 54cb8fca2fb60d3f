package dev.mailroom.core;

import dev.mailroom.AccountHealth;
import dev.mailroom.MailErrorCode;
import dev.mailroom.OAuthStatus;
import dev.mailroom.spi.OAuthStore;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.mailroom.core.OAuthFixture.ACCOUNT;
import static org.assertj.core.api.Assertions.assertThat;

/** The background refresh of grants whose provider lets refresh tokens expire when unused. */
final class OAuthIdleRefreshTest {
    private final OAuthFixture f = new OAuthFixture();
    private final List<TokenRefresh> events = new CopyOnWriteArrayList<>();

    /** The scripted provider, with refresh tokens that expire after some days without use. */
    private final class Idle extends OAuthTokensEdgeTest.FailingRefresh {
        Idle() {
            super(f.provider);
        }

        @Override
        public Optional<Duration> idleRefresh() {
            return Optional.of(Duration.ofDays(14));
        }
    }

    private Mailroom mailroom(OAuthTokensEdgeTest.FailingRefresh server) {
        return Mailroom.builder().accountRepository(f.accounts).oauthStore(f.store).authorizationServer(server).transport(f.transport)
                .discoverTransports(false).clock(f.clock).outboxWorkers(0).listener(new MailroomListener() {
                    @Override
                    public void tokenRefreshed(TokenRefresh refresh) {
                        events.add(refresh);
                    }
                }).build();
    }

    @Test
    @DisplayName("D3 #13: a grant unused for longer than the provider's idle limit is refreshed in the background, once, with the rotated refresh token stored; others are left alone")
    void idleGrantRefreshed_rotationStored() {
        try (Mailroom m = mailroom(new Idle())) {
            f.connect(m);
            f.clock.advance(Duration.ofDays(13));
            assertThat(m.refreshIdleOAuthGrants()).isZero();
            assertThat(f.provider.refreshes).hasValue(0);
            f.clock.advance(Duration.ofDays(2));
            String before = f.store.findGrant(ACCOUNT).orElseThrow().refreshToken().reveal();
            assertThat(m.refreshIdleOAuthGrants()).isEqualTo(1);
            OAuthStore.Grant g = f.store.findGrant(ACCOUNT).orElseThrow();
            assertThat(g.accessTokenIssuedAt()).isEqualTo(f.clock.instant());
            assertThat(f.provider.accepts(before)).isFalse();
            assertThat(f.provider.accepts(g.refreshToken().reveal())).as("the rotated refresh token was stored").isTrue();
            assertThat(m.refreshIdleOAuthGrants()).as("refreshed just now").isZero();
            assertThat(f.provider.refreshes).hasValue(1);
            assertThat(events).singleElement().satisfies(e -> {
                assertThat(e.succeeded()).isTrue();
                assertThat(e.provider()).isEqualTo("google");
                assertThat(e.account()).isEqualTo(ACCOUNT);
            });
        }
    }

    @Test
    @DisplayName("D3 #13: a provider without an idle limit is never refreshed in the background")
    void noIdleLimit_nothingRefreshed() {
        try (Mailroom m = mailroom(new OAuthTokensEdgeTest.FailingRefresh(f.provider))) {
            f.connect(m);
            f.clock.advance(Duration.ofDays(400));
            assertThat(m.refreshIdleOAuthGrants()).isZero();
            assertThat(f.provider.refreshes).hasValue(0);
        }
    }

    @Test
    @DisplayName("D3 #13: a background refresh the provider refuses (invalid_grant) marks the grant like any refresh: AUTH_REQUIRED, counted as a failed refresh")
    void idleRefreshRevoked_authRequired() {
        try (Mailroom m = mailroom(new Idle())) {
            f.connect(m);
            f.clock.advance(Duration.ofDays(15));
            f.provider.revokeAll();
            assertThat(m.refreshIdleOAuthGrants()).isZero();
            assertThat(f.store.findGrant(ACCOUNT).orElseThrow().problem().code()).isEqualTo(MailErrorCode.OAUTH_GRANT_REVOKED);
            assertThat(m.oauth().status(ACCOUNT).state()).isEqualTo(OAuthStatus.State.CONSENT_REQUIRED);
            assertThat(m.health(ACCOUNT).state()).isEqualTo(AccountHealth.State.AUTH_REQUIRED);
            assertThat(events).singleElement().satisfies(e -> assertThat(e.failure()).contains(MailErrorCode.OAUTH_GRANT_REVOKED));
            assertThat(m.refreshIdleOAuthGrants()).as("not asked again").isZero();
            assertThat(f.provider.refreshes).hasValue(1);
        }
    }
}
