package dev.mailroom.core;

import dev.mailroom.AccountId;
import dev.mailroom.MailErrorCode;

import java.util.Objects;
import java.util.Optional;

/**
 * One call to an OAuth provider for a new access token, as {@link MailroomListener#tokenRefreshed} sees it: a
 * refresh with an account's refresh token (also the background refresh of grants that would otherwise expire
 * unused), or an application token. Carries no token, secret or address: only what is fit for metrics.
 *
 * @param account the account the token is for (for an application token: the account that asked for it)
 * @param provider the OAuth provider's id, e.g. {@code google}
 * @param error the failure's code (e.g. {@link MailErrorCode#OAUTH_GRANT_REVOKED}), or {@code null} when the provider
 *        issued a token
 */
public record TokenRefresh(AccountId account, String provider, MailErrorCode error) {
    /**
     * Validates.
     *
     * @param account see the record description
     * @param provider see the record description
     * @param error see the record description
     */
    public TokenRefresh {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(provider, "provider");
    }

    /** @return whether the provider issued a token */
    public boolean succeeded() {
        return error == null;
    }

    /** @return the failure's code, empty when it succeeded */
    public Optional<MailErrorCode> failure() {
        return Optional.ofNullable(error);
    }
}
