package dev.mailroom.core;

import dev.mailroom.AccountId;
import dev.mailroom.OAuthClient;
import dev.mailroom.OAuthClientId;
import dev.mailroom.Secret;
import dev.mailroom.spi.AccessToken;
import dev.mailroom.spi.OAuthStore;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** An {@link OAuthStore} that passes every call on, for tests that change one of them. */
class DelegatingOAuthStore implements OAuthStore {
    private final OAuthStore delegate;

    DelegatingOAuthStore(OAuthStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public void saveClient(OAuthClient client) {
        delegate.saveClient(client);
    }

    @Override
    public Optional<OAuthClient> findClient(OAuthClientId id) {
        return delegate.findClient(id);
    }

    @Override
    public List<OAuthClient> findClients() {
        return delegate.findClients();
    }

    @Override
    public boolean deleteClient(OAuthClientId id) {
        return delegate.deleteClient(id);
    }

    @Override
    public void savePendingConsent(PendingConsent consent) {
        delegate.savePendingConsent(consent);
    }

    @Override
    public Optional<PendingConsent> takePendingConsent(String state, Instant now) {
        return delegate.takePendingConsent(state, now);
    }

    @Override
    public Optional<Grant> findGrant(AccountId account) {
        return delegate.findGrant(account);
    }

    @Override
    public Grant saveGrant(Grant grant) {
        return delegate.saveGrant(grant);
    }

    @Override
    public boolean deleteGrant(AccountId account) {
        return delegate.deleteGrant(account);
    }

    @Override
    public boolean tryLease(AccountId account, String holder, Duration lease) {
        return delegate.tryLease(account, holder, lease);
    }

    @Override
    public Optional<Grant> saveTokens(AccountId account, String holder, long expectedVersion, AccessToken accessToken, Instant issuedAt,
                                      Optional<Secret> rotatedRefreshToken) {
        return delegate.saveTokens(account, holder, expectedVersion, accessToken, issuedAt, rotatedRefreshToken);
    }

    @Override
    public boolean markProblem(AccountId account, String holder, long expectedVersion, Problem problem) {
        return delegate.markProblem(account, holder, expectedVersion, problem);
    }

    @Override
    public void releaseLease(AccountId account, String holder) {
        delegate.releaseLease(account, holder);
    }
}
