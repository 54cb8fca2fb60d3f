package dev.mailroom.core;

import dev.mailroom.testkit.ScriptedAuthorizationServer;
import dev.mailroom.Account;
import dev.mailroom.AccountId;
import dev.mailroom.Authentication;
import dev.mailroom.ConsentLink;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.OAuthClient;
import dev.mailroom.OAuthClientId;
import dev.mailroom.OAuthStatus;
import dev.mailroom.Secret;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.mailroom.core.OAuthFixture.ACCOUNT;
import static dev.mailroom.core.OAuthFixture.ADDRESS;
import static dev.mailroom.core.OAuthFixture.CLIENT;
import static dev.mailroom.core.OAuthFixture.SCOPE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The client registry and connecting an account: PKCE, single-use state, who consented, what was granted. */
final class OAuthConsentTest {
    private final OAuthFixture f = new OAuthFixture();

    private static void assertCode(Throwable t, MailErrorCode code, String... inMessage) {
        assertThat(t).isInstanceOfSatisfying(MailException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            if (inMessage.length > 0) {
                assertThat(e.getMessage()).contains(inMessage);
            }
        });
    }

    @Test
    @DisplayName("D1: a registered client is read back without its secret; a placeholder keeps the secret; removing it works")
    void registry_secretIsWriteOnly() {
        try (Mailroom m = f.mailroom()) {
            OAuthClient returned = m.oauth().registerClient(OAuthFixture.client());
            assertThat(returned.clientSecret().isPlaceholder()).isTrue();
            assertThat(m.oauth().client(CLIENT).orElseThrow().clientSecret().isPlaceholder()).isTrue();
            assertThat(m.oauth().client(CLIENT).orElseThrow().redirectUri()).isEqualTo(URI.create("https://erp.acme.test/oauth/callback"));
            assertThat(m.oauth().clients()).singleElement().satisfies(c -> assertThat(c.clientSecret().isPlaceholder()).isTrue());
            m.oauth().registerClient(OAuthFixture.client().toBuilder().name("Renamed").clientSecret(Secret.stored()).build());
            assertThat(f.store.findClient(CLIENT).orElseThrow().clientSecret().reveal()).isEqualTo(ScriptedAuthorizationServer.CLIENT_SECRET);
            assertThat(m.oauth().client(CLIENT).orElseThrow().name()).isEqualTo("Renamed");
            assertThat(m.oauth().removeClient(CLIENT)).isTrue();
            assertThat(m.oauth().clients()).isEmpty();
            assertCode(org.assertj.core.api.Assertions.catchThrowable(() -> m.oauth().registerClient(OAuthFixture.client().toBuilder()
                    .clientSecret(Secret.stored()).build())), MailErrorCode.INVALID_ACCOUNT, "client secret");
        }
    }

    @Test
    @DisplayName("D1: a client for a provider no module serves is refused with OAUTH_CLIENT_MISSING naming the module to add")
    void registry_unknownProvider_refused() {
        try (Mailroom m = f.mailroom()) {
            OAuthClient microsoft = OAuthClient.builder(OAuthClientId.of("ms"), "microsoft").clientId("app").clientSecret(Secret.of("s"))
                    .redirectUri(URI.create("https://erp.acme.test/cb")).build();
            assertThatThrownBy(() -> m.oauth().registerClient(microsoft)).isInstanceOfSatisfying(MailException.class, e -> {
                assertThat(e.code()).isEqualTo(MailErrorCode.OAUTH_CLIENT_MISSING);
                assertThat(e.getMessage()).contains("microsoft").contains("installed: google");
                assertThat(e.hint()).contains("mailroom-transport-graph");
            });
            assertThat(m.oauth().clients()).isEmpty();
        }
    }

    @Test
    @DisplayName("D1: provider modules are found with the ServiceLoader; two servers for one provider on the builder fail fast naming both")
    void providers_discoveredAndUnique() {
        try (Mailroom m = f.mailroom()) {
            OAuthClient discovered = OAuthClient.builder(OAuthClientId.of("d"), "discovered-test").clientId("app").clientSecret(Secret.of("s"))
                    .redirectUri(URI.create("https://erp.acme.test/cb")).build();
            assertThat(m.oauth().registerClient(discovered).provider()).isEqualTo("discovered-test");
        }
        assertThatThrownBy(() -> f.builder().authorizationServer(new ScriptedAuthorizationServer(f.clock)).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("'google'").hasMessageContaining("ScriptedAuthorizationServer");
    }

    @Test
    @DisplayName("D2: the consent URL asks the account's mailbox for the client's and the identity scopes, with PKCE S256 and a 256-bit single-use state valid 10 minutes")
    void begin_consentUrl() {
        try (Mailroom m = f.mailroom()) {
            m.oauth().registerClient(OAuthFixture.client());
            ConsentLink link = m.oauth().beginAuthorization(ACCOUNT);
            Map<String, String> q = ScriptedAuthorizationServer.query(link.url());
            assertThat(link.expiresAt()).isEqualTo(f.clock.instant().plus(Duration.ofMinutes(10)));
            assertThat(q).containsEntry("login_hint", ADDRESS).containsEntry("code_challenge_method", "S256")
                    .containsEntry("scope", SCOPE + " openid email").containsEntry("client_id", "1234.apps.googleusercontent.com");
            assertThat(q.get("state")).hasSizeGreaterThanOrEqualTo(43); // 256 bits, base64url
            assertThat(q.get("code_challenge")).hasSize(43);            // SHA-256, base64url
            assertThat(link.toString()).doesNotContain(q.get("state"));
            ConsentLink second = m.oauth().beginAuthorization(ACCOUNT);
            assertThat(ScriptedAuthorizationServer.query(second.url()).get("state")).isNotEqualTo(q.get("state"));
            assertThat(ScriptedAuthorizationServer.query(second.url()).get("code_challenge")).isNotEqualTo(q.get("code_challenge"));

            String[] callback = f.provider.approve(link.url(), ADDRESS);
            OAuthStatus status = m.oauth().completeAuthorization(callback[0], callback[1]);
            assertThat(f.provider.verifierLengths).singleElement().satisfies(n -> assertThat(n).isBetween(43, 128));
            assertThat(status.state()).isEqualTo(OAuthStatus.State.CONNECTED);
            assertThat(status.connectedAs()).contains(ADDRESS);
            assertThat(status.scopes()).contains(SCOPE);
            assertThat(status.connectedSince()).isEqualTo(f.clock.instant());
            assertThat(m.oauth().status(ACCOUNT)).isEqualTo(status);
            assertThat(f.store.findGrant(ACCOUNT)).isPresent();
        }
    }

    @Test
    @DisplayName("D2: a consent started on one node is completed on another sharing the OAuth store")
    void complete_onAnotherNode() {
        try (Mailroom a = f.mailroom(); Mailroom b = f.mailroom()) {
            a.oauth().registerClient(OAuthFixture.client());
            String[] callback = f.provider.approve(a.oauth().beginAuthorization(ACCOUNT).url(), ADDRESS);
            assertThat(b.oauth().completeAuthorization(callback[0], callback[1]).state()).isEqualTo(OAuthStatus.State.CONNECTED);
            assertThat(a.oauth().status(ACCOUNT).state()).isEqualTo(OAuthStatus.State.CONNECTED);
        }
    }

    @Test
    @DisplayName("D2: consent by another mailbox (the browser picked another Google account) is refused naming it; nothing is stored")
    void wrongMailbox_refused_nothingStored() {
        try (Mailroom m = f.mailroom()) {
            m.oauth().registerClient(OAuthFixture.client());
            String[] callback = f.provider.approve(m.oauth().beginAuthorization(ACCOUNT).url(), "private.person@gmail.test");
            assertCode(org.assertj.core.api.Assertions.catchThrowable(() -> m.oauth().completeAuthorization(callback[0], callback[1])),
                    MailErrorCode.OAUTH_WRONG_ACCOUNT, "private.person@gmail.test", ADDRESS, "nothing was stored");
            assertThat(f.store.findGrant(ACCOUNT)).isEmpty();
            assertThat(f.provider.revocations).as("the tokens issued to the wrong mailbox are revoked at the provider").hasValue(1);
            assertThat(m.oauth().status(ACCOUNT).state()).isEqualTo(OAuthStatus.State.NOT_CONNECTED);
        }
    }

    @Test
    @DisplayName("D2: an address the provider does not vouch for is refused; a verified alias of the account's mailbox is accepted")
    void unverifiedRefused_verifiedAliasAccepted() {
        try (Mailroom m = f.mailroom()) {
            m.oauth().registerClient(OAuthFixture.client());
            String[] unverified = f.provider.approve(m.oauth().beginAuthorization(ACCOUNT).url(), ADDRESS, false, List.of(), null);
            assertCode(org.assertj.core.api.Assertions.catchThrowable(() -> m.oauth().completeAuthorization(unverified[0], unverified[1])),
                    MailErrorCode.OAUTH_WRONG_ACCOUNT, "not verified");
            assertThat(f.store.findGrant(ACCOUNT)).isEmpty();
            String[] alias = f.provider.approve(m.oauth().beginAuthorization(ACCOUNT).url(), "team@acme.test", true, List.of("Support@ACME.test"),
                    null);
            assertThat(m.oauth().completeAuthorization(alias[0], alias[1]).connectedAs()).as("the account's address, an alias of the mailbox")
                    .contains(ADDRESS);
            m.accounts().update(f.accounts.find(ACCOUNT).orElseThrow().toBuilder().description("Edited").build());
            assertThat(f.store.findGrant(ACCOUNT)).as("an edit keeps a grant connected through an alias").isPresent();
        }
    }

    @Test
    @DisplayName("D2: a consent that did not grant a scope of the client is refused naming the scope; nothing is stored")
    void scopeDropped_refused() {
        try (Mailroom m = f.mailroom()) {
            m.oauth().registerClient(OAuthFixture.client());
            String[] callback = f.provider.approve(m.oauth().beginAuthorization(ACCOUNT).url(), ADDRESS, true, List.of(), SCOPE);
            assertCode(org.assertj.core.api.Assertions.catchThrowable(() -> m.oauth().completeAuthorization(callback[0], callback[1])),
                    MailErrorCode.OAUTH_SCOPE_MISSING, SCOPE);
            assertThat(f.store.findGrant(ACCOUNT)).isEmpty();
            assertThat(f.provider.revocations).as("the partial grant is revoked at the provider").hasValue(1);
        }
    }

    @Test
    @DisplayName("D2: a replayed state is refused with OAUTH_STATE_INVALID, and so is an unknown one; the code is not exchanged again")
    void replayedState_refused() {
        try (Mailroom m = f.mailroom()) {
            m.oauth().registerClient(OAuthFixture.client());
            String[] callback = f.provider.approve(m.oauth().beginAuthorization(ACCOUNT).url(), ADDRESS);
            m.oauth().completeAuthorization(callback[0], callback[1]);
            long version = f.store.findGrant(ACCOUNT).orElseThrow().version();
            assertCode(org.assertj.core.api.Assertions.catchThrowable(() -> m.oauth().completeAuthorization(callback[0], callback[1])),
                    MailErrorCode.OAUTH_STATE_INVALID, "nothing was stored");
            assertCode(org.assertj.core.api.Assertions.catchThrowable(() -> m.oauth().completeAuthorization("forged-state", callback[1])),
                    MailErrorCode.OAUTH_STATE_INVALID);
            assertThat(f.provider.exchanges).hasValue(1);
            assertThat(f.store.findGrant(ACCOUNT).orElseThrow().version()).isEqualTo(version);
        }
    }

    @Test
    @DisplayName("D2: a state older than 10 minutes is refused with OAUTH_STATE_INVALID")
    void expiredState_refused() {
        try (Mailroom m = f.mailroom()) {
            m.oauth().registerClient(OAuthFixture.client());
            String[] callback = f.provider.approve(m.oauth().beginAuthorization(ACCOUNT).url(), ADDRESS);
            f.clock.advance(Duration.ofMinutes(10).plusSeconds(1));
            assertCode(org.assertj.core.api.Assertions.catchThrowable(() -> m.oauth().completeAuthorization(callback[0], callback[1])),
                    MailErrorCode.OAUTH_STATE_INVALID);
            assertThat(f.provider.exchanges).hasValue(0);
            assertThat(f.store.findGrant(ACCOUNT)).isEmpty();
        }
    }

    @Test
    @DisplayName("D2: deleting an account, or changing its address away from the mailbox that consented, drops its grant; other edits keep it")
    void accountChanges_dropGrantWhenItNoLongerFits() {
        try (Mailroom m = f.mailroom()) {
            f.connect(m);
            m.accounts().update(OAuthFixture.account(ACCOUNT.value(), ADDRESS).toBuilder().description("Renamed").build());
            assertThat(f.store.findGrant(ACCOUNT)).as("an edit that keeps the mailbox").isPresent();
            m.accounts().update(OAuthFixture.account(ACCOUNT.value(), "other@acme.test"));
            assertThat(f.store.findGrant(ACCOUNT)).as("another mailbox now").isEmpty();
            f.accounts.save(OAuthFixture.account(ACCOUNT.value(), ADDRESS));
            f.connect(m, ACCOUNT, ADDRESS);
            assertThat(m.accounts().delete(ACCOUNT)).isTrue();
            assertThat(f.store.findGrant(ACCOUNT)).as("deleted with its account").isEmpty();
        }
    }

    @Test
    @DisplayName("A9: connecting needs an OAuth 2.0 account whose client is registered; disconnecting forgets the grant")
    void preconditions_andDisconnect() {
        f.accounts.save(Account.builder().id("pw").description("Password").email("pw@acme.test").smtpHost("smtp.acme.test")
                .authentication(Authentication.password("pw@acme.test", Secret.of("x"))).build());
        try (Mailroom m = f.mailroom()) {
            assertCode(org.assertj.core.api.Assertions.catchThrowable(() -> m.oauth().beginAuthorization(ACCOUNT)),
                    MailErrorCode.OAUTH_CLIENT_MISSING, CLIENT.value());
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> m.oauth().beginAuthorization(AccountId.of("pw"))))
                    .isInstanceOfSatisfying(MailException.class, e -> assertThat(e.code()).isEqualTo(MailErrorCode.INVALID_ACCOUNT));
            assertThat(f.connect(m).state()).isEqualTo(OAuthStatus.State.CONNECTED);
            assertThat(m.oauth().disconnect(ACCOUNT)).isTrue();
            assertThat(m.oauth().status(ACCOUNT).state()).isEqualTo(OAuthStatus.State.NOT_CONNECTED);
            assertThat(f.store.findGrant(ACCOUNT)).isEmpty();
        }
    }
}
