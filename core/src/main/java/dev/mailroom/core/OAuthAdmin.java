package dev.mailroom.core;

import dev.mailroom.Account;
import dev.mailroom.AccountField;
import dev.mailroom.AccountId;
import dev.mailroom.Authentication;
import dev.mailroom.ConsentLink;
import dev.mailroom.EmailAddress;
import dev.mailroom.FieldProblem;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.OAuthClient;
import dev.mailroom.OAuthClientId;
import dev.mailroom.OAuthStatus;
import dev.mailroom.Secret;
import dev.mailroom.core.internal.AuthorizationServers;
import dev.mailroom.core.internal.OAuthTokens;
import dev.mailroom.spi.AccountRepository;
import dev.mailroom.spi.AuthorizationServer;
import dev.mailroom.spi.ConsentRequest;
import dev.mailroom.spi.OAuthStore;
import dev.mailroom.spi.TokenResponse;
import dev.mailroom.spi.TransportContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * OAuth 2.0 administration: the registry of OAuth clients (the apps an administrator created at Google or
 * Microsoft) and connecting accounts to their mailboxes. Obtained from {@link Mailroom#oauth()}; thread-safe.
 *
 * <pre>{@code
 * mailroom.oauth().registerClient(googleClient);                        // once per app
 * ConsentLink link = mailroom.oauth().beginAuthorization(accountId);    // redirect the administrator's browser to link.url()
 * // the host's callback endpoint (the client's redirect URL) gets ?state=…&code=…
 * OAuthStatus s = mailroom.oauth().completeAuthorization(state, code); // checks who consented, stores the grant
 * }</pre>
 *
 * <p>Connecting uses the authorization code flow with PKCE ({@code S256}) and a single-use state valid for 10
 * minutes, kept in the {@link OAuthStore}, so another node sharing the store can complete it. The mailbox that
 * consents must be the account's own, and every scope of the client must be granted; otherwise nothing is
 * stored. Once connected, access tokens are refreshed on their own; when the provider revokes the grant, the
 * account's queued mail is held until an administrator connects it again. No token, secret, code or verifier
 * appears in a log line, an exception or a {@code toString()}.
 */
public final class OAuthAdmin {
    private static final Logger LOG = LoggerFactory.getLogger(OAuthAdmin.class);
    /** How long a consent link can be completed. */
    static final Duration CONSENT_VALIDITY = Duration.ofMinutes(10);
    /** Logged at build when accounts are durable but OAuth grants are not. */
    static final String IN_MEMORY_WARNING = "accounts come from a durable store but OAuth clients and grants are kept in memory, lost on"
            + " restart: every OAuth account would have to be connected again. Use a store with an OAuth store (.store(jdbcStore))"
            + " or set .oauthStore(…)";

    private final AccountRepository accounts;
    private final OAuthStore store;
    private final AuthorizationServers servers;
    private final OAuthTokens tokens;
    private final TransportContext context;
    private final Clock clock;
    private final Runnable connected;
    private final SecureRandom random = new SecureRandom();

    OAuthAdmin(AccountRepository accounts, OAuthStore store, AuthorizationServers servers, OAuthTokens tokens, TransportContext context,
               Clock clock, Runnable connected) {
        this.accounts = accounts;
        this.store = store;
        this.servers = servers;
        this.tokens = tokens;
        this.context = context;
        this.clock = clock;
        this.connected = connected;
    }

    /**
     * Registers an OAuth client, replacing one with the same id. To keep the stored secret while changing other
     * values, pass {@link Secret#stored()} as its secret. Releases mail held because the client was refused.
     *
     * @param client the client, with its secret
     * @return the client as stored, without its secret
     * @throws MailException {@link MailErrorCode#OAUTH_CLIENT_MISSING} when no module serves the client's provider;
     *         {@link MailErrorCode#INVALID_ACCOUNT} when the secret is a placeholder and no client with the id is stored
     */
    public OAuthClient registerClient(OAuthClient client) {
        Objects.requireNonNull(client, "client");
        servers.get(client.provider(), "OAuth client " + client.id());
        if (client.clientSecret().isPlaceholder() && store.findClient(client.id()).isEmpty()) {
            throw MailException.fieldProblems(MailErrorCode.INVALID_ACCOUNT, "OAuth client " + client.id(),
                    List.of(new FieldProblem(AccountField.AUTHENTICATION, "a new OAuth client needs its client secret, not a placeholder")));
        }
        store.saveClient(client);
        tokens.clientChanged(client.id());
        connected.run();
        LOG.info("OAuth client {} ({}) registered", client.id(), client.provider());
        return client.withoutSecret();
    }

    /**
     * @param id the client's id
     * @return the client without its secret, if registered
     */
    public Optional<OAuthClient> client(OAuthClientId id) {
        return store.findClient(Objects.requireNonNull(id, "id")).map(OAuthClient::withoutSecret);
    }

    /** @return every registered client, ordered by id, without secrets */
    public List<OAuthClient> clients() {
        return store.findClients().stream().map(OAuthClient::withoutSecret).toList();
    }

    /**
     * Removes a client registration. Accounts that refer to it fail with {@link MailErrorCode#OAUTH_CLIENT_MISSING}
     * until it is registered again; their grants are kept.
     *
     * @param id the client's id
     * @return whether it existed
     */
    public boolean removeClient(OAuthClientId id) {
        return store.deleteClient(Objects.requireNonNull(id, "id"));
    }

    /**
     * Starts connecting an account: a consent URL for the administrator's browser, valid once and for 10 minutes,
     * asking the account's mailbox (as login hint) for the client's scopes and the provider's identity scopes.
     *
     * @param account the account; it must log in with {@code Authentication.oauth2(user, client)}
     * @return the link
     * @throws MailException {@link MailErrorCode#INVALID_ACCOUNT} when the account does not exist or does not log in
     *         with OAuth 2.0; {@link MailErrorCode#OAUTH_CLIENT_MISSING} when its client is not registered or no
     *         module serves its provider; {@link MailErrorCode#INTERNAL} when the provider module's consent URL lacks
     *         PKCE with {@code S256}, Mailroom's challenge or its state (the URL is not used)
     */
    public ConsentLink beginAuthorization(AccountId account) {
        Account a = account(account);
        OAuthClient client = clientOf(a);
        AuthorizationServer server = servers.get(client.provider(), "OAuth client " + client.id());
        String verifier = randomText(64);  // 86 characters, within PKCE's 43 to 128
        String state = randomText(32);     // 256 bits
        Instant now = clock.instant();
        Instant expires = now.plus(CONSENT_VALIDITY);
        store.savePendingConsent(new OAuthStore.PendingConsent(state, a.id(), client.id(), Secret.of(verifier), now, expires));
        Set<String> scopes = new LinkedHashSet<>(client.scopes());
        scopes.addAll(server.identityScopes());
        String challenge = challenge(verifier);
        java.net.URI url = server.consentUrl(client, new ConsentRequest(state, challenge, a.email().address(), List.copyOf(scopes)));
        String wrong = checkConsentUrl(url, state, challenge);
        if (wrong != null) {
            store.takePendingConsent(state, now); // never completed
            throw new MailException(MailErrorCode.INTERNAL, "the consent URL of OAuth provider '" + client.provider() + "' for account "
                    + a.email().address() + " " + wrong + "; it was not used", null, "The provider module " + server.getClass().getName()
                    + " must put Mailroom's PKCE challenge with code_challenge_method=S256 and its state into the consent URL: update or"
                    + " replace the module.", List.of(), null);
        }
        ConsentLink link = new ConsentLink(a.id(), url, expires);
        LOG.info("account {}: consent started with OAuth client {}, valid until {}", a.email().address(), client.id(), expires);
        return link;
    }

    /**
     * Completes a consent: called by the host's callback endpoint with the {@code state} and {@code code} the
     * provider passed to the redirect URL. Exchanges the code, checks that the account's own mailbox consented
     * (its address, or the OAuth login name, among the verified addresses the provider names) and that every scope
     * of the client was granted, stores the grant and releases the account's held mail. When a check fails,
     * nothing is stored.
     *
     * @param state the state parameter of the callback
     * @param code the code parameter of the callback
     * @return how the account is connected now
     * @throws MailException {@link MailErrorCode#OAUTH_STATE_INVALID} when the state is unknown, used or expired;
     *         {@link MailErrorCode#OAUTH_WRONG_ACCOUNT} naming the mailbox that consented;
     *         {@link MailErrorCode#OAUTH_SCOPE_MISSING} naming the scopes not granted; the provider's failure
     *         (e.g. {@link MailErrorCode#OAUTH_CLIENT_REJECTED}) when the code cannot be exchanged
     */
    public OAuthStatus completeAuthorization(String state, String code) {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(code, "code");
        Instant now = clock.instant();
        OAuthStore.PendingConsent consent = state.isBlank() ? null : store.takePendingConsent(state, now).orElse(null);
        if (consent == null) {
            throw new MailException(MailErrorCode.OAUTH_STATE_INVALID, "this consent is unknown, was completed already or has expired"
                    + " (a consent link is valid once and for " + CONSENT_VALIDITY.toMinutes() + " minutes); nothing was stored");
        }
        Account a = account(consent.account());
        OAuthClient client = clientOf(a);
        if (!client.id().equals(consent.client())) {
            throw new MailException(MailErrorCode.OAUTH_STATE_INVALID, "account " + a.email().address() + " was switched to OAuth client "
                    + client.id() + " after this consent was started; nothing was stored");
        }
        if (code.isBlank()) {
            throw new MailException(MailErrorCode.OAUTH_STATE_INVALID, "the callback carried no code (the consent was declined or failed);"
                    + " nothing was stored");
        }
        AuthorizationServer server = servers.get(client.provider(), "OAuth client " + client.id());
        TokenResponse r = server.exchange(client, code, consent.codeVerifier(), context);
        String identity;
        try {
            identity = checkIdentity(a, r);
            if (!r.grantedScopes().isEmpty()) {
                List<String> missing = client.scopes().stream().filter(s -> !r.grantedScopes().contains(s)).toList();
                if (!missing.isEmpty()) {
                    throw new MailException(MailErrorCode.OAUTH_SCOPE_MISSING, "the consent for account " + a.email().address()
                            + " did not grant " + String.join(", ", missing) + "; nothing was stored", null, "Connect the account again"
                            + " and allow every permission on the consent page (" + String.join(", ", missing) + ").", List.of(), null);
                }
            }
            MailException forTransport = a.sending().map(sending -> OAuthTokens.transportScopeMissing(server, sending.kind(), r.grantedScopes(),
                    a.email().address(), client.id(), true)).orElse(null);
            if (forTransport != null && !r.grantedScopes().isEmpty()) {
                throw forTransport;
            }
        } catch (MailException refused) {
            revokeQuietly(server, client, a, r);
            throw refused;
        }
        if (r.refreshToken().isEmpty()) {
            throw new MailException(MailErrorCode.ACCESS_TOKEN_UNAVAILABLE, "the provider issued no refresh token for account "
                    + a.email().address() + " (offline access was not granted); nothing was stored", null,
                    "Connect the account again; if it persists, remove the app's access in the mailbox's account settings first.", List.of(), null);
        }
        OAuthStore.Grant stored = store.saveGrant(OAuthStore.Grant.of(a.id(), client.id(), identity, r.grantedScopes(), now,
                r.refreshToken().get(), r.accessToken(), now));
        tokens.forget(a.id());
        connected.run();
        LOG.info("account {} connected as {} with OAuth client {}", a.email().address(), identity, client.id());
        return status(a, stored);
    }

    /**
     * Disconnects an account: forgets its grant and tokens (on every node sharing the store). Does not revoke the
     * grant at the provider; the mailbox's owner can do that in their account settings.
     *
     * @param account the account
     * @return whether it was connected
     */
    public boolean disconnect(AccountId account) {
        Objects.requireNonNull(account, "account");
        boolean had = store.deleteGrant(account);
        tokens.forget(account);
        return had;
    }

    /**
     * An account was updated or deleted through {@link AccountAdmin}: a deleted account's grant goes with it (an
     * account created later under the same id must be connected again); so does the grant of an account that no
     * longer logs in with OAuth 2.0, refers to another client, or whose address changed to one the consenting
     * mailbox does not have.
     */
    void accountChanged(AccountId id) {
        Account a = accounts.find(id).orElse(null);
        OAuthStore.Grant g = store.findGrant(id).orElse(null);
        if (g == null) {
            return;
        }
        Authentication auth = a == null ? null : a.authentication().orElse(null);
        boolean keep = auth != null && auth.kind() == Authentication.Kind.OAUTH2 && auth.oauthClient().orElseThrow().equals(g.client())
                && mine(a, List.of(g.identity()));
        tokens.forget(id); // this node's cached token is read again from the store
        if (!keep) {
            store.deleteGrant(id);
            LOG.info("account {}: OAuth grant of {} dropped ({})", id, g.identity(), a == null ? "the account was deleted"
                    : "the account no longer logs in as that mailbox; connect it again");
        }
    }

    /**
     * Whether an account is connected, as whom, with which scopes, since when, and whether an administrator must
     * connect it again.
     *
     * @param account the account
     * @return the status
     * @throws MailException {@link MailErrorCode#INVALID_ACCOUNT} when the account does not exist or does not log in
     *         with OAuth 2.0
     */
    public OAuthStatus status(AccountId account) {
        Account a = account(account);
        oauthClientId(a);
        return status(a, store.findGrant(a.id()).orElse(null));
    }

    /** The status of an OAuth 2.0 account, empty for other accounts. */
    Optional<OAuthStatus> statusIfOAuth(Account a) {
        Authentication auth = a.authentication().orElse(null);
        if (auth == null || auth.kind() != Authentication.Kind.OAUTH2) {
            return Optional.empty();
        }
        return Optional.of(status(a, store.findGrant(a.id()).orElse(null)));
    }

    private OAuthStatus status(Account a, OAuthStore.Grant g) {
        OAuthClientId clientId = oauthClientId(a);
        if (g == null || !g.client().equals(clientId)) {
            return new OAuthStatus(a.id(), clientId, OAuthStatus.State.NOT_CONNECTED, null, Set.of(), null,
                    "not connected: an administrator connects the account with its mailbox (beginAuthorization)");
        }
        if (store.findClient(clientId).isEmpty()) {
            return new OAuthStatus(a.id(), clientId, OAuthStatus.State.CLIENT_BROKEN, g.identity(), g.scopes(), g.grantedAt(),
                    MailErrorCode.OAUTH_CLIENT_MISSING + ": OAuth client " + clientId + " is not registered; register it again (the account's"
                            + " grant is kept)");
        }
        if (g.problem() != null) {
            return new OAuthStatus(a.id(), clientId, OAuthStatus.State.CONSENT_REQUIRED, g.identity(), g.scopes(), g.grantedAt(),
                    g.problem().code() + " since " + g.problem().since() + " [provider: " + g.problem().detail() + "]: " + g.problem().code().hint());
        }
        Optional<MailException> rejected = tokens.rejection(clientId);
        if (rejected.isPresent()) {
            return new OAuthStatus(a.id(), clientId, OAuthStatus.State.CLIENT_BROKEN, g.identity(), g.scopes(), g.grantedAt(),
                    MailErrorCode.OAUTH_CLIENT_REJECTED + ": the provider refused OAuth client " + clientId + " ("
                            + rejected.get().getMessage() + "); " + MailErrorCode.OAUTH_CLIENT_REJECTED.hint());
        }
        return new OAuthStatus(a.id(), clientId, OAuthStatus.State.CONNECTED, g.identity(), g.scopes(), g.grantedAt(),
                "connected as " + g.identity() + " since " + g.grantedAt());
    }

    /** Ends, at the provider, the grant of a consent that was refused here; a failure is logged (never a token). */
    private void revokeQuietly(AuthorizationServer server, OAuthClient client, Account a, TokenResponse r) {
        try {
            server.revoke(client, r.refreshToken().orElseGet(() -> Secret.of(r.accessToken().reveal())), context);
            LOG.info("account {}: the refused consent's tokens were revoked at the provider", a.email().address());
        } catch (RuntimeException e) {
            LOG.warn("account {}: revoking the refused consent's tokens at the provider failed ({}); the mailbox's owner can remove the app's"
                    + " access in their account settings", a.email().address(), e.getMessage());
        }
    }

    /**
     * The mailbox that consented, when it is the account's own and verified: its address, or the account's address
     * when that is a verified alias of the mailbox (so the grant stays tied to an address the account has).
     */
    private static String checkIdentity(Account a, TokenResponse r) {
        TokenResponse.GrantedIdentity id = r.identity().orElseThrow(() -> new MailException(MailErrorCode.OAUTH_WRONG_ACCOUNT,
                "the provider did not say which mailbox consented for account " + a.email().address() + "; nothing was stored", null,
                "Check that the provider module asks for its identity scopes (openid, email), then connect again.", List.of(), null));
        if (!id.verified()) {
            throw new MailException(MailErrorCode.OAUTH_WRONG_ACCOUNT, "the mailbox " + id.email() + " that consented for account "
                    + a.email().address() + " is not verified by the provider; nothing was stored");
        }
        if (mine(a, List.of(id.email()))) {
            return id.email();
        }
        if (mine(a, id.aliases())) { // connected as the account's own address, which the mailbox has as a verified alias
            return a.email().address();
        }
        throw new MailException(MailErrorCode.OAUTH_WRONG_ACCOUNT, "the consent for account " + a.email().address() + " was given by "
                + id.email() + ", another mailbox; nothing was stored");
    }

    /** Whether one of the addresses is the account's own: its address or its OAuth login name. */
    private static boolean mine(Account a, List<String> addresses) {
        List<String> own = new ArrayList<>();
        own.add(a.email().address());
        a.authentication().flatMap(Authentication::username).ifPresent(own::add);
        return addresses.stream().anyMatch(o -> own.stream().anyMatch(m -> sameMailbox(o, m)));
    }

    /** Google and Microsoft treat the local part without regard to case, as their identity claims show. */
    private static boolean sameMailbox(String a, String b) {
        if (a.strip().equalsIgnoreCase(b.strip())) {
            return true;
        }
        try {
            return EmailAddress.of(a).sameMailbox(EmailAddress.of(b));
        } catch (RuntimeException e) {
            return false;
        }
    }

    private Account account(AccountId id) {
        Objects.requireNonNull(id, "account");
        return accounts.find(id).orElseThrow(() -> new MailException(MailErrorCode.INVALID_ACCOUNT, "no account with id " + id));
    }

    private static OAuthClientId oauthClientId(Account a) {
        Authentication auth = a.authentication().orElse(null);
        if (auth == null || auth.kind() != Authentication.Kind.OAUTH2) {
            throw MailException.fieldProblems(MailErrorCode.INVALID_ACCOUNT, "account '" + a.description() + "'",
                    List.of(new FieldProblem(AccountField.AUTHENTICATION, "does not log in with OAuth 2.0: set Authentication.oauth2(user, client)")));
        }
        return auth.oauthClient().orElseThrow();
    }

    private OAuthClient clientOf(Account a) {
        OAuthClientId id = oauthClientId(a);
        return store.findClient(id).orElseThrow(() -> new MailException(MailErrorCode.OAUTH_CLIENT_MISSING, "account " + a.email().address()
                + " refers to OAuth client " + id + ", which is not registered", null,
                "Register it with mailroom.oauth().registerClient(...), or let the account refer to a registered client.", List.of(), null));
    }

    private String randomText(int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /**
     * What is wrong with a provider module's consent URL, or {@code null}: it must carry Mailroom's state and PKCE
     * challenge with the method S256 (a module that drops them would let a code be used without the verifier, or a
     * callback be forged).
     */
    static String checkConsentUrl(java.net.URI url, String state, String challenge) {
        java.util.Map<String, List<String>> q = new java.util.HashMap<>();
        String raw = url.getRawQuery();
        for (String pair : raw == null ? new String[0] : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            q.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        if (!List.of("S256").equals(q.get("code_challenge_method"))) {
            return "does not ask for PKCE with code_challenge_method=S256";
        }
        if (!List.of(challenge).equals(q.get("code_challenge"))) {
            return "does not carry Mailroom's PKCE code_challenge";
        }
        if (!List.of(state).equals(q.get("state"))) {
            return "does not carry Mailroom's state";
        }
        return null;
    }

    /** The PKCE S256 challenge: base64url (no padding) of the SHA-256 of the verifier. */
    static String challenge(String verifier) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "OAuthAdmin[" + store + "]";
    }
}
