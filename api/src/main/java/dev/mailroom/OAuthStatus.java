package dev.mailroom;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Whether an OAuth 2.0 account is connected, for a host's administration page: as whom, with which scopes, since
 * when, and whether an administrator must connect it again.
 *
 * @param account the account
 * @param client the OAuth client the account refers to
 * @param state the state
 * @param identity the mailbox that consented, or {@code null} when not connected
 * @param scopes the scopes granted (empty when not connected or the provider did not say)
 * @param connectedSince when the consent was completed, or {@code null}
 * @param reason in words, for an administrator: what is wrong and what to do, or how it is connected
 */
public record OAuthStatus(AccountId account, OAuthClientId client, State state, String identity, Set<String> scopes,
                          Instant connectedSince, String reason) {
    /** The states. */
    public enum State {
        /** No consent was completed for the account (or it was disconnected). */
        NOT_CONNECTED,
        /** Connected; tokens are refreshed on their own. */
        CONNECTED,
        /**
         * Connected once, but the grant no longer works (revoked, expired, password changed): an administrator
         * connects the account again, see {@link #reason()}.
         */
        CONSENT_REQUIRED,
        /**
         * The account's OAuth client registration is broken, not the account: it is not registered, or the provider
         * refuses it ({@code invalid_client}: a wrong or expired client secret, a deleted app). Every account using
         * that client is affected; an administrator fixes the registration ({@code registerClient} with the current
         * ID and secret), and the accounts work again without a new consent. See {@link #reason()}.
         */
        CLIENT_BROKEN
    }

    /**
     * Validates and copies.
     *
     * @param account see the record description
     * @param client see the record description
     * @param state see the record description
     * @param identity see the record description
     * @param scopes see the record description
     * @param connectedSince see the record description
     * @param reason see the record description
     */
    public OAuthStatus {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(state, "state");
        scopes = Set.copyOf(scopes);
        Objects.requireNonNull(reason, "reason");
    }

    /** @return the mailbox that consented, if connected */
    public Optional<String> connectedAs() {
        return Optional.ofNullable(identity);
    }
}
