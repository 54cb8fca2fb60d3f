package dev.mailroom.inbound;

import dev.mailroom.AccountId;
import dev.mailroom.MailErrorCode;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The health of one fetch account as the {@link InboundPoller} last saw it.
 *
 * @param account the fetch account
 * @param health the state an administrator sees
 * @param lastReport what the last successful fetch did, if there was one
 * @param lastErrorCode the code of the last failure, empty after a success
 * @param lastError the last failure's message, empty after a success
 * @param serverReply the server's exact reply to the last failure, if it sent one
 * @param consecutiveFailures failed fetches in a row
 * @param nextFetch when the next fetch is due, empty when none is scheduled
 */
public record FetchStatus(AccountId account, Health health, Optional<FetchReport> lastReport, Optional<MailErrorCode> lastErrorCode,
                          Optional<String> lastError, Optional<String> serverReply, int consecutiveFailures, Optional<Instant> nextFetch) {
    /** The health of a fetch account. */
    public enum Health {
        /** Not fetched yet, or the last fetch succeeded. */
        OK,
        /** The last fetch failed (server unreachable, timeout, ...); retried with backoff. */
        DEGRADED,
        /** The server refused the login or no access token is available: an administrator must act. */
        AUTH_REQUIRED,
        /** The account is disabled: it is not fetched. */
        DISABLED
    }

    /**
     * Checks the parts.
     *
     * @param account see the record description
     * @param health see the record description
     * @param lastReport see the record description
     * @param lastErrorCode see the record description
     * @param lastError see the record description
     * @param serverReply see the record description
     * @param consecutiveFailures see the record description
     * @param nextFetch see the record description
     */
    public FetchStatus {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(lastReport, "lastReport");
        Objects.requireNonNull(lastErrorCode, "lastErrorCode");
        Objects.requireNonNull(lastError, "lastError");
        Objects.requireNonNull(serverReply, "serverReply");
        Objects.requireNonNull(nextFetch, "nextFetch");
    }
}
