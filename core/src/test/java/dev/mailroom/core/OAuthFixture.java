package dev.mailroom.core;

import dev.mailroom.testkit.ScriptedAuthorizationServer;
import dev.mailroom.Account;
import dev.mailroom.AccountId;
import dev.mailroom.Authentication;
import dev.mailroom.ConsentLink;
import dev.mailroom.OAuthClient;
import dev.mailroom.OAuthClientId;
import dev.mailroom.OAuthStatus;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Secret;
import dev.mailroom.spi.OAuthStore;
import dev.mailroom.testkit.RecordingTransport;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** One OAuth 2.0 account, its registered Google client, a fake provider and Mailrooms over shared stores. */
final class OAuthFixture {
    static final AccountId ACCOUNT = AccountId.of("support");
    static final String ADDRESS = "support@acme.test";
    static final OAuthClientId CLIENT = OAuthClientId.of("acme-google");
    static final String SCOPE = "https://mail.google.com/";

    /** Starts now, so that tokens are valid on the system clock too (for Mailrooms that run their outbox on it). */
    final MutableClock clock = new MutableClock(Instant.now());
    final InMemoryAccountRepository accounts = new InMemoryAccountRepository();
    final OAuthStore store;
    final ScriptedAuthorizationServer provider = new ScriptedAuthorizationServer(clock);
    final RecordingTransport transport = new RecordingTransport().acceptOAuth2();

    OAuthFixture() {
        this(new InMemoryOAuthStore());
    }

    OAuthFixture(OAuthStore store) {
        this(c -> store);
    }

    /** @param store makes the store from the fixture's clock */
    OAuthFixture(java.util.function.Function<java.time.Clock, OAuthStore> store) {
        this.store = store.apply(clock);
        accounts.save(account(ACCOUNT.value(), ADDRESS));
    }

    static Account account(String id, String address) {
        return Account.builder().id(id).description("Support " + id).email(address).systemAccount(ACCOUNT.value().equals(id))
                .smtp("smtp.gmail.com", 587, dev.mailroom.Security.STARTTLS).authentication(Authentication.oauth2(address, CLIENT)).build();
    }

    static OAuthClient client() {
        return OAuthClient.builder(CLIENT, "google").name("ACME Workspace").clientId("1234.apps.googleusercontent.com")
                .clientSecret(Secret.of(ScriptedAuthorizationServer.CLIENT_SECRET)).redirectUri(URI.create("https://erp.acme.test/oauth/callback"))
                .scopes(List.of(SCOPE)).build();
    }

    Mailroom.Builder builder() {
        return Mailroom.builder().accountRepository(accounts).oauthStore(store).authorizationServer(provider).transport(transport)
                .discoverTransports(false).clock(clock).outboxWorkers(0);
    }

    Mailroom mailroom() {
        return builder().build();
    }

    /** Registers the client and connects the account as its own mailbox. */
    OAuthStatus connect(Mailroom m) {
        m.oauth().registerClient(client());
        return connect(m, ACCOUNT, ADDRESS);
    }

    OAuthStatus connect(Mailroom m, AccountId account, String mailbox) {
        ConsentLink link = m.oauth().beginAuthorization(account);
        String[] callback = provider.approve(link.url(), mailbox);
        return m.oauth().completeAuthorization(callback[0], callback[1]);
    }

    ResolvedAccount resolved(Mailroom m) {
        return resolved(m, ACCOUNT);
    }

    static ResolvedAccount resolved(Mailroom m, AccountId id) {
        return m.accounts().resolved(id);
    }

    /** Moves the clock past the refresh point of a token of the default lifetime (1 h). */
    void expireTokens() {
        clock.advance(Duration.ofMinutes(56));
    }
}
