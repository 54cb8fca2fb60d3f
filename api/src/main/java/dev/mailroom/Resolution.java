package dev.mailroom;

import java.util.Objects;

/**
 * The answer of a dry run: which account would send a message, with which sender, why, and where each
 * effective field of the account came from. Secrets are redacted.
 *
 * @param account the resolved account (secrets redacted); {@link ResolvedAccount#origin(AccountField)} gives the provenance
 * @param sender the From address the message would carry
 * @param transport the id of the transport that would send it
 * @param rule which rule chose the account, in words (e.g. "tenant acme's system account")
 */
public record Resolution(ResolvedAccount account, EmailAddress sender, String transport, String rule) {
    /**
     * Validates.
     *
     * @param account see the record description
     * @param sender see the record description
     * @param transport see the record description
     * @param rule see the record description
     */
    public Resolution {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(rule, "rule");
    }
}
