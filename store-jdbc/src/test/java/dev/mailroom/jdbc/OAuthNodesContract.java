package dev.mailroom.jdbc;

import dev.mailroom.Account;
import dev.mailroom.AccountId;
import dev.mailroom.Authentication;
import dev.mailroom.Email;
import dev.mailroom.MailContext;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.OAuthClient;
import dev.mailroom.OAuthClientId;
import dev.mailroom.Queued;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Secret;
import dev.mailroom.Security;
import dev.mailroom.core.Mailroom;
import dev.mailroom.spi.AccessToken;
import dev.mailroom.spi.OAuthStore;
import dev.mailroom.spi.OutboxRepository;
import dev.mailroom.testkit.RecordingTransport;
import dev.mailroom.testkit.ScriptedAuthorizationServer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** OAuth 2.0 with several nodes (Mailroom instances) on one JDBC store; run on H2 and on PostgreSQL. */
abstract class OAuthNodesContract {
    private static final AccountId ACCOUNT = AccountId.of("support");
    private static final String ADDRESS = "support@acme.test";
    private static final OAuthClientId CLIENT = OAuthClientId.of("acme-google");

    /** @return a fresh, empty database */
    abstract DataSource database();

    private final ScriptedAuthorizationServer provider = new ScriptedAuthorizationServer(Clock.systemUTC());

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("timed out waiting for " + what).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    private static JdbcStore store(DataSource ds) {
        return JdbcStore.builder(ds).cipher(TestKeys.cipher()).changePollInterval(Duration.ofMillis(50)).build();
    }

    private Mailroom node(JdbcStore store, RecordingTransport transport, int workers) {
        return Mailroom.builder().store(store).authorizationServer(provider).transport(transport).discoverTransports(false)
                .outboxWorkers(workers).outboxPollInterval(Duration.ofMillis(10)).build();
    }

