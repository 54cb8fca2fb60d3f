package dev.mailroom;

import java.net.URI;
import java.time.Instant;
import java.util.Objects;

/**
 * Where to send an administrator's browser to connect an account with OAuth 2.0: the provider's consent page,
 * valid once and until {@link #expiresAt()}. The provider then calls the client's redirect URL with a
 * {@code state} and a {@code code}, which the host passes to {@code mailroom.oauth().completeAuthorization}.
 *
 * @param account the account being connected
 * @param url the consent URL (carries the single-use state: show it only to the administrator who asked)
 * @param expiresAt after this the consent can no longer be completed
 */
public record ConsentLink(AccountId account, URI url, Instant expiresAt) {
    /**
     * Validates.
     *
     * @param account see the record description
     * @param url see the record description
     * @param expiresAt see the record description
     */
    public ConsentLink {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    /** Without the URL, which carries the state. */
    @Override
    public String toString() {
        return "ConsentLink[account " + account + ", expires " + expiresAt + "]";
    }
}
