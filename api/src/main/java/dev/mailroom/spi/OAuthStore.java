package dev.mailroom.spi;

import dev.mailroom.AccountId;
import dev.mailroom.MailErrorCode;
import dev.mailroom.OAuthClient;
import dev.mailroom.OAuthClientId;
import dev.mailroom.Secret;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Where Mailroom keeps what OAuth 2.0 needs between calls and across nodes: the registered clients, consents
 * that were started and not yet completed, and each account's grant (refresh token, what was granted, the
 * current access token). One store per {@code Mailroom}; nodes that share it share consents and tokens, so a
 * consent started on one node can be completed on another and only one node refreshes a token at a time.
 *
 * <p><b>Secrets.</b> Client secrets, refresh tokens, cached access tokens and PKCE verifiers are secrets. A
 * durable store seals each one at rest and binds it to its owner (e.g. {@code oauth-client:<id>:clientSecret},
 * {@code account:<id>:refresh-token}), so a value copied into another row does not open. Secrets it returns may
 * be {@linkplain Secret#sealed sealed} and opened on first use. No method logs a secret or puts one in an
 * exception message.
 *
 * <p><b>Refresh lease and versions.</b> Refreshing a token is single-flight across nodes: a node first takes
 * the account's lease with {@link #tryLease}, reads the grant and refreshes with its refresh token. The others
 * wait for the grant's {@link Grant#version() version} to change and reuse the token the holder stored. Storing
 * the result ({@link #saveTokens}, {@link #markProblem}) is a compare-and-set on the version the refresh started
 * from: it succeeds exactly when nothing was stored since (no other refresh, no new consent, no problem), even if
 * the lease ran out and another node took it meanwhile, because then the refresh token that was used is still
 * the stored one and a rotated one that came back is the only valid one. It fails when the grant changed: a
 * newer grant is never overwritten by an older result. Storing bumps the version and releases the caller's
 * lease (another node's lease stays: its own store then fails and it reuses this result). A lease that is not
 * released (the node died) expires after its duration, measured on the store's clock.
 *
 * <p><b>Threading and failure.</b> Thread-safe; each method is atomic on its own. Storage failures pass through
 * as unchecked exceptions ({@link dev.mailroom.MailException} with {@link MailErrorCode#STORE_FAILED} for
 * Mailroom's stores). A store that keeps nothing durable (core's in-memory one) loses grants on restart, and an
 * administrator must connect every account again. Contract suite: {@code OAuthStoreContract} in
 * mailroom-testkit.
 */
public interface OAuthStore {

    /**
     * Registers a client, replacing one with the same id. A {@link Secret#stored()} placeholder as its secret
     * keeps the secret stored for that id.
     *
     * @param client the client
     * @throws IllegalArgumentException when the secret is the placeholder and no client with that id is stored
     */
    void saveClient(OAuthClient client);

    /**
     * @param id the client's id
     * @return the client with its secret (perhaps sealed, opened when used)
     */
    Optional<OAuthClient> findClient(OAuthClientId id);

    /** @return every registered client, ordered by id, with their secrets (perhaps sealed) */
    List<OAuthClient> findClients();

    /**
     * Removes a client registration; grants of accounts that refer to it stay (they fail until it is registered again).
     *
     * @param id the client's id
     * @return whether it existed
     */
    boolean deleteClient(OAuthClientId id);

    /**
     * Stores a consent that was started, until it is taken or expires. May delete consents that expired before
     * {@link PendingConsent#createdAt()}.
     *
     * @param consent the consent
     */
    void savePendingConsent(PendingConsent consent);

    /**
     * Takes a consent by its state, once: the consent is removed in the same atomic step, so of two concurrent
     * callers (on any nodes) at most one gets it. An expired consent is removed too and not returned.
     *
     * @param state the state the provider passed back
     * @param now the current time, to judge expiry
     * @return the consent, when it was stored, not taken before and not expired at {@code now}
     */
    Optional<PendingConsent> takePendingConsent(String state, Instant now);

    /**
     * @param account the account
     * @return its grant, when it was connected
     */
    Optional<Grant> findGrant(AccountId account);

    /**
     * Stores the grant of a completed consent, replacing the account's previous grant with its cached token,
     * problem and lease. The stored grant's version is higher than any version the account's grant had before.
     *
     * @param grant the grant; its version is ignored
     * @return the grant as stored, with its version
     */
    Grant saveGrant(Grant grant);

    /**
     * Removes an account's grant (disconnecting it).
     *
     * @param account the account
     * @return whether it had one
     */
    boolean deleteGrant(AccountId account);

    /**
     * Takes the account's refresh lease for {@code holder} when nobody else holds an unexpired one (a holder may
     * take it again, extending it).
     *
     * @param account the account
     * @param holder who refreshes, unique per node and Mailroom
     * @param lease how long the lease lasts unless released first
     * @return whether {@code holder} holds the lease now; false when another holds it or the account has no grant
     */
    boolean tryLease(AccountId account, String holder, Duration lease);

    /**
     * Stores a refreshed access token (and the rotated refresh token, when the provider issued one) when the
     * grant's version is still {@code expectedVersion} (compare-and-set), bumps the version, clears any problem and
     * releases {@code holder}'s lease if it holds it. When this returns a grant, the tokens are committed: a new
     * node on the same store reads them.
     *
     * @param account the account
     * @param holder who refreshed
     * @param expectedVersion the version of the grant whose refresh token was used
     * @param accessToken the new access token
     * @param issuedAt when it was issued, to judge its lifetime
     * @param rotatedRefreshToken the new refresh token, or empty when the provider kept the old one
     * @return the grant as stored; empty when the grant changed (or went) since that version (nothing stored)
     */
    Optional<Grant> saveTokens(AccountId account, String holder, long expectedVersion, AccessToken accessToken, Instant issuedAt,
                               Optional<Secret> rotatedRefreshToken);

    /**
     * Records why the grant cannot be used (e.g. {@link MailErrorCode#OAUTH_GRANT_REVOKED}) when the grant's
     * version is still {@code expectedVersion} (a refusal of an older refresh token says nothing about a newer
     * one), drops the cached access token, bumps the version and releases {@code holder}'s lease if it holds it.
     *
     * @param account the account
     * @param holder who refreshed
     * @param expectedVersion the version of the grant whose refresh token was refused
     * @param problem what is wrong
     * @return whether it was stored; false when the grant changed since that version
     */
    boolean markProblem(AccountId account, String holder, long expectedVersion, Problem problem);

    /**
     * Releases the lease without changing the grant (the refresh failed for a passing reason). Does nothing when
     * {@code holder} does not hold it.
     *
     * @param account the account
     * @param holder the lease holder
     */
    void releaseLease(AccountId account, String holder);

    /**
     * A consent that was started: the browser went to the provider with {@code state}; the code it brings back
     * is exchanged with {@code codeVerifier}.
     *
     * @param state the single-use state, at least 128 random bits
     * @param account the account being connected
     * @param client the client the consent is for
     * @param codeVerifier the PKCE verifier
     * @param createdAt when it was started
     * @param expiresAt after this it cannot be completed
     */
    record PendingConsent(String state, AccountId account, OAuthClientId client, Secret codeVerifier, Instant createdAt,
                          Instant expiresAt) {
        /**
         * Validates.
         *
         * @param state see the record description
         * @param account see the record description
         * @param client see the record description
         * @param codeVerifier see the record description
         * @param createdAt see the record description
         * @param expiresAt see the record description
         */
        public PendingConsent {
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(account, "account");
            Objects.requireNonNull(client, "client");
            Objects.requireNonNull(codeVerifier, "codeVerifier");
            Objects.requireNonNull(createdAt, "createdAt");
            Objects.requireNonNull(expiresAt, "expiresAt");
            if (state.length() < 22) {
                throw new IllegalArgumentException("state must carry at least 128 random bits (22 base64url characters)");
            }
        }

        /** Never shows the state or the verifier. */
        @Override
        public String toString() {
            return "PendingConsent[account " + account + ", client " + client + ", expires " + expiresAt + "]";
        }
    }

    /**
     * Why a grant cannot be used until someone acts.
     *
     * @param code e.g. {@link MailErrorCode#OAUTH_GRANT_REVOKED}
     * @param detail the provider's reply (e.g. its JSON error), or in words when it gave none; never a secret
     * @param since when it was noticed
     */
    record Problem(MailErrorCode code, String detail, Instant since) {
        /**
         * Validates.
         *
         * @param code see the record description
         * @param detail see the record description
         * @param since see the record description
         */
        public Problem {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(detail, "detail");
            Objects.requireNonNull(since, "since");
        }
    }

    /**
     * An account's grant: what an administrator's consent gave, and the access token currently in use.
     *
     * @param account the account
     * @param client the client the grant belongs to
     * @param identity the mailbox that consented, as the provider said
     * @param scopes the scopes granted (empty when the provider did not say)
     * @param grantedAt when the consent was completed
     * @param refreshToken the refresh token
     * @param accessToken the current access token, or {@code null} when none is cached
     * @param accessTokenIssuedAt when the current access token was issued, or {@code null}
     * @param version rises with every change (consent, refresh, problem); 0 for a grant not yet stored
     * @param problem why the grant cannot be used, or {@code null}
     */
    record Grant(AccountId account, OAuthClientId client, String identity, Set<String> scopes, Instant grantedAt, Secret refreshToken,
                 AccessToken accessToken, Instant accessTokenIssuedAt, long version, Problem problem) {
        /**
         * Validates and copies.
         *
         * @param account see the record description
         * @param client see the record description
         * @param identity see the record description
         * @param scopes see the record description
         * @param grantedAt see the record description
         * @param refreshToken see the record description
         * @param accessToken see the record description
         * @param accessTokenIssuedAt see the record description
         * @param version see the record description
         * @param problem see the record description
         */
        public Grant {
            Objects.requireNonNull(account, "account");
            Objects.requireNonNull(client, "client");
            Objects.requireNonNull(identity, "identity");
            scopes = Set.copyOf(scopes);
            Objects.requireNonNull(grantedAt, "grantedAt");
            Objects.requireNonNull(refreshToken, "refreshToken");
            if ((accessToken == null) != (accessTokenIssuedAt == null)) {
                throw new IllegalArgumentException("accessToken and accessTokenIssuedAt go together");
            }
        }

        /**
         * A grant fresh from a consent, not yet stored.
         *
         * @param account the account
         * @param client the client
         * @param identity who consented
         * @param scopes what was granted
         * @param grantedAt when
         * @param refreshToken the refresh token
         * @param accessToken the access token issued with it
         * @param issuedAt when that was issued
         * @return the grant, version 0
         */
        public static Grant of(AccountId account, OAuthClientId client, String identity, Set<String> scopes, Instant grantedAt,
                               Secret refreshToken, AccessToken accessToken, Instant issuedAt) {
            return new Grant(account, client, identity, scopes, grantedAt, refreshToken, accessToken, issuedAt, 0, null);
        }

        /** @return the cached access token, if any */
        public Optional<AccessToken> cachedToken() {
            return Optional.ofNullable(accessToken);
        }

        /** Never shows a token. */
        @Override
        public String toString() {
            return "Grant[account " + account + ", client " + client + ", identity " + identity + ", scopes " + scopes + ", granted "
                    + grantedAt + ", version " + version + (accessToken != null ? ", " + accessToken : "")
                    + (problem != null ? ", problem " + problem.code() : "") + "]";
        }
    }
}