    /** A node whose OAuth store reports each refresh lease it did not get. */
    private Mailroom nodeCountingRefusedLeases(JdbcStore store, RecordingTransport transport, CountDownLatch refused) {
        OAuthStore real = store.oauth().orElseThrow();
        OAuthStore counting = (OAuthStore) Proxy.newProxyInstance(OAuthStore.class.getClassLoader(), new Class<?>[] {OAuthStore.class},
                (proxy, method, args) -> {
                    Object r;
                    try {
                        r = method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (method.getName().equals("tryLease") && Boolean.FALSE.equals(r)) {
                        refused.countDown();
                    }
                    return r;
                });
        return Mailroom.builder().accountRepository(store.accounts()).deliveryLogRepository(store.deliveryLog()).outboxRepository(store.outbox())
                .oauthStore(counting).authorizationServer(provider).transport(transport).discoverTransports(false).outboxWorkers(0).build();
    }

    private void connect(Mailroom m) {
        m.accounts().create(Account.builder().id(ACCOUNT.value()).description("Support").email(ADDRESS).systemAccount(true)
                .smtp("smtp.gmail.com", 587, Security.STARTTLS).authentication(Authentication.oauth2(ADDRESS, CLIENT)).build());
        m.oauth().registerClient(OAuthClient.builder(CLIENT, "google").clientId("1234.apps.googleusercontent.com")
                .clientSecret(Secret.of(ScriptedAuthorizationServer.CLIENT_SECRET)).redirectUri(URI.create("https://erp.acme.test/oauth/callback"))
                .scopes(List.of("https://mail.google.com/")).build());
        String[] callback = provider.approve(m.oauth().beginAuthorization(ACCOUNT).url(), ADDRESS);
        m.oauth().completeAuthorization(callback[0], callback[1]);
    }

    private static ResolvedAccount resolved(Mailroom m) {
        return m.accounts().resolved(ACCOUNT);
    }

    @Test
    @DisplayName("D3: two nodes whose token was refused at once: one refreshes (the refresh lease), the other waits and reuses the stored token")
    void twoNodes_oneRefresh() throws Exception {
        DataSource ds = database();
        RecordingTransport ta = new RecordingTransport().acceptOAuth2();
        RecordingTransport tb = new RecordingTransport().acceptOAuth2();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch refusedLease = new CountDownLatch(1);
        try (JdbcStore sa = store(ds); JdbcStore sb = store(ds); Mailroom a = node(sa, ta, 0); Mailroom b = nodeCountingRefusedLeases(sb, tb, refusedLease)) {
            connect(a);
            AccessToken rejected = ta.context().accessTokens().token(resolved(a));
            assertThat(tb.context().accessTokens().token(resolved(b))).as("node B reuses node A's token from the store").isEqualTo(rejected);
            provider.holdRefreshes(entered, gate);
            CompletableFuture<AccessToken> onA = CompletableFuture.supplyAsync(() -> ta.context().accessTokens().refresh(resolved(a), rejected));
            assertThat(entered.await(20, TimeUnit.SECONDS)).as("node A refreshes").isTrue();
            CompletableFuture<AccessToken> onB = CompletableFuture.supplyAsync(() -> tb.context().accessTokens().refresh(resolved(b), rejected));
            assertThat(refusedLease.await(20, TimeUnit.SECONDS)).as("node B finds the lease taken").isTrue();
            gate.countDown();
            AccessToken fromA = onA.get(20, TimeUnit.SECONDS);
            AccessToken fromB = onB.get(20, TimeUnit.SECONDS);
            assertThat(fromA).isNotEqualTo(rejected).isEqualTo(fromB);
            assertThat(provider.refreshes).hasValue(1);
        } finally {
            provider.holdRefreshes(null, null);
        }
    }

    @Test
    @DisplayName("D3: the rotated refresh token is in the store when the token is handed out: a new node refreshes with it; secrets are sealed at rest and the state is stored hashed")
    void rotation_newNode_sealedAtRest() throws Exception {
        DataSource ds = database();
        RecordingTransport ta = new RecordingTransport().acceptOAuth2();
        String rotated;
        try (JdbcStore sa = store(ds); Mailroom a = node(sa, ta, 0)) {
            connect(a);
            AccessToken first = ta.context().accessTokens().token(resolved(a));
            String before = sa.oauth().orElseThrow().findGrant(ACCOUNT).orElseThrow().refreshToken().reveal();
            AccessToken second = ta.context().accessTokens().refresh(resolved(a), first);
            rotated = sa.oauth().orElseThrow().findGrant(ACCOUNT).orElseThrow().refreshToken().reveal();
            assertThat(rotated).isNotEqualTo(before);
            assertThat(provider.accepts(before)).isFalse();
            assertThat(sa.oauth().orElseThrow().findGrant(ACCOUNT).orElseThrow().accessToken()).isEqualTo(second);
            a.oauth().beginAuthorization(ACCOUNT); // a started consent, to look at at rest
            String state = provider.lastConsent.state();
            String raw = dump(ds);
            assertThat(raw).doesNotContain(rotated).doesNotContain(second.reveal()).doesNotContain(ScriptedAuthorizationServer.CLIENT_SECRET)
                    .doesNotContain(state).doesNotContain("CANARY");
        }
        RecordingTransport tc = new RecordingTransport().acceptOAuth2();
        try (JdbcStore sc = store(ds); Mailroom c = node(sc, tc, 0)) {
            AccessToken stored = tc.context().accessTokens().token(resolved(c));
            AccessToken fresh = tc.context().accessTokens().refresh(resolved(c), stored);
            assertThat(fresh).isNotEqualTo(stored);
            assertThat(provider.accepts(rotated)).as("used and rotated again by the new node").isFalse();
        }
    }

    @Test
    @DisplayName("D2: mail held for a revoked grant on one node is released when the account is connected again on another node")
    void consentOnOtherNode_releasesHeldMail() {
        DataSource ds = database();
        RecordingTransport ta = new RecordingTransport().acceptOAuth2();
        RecordingTransport tb = new RecordingTransport().acceptOAuth2();
        try (JdbcStore sa = store(ds); JdbcStore sb = store(ds); Mailroom a = node(sa, ta, 1); Mailroom b = node(sb, tb, 0)) {
            connect(b);
            a.enqueue(MailContext.system(), Email.builder().to("kunde@example.test").text("1").build());
            await(() -> ta.sent().size() == 1, "the first mail");
            provider.revokeAll();
            ta.refuseToken(ta.tokens().get(0));
            Queued held = b.enqueue(MailContext.system(), Email.builder().to("kunde@example.test").text("2").build());
            await(() -> sa.outbox().find(held.outboxId()).orElseThrow().lastError() != null, "the mail to be held");
            assertThat(sa.outbox().find(held.outboxId()).orElseThrow().lastError()).contains("OAUTH_GRANT_REVOKED");
            String[] callback = provider.approve(b.oauth().beginAuthorization(ACCOUNT).url(), ADDRESS);
            b.oauth().completeAuthorization(callback[0], callback[1]);
            await(() -> sa.outbox().find(held.outboxId()).orElseThrow().status() == OutboxRepository.Status.SENT, "the held mail on node A");
            assertThat(ta.sent()).hasSize(2);
        }
    }

    @Test
    @DisplayName("D2: an account disconnected on one node stops sending on another node that still had its token cached")
    void disconnectOnOneNode_otherNodeStopsUsingItsCachedToken() {
        DataSource ds = database();
        RecordingTransport ta = new RecordingTransport().acceptOAuth2();
        RecordingTransport tb = new RecordingTransport().acceptOAuth2();
        try (JdbcStore sa = store(ds); JdbcStore sb = store(ds); Mailroom a = node(sa, ta, 0); Mailroom b = node(sb, tb, 0)) {
            connect(b);
            a.send(MailContext.system(), Email.builder().to("kunde@example.test").text("1").build()); // node A caches the token
            assertThat(ta.sent()).hasSize(1);
            assertThat(b.oauth().disconnect(ACCOUNT)).isTrue();
            await(() -> {
                try {
                    a.send(MailContext.system(), Email.builder().to("kunde@example.test").text("2").build());
                    return false;
                } catch (MailException e) {
                    return e.code() == MailErrorCode.ACCESS_TOKEN_UNAVAILABLE;
                }
            }, "node A to see the disconnect");
            int sentBefore = ta.sent().size();
            assertThatThrownBy(() -> a.send(MailContext.system(), Email.builder().to("kunde@example.test").text("3").build()))
                    .isInstanceOf(MailException.class);
            assertThat(ta.sent()).as("nothing more sent after the disconnect was seen").hasSize(sentBefore);
        }
    }

    @Test
    @DisplayName("D3: key rotation re-seals the grant's refresh and access tokens and started consents, all or nothing; they open with the new key alone")
    void keyRotation_resealsGrants() {
        DataSource ds = database();
        RecordingTransport ta = new RecordingTransport().acceptOAuth2();
        String refresh;
        AccessToken access;
        try (JdbcStore sa = store(ds); Mailroom a = node(sa, ta, 0)) {
            connect(a);
            a.oauth().beginAuthorization(ACCOUNT);
            refresh = sa.oauth().orElseThrow().findGrant(ACCOUNT).orElseThrow().refreshToken().reveal();
            access = sa.oauth().orElseThrow().findGrant(ACCOUNT).orElseThrow().accessToken();
        }
        dev.mailroom.core.AesGcmSecretCipher rotated = dev.mailroom.core.AesGcmSecretCipher.builder().key("k1", TestKeys.key(1))
                .key("k2", TestKeys.key(2)).activeKey("k2").build();
        try (JdbcStore s = JdbcStore.builder(ds).cipher(rotated).build()) {
            assertThat(s.accounts().reencryptSecrets()).as("client secret, refresh token, access token, consent verifier").isEqualTo(4);
            assertThat(s.accounts().reencryptSecrets()).isZero();
        }
        dev.mailroom.core.AesGcmSecretCipher onlyNew = dev.mailroom.core.AesGcmSecretCipher.builder().key("k2", TestKeys.key(2)).build();
        try (JdbcStore s = JdbcStore.builder(ds).cipher(onlyNew).build()) {
            OAuthStore.Grant g = s.oauth().orElseThrow().findGrant(ACCOUNT).orElseThrow();
            assertThat(g.refreshToken().reveal()).isEqualTo(refresh);
            assertThat(g.accessToken()).isEqualTo(access);
            assertThat(s.oauth().orElseThrow().findClient(CLIENT).orElseThrow().clientSecret().reveal())
                    .isEqualTo(ScriptedAuthorizationServer.CLIENT_SECRET);
        }
    }

    private static String dump(DataSource ds) throws Exception {
        StringBuilder all = new StringBuilder();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            for (String table : List.of("mailroom_oauth_client", "mailroom_oauth_consent", "mailroom_oauth_grant")) {
                try (ResultSet rs = s.executeQuery("SELECT * FROM " + table)) {
                    int n = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        for (int i = 1; i <= n; i++) {
                            all.append(rs.getString(i)).append('|');
                        }
                    }
                }
            }
        }
        return all.toString();
    }
}
