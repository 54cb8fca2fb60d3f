package dev.mailroom;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Which delivery log entries to return, newest first.
 *
 * @param since only entries at or after this time
 * @param accountId only this account, or {@code null} for all
 * @param tenant only this tenant, or {@code null} for all
 * @param failuresOnly only failures
 * @param limit at most this many entries, 1 to 100,000
 * @param messageId only entries of this Message-ID (compared exactly, without angle brackets and surrounding
 *                  blanks), or {@code null} for all
 */
public record DeliveryLogQuery(Instant since, AccountId accountId, String tenant, boolean failuresOnly, int limit, String messageId) {
    /**
     * Validates.
     *
     * @param since see the record description
     * @param accountId see the record description
     * @param tenant see the record description
     * @param failuresOnly see the record description
     * @param limit see the record description
     * @param messageId see the record description
     */
    public DeliveryLogQuery {
        Objects.requireNonNull(since, "since");
        if (limit < 1 || limit > 100_000) {
            throw new IllegalArgumentException("limit must be between 1 and 100000, was " + limit);
        }
        if (messageId != null) {
            messageId = bare(messageId);
            if (messageId.isEmpty()) {
                throw new IllegalArgumentException("messageId must not be blank: pass a Message-ID like <id@example.com>");
            }
        }
    }

    /**
     * A query without a Message-ID filter.
     *
     * @param since see the record description
     * @param accountId see the record description
     * @param tenant see the record description
     * @param failuresOnly see the record description
     * @param limit see the record description
     */
    public DeliveryLogQuery(Instant since, AccountId accountId, String tenant, boolean failuresOnly, int limit) {
        this(since, accountId, tenant, failuresOnly, limit, null);
    }

    /**
     * A Message-ID without its angle brackets and surrounding blanks, as the filter compares it.
     *
     * @param messageId a Message-ID with or without angle brackets
     * @return the bare id
     */
    public static String bare(String messageId) {
        String s = Objects.requireNonNull(messageId, "messageId").strip();
        if (s.startsWith("<")) {
            s = s.substring(1);
        }
        if (s.endsWith(">")) {
            s = s.substring(0, s.length() - 1);
        }
        return s.strip();
    }

    /**
     * All entries since a time, up to 1,000.
     *
     * @param since the earliest time
     * @return the query
     */
    public static DeliveryLogQuery since(Instant since) {
        return new DeliveryLogQuery(since, null, null, false, 1000);
    }

    /**
     * @return a copy returning failures only
     */
    public DeliveryLogQuery failures() { return new DeliveryLogQuery(since, accountId, tenant, true, limit, messageId); }
    /**
     * @param id the account
     * @return a copy for one account
     */
    public DeliveryLogQuery account(AccountId id) { return new DeliveryLogQuery(since, Objects.requireNonNull(id, "id"), tenant, failuresOnly, limit, messageId); }
    /**
     * @param tenant the tenant
     * @return a copy for one tenant
     */
    public DeliveryLogQuery tenant(String tenant) { return new DeliveryLogQuery(since, accountId, Objects.requireNonNull(tenant, "tenant"), failuresOnly, limit, messageId); }
    /**
     * @param limit the maximum
     * @return a copy with another limit
     */
    public DeliveryLogQuery limit(int limit) { return new DeliveryLogQuery(since, accountId, tenant, failuresOnly, limit, messageId); }
    /**
     * @param messageId a Message-ID, with or without angle brackets
     * @return a copy for the entries of one message (its sending, its bounces)
     */
    public DeliveryLogQuery messageId(String messageId) {
        return new DeliveryLogQuery(since, accountId, tenant, failuresOnly, limit, Objects.requireNonNull(messageId, "messageId"));
    }
    /**
     * @return the account filter
     */
    public Optional<AccountId> account() { return Optional.ofNullable(accountId); }

    /**
     * Whether an entry matches this query (time, account, tenant, failures, Message-ID).
     *
     * @param e the entry
     * @return true if it matches
     */
    public boolean matches(DeliveryLogEntry e) {
        return !e.time().isBefore(since) && (accountId == null || accountId.equals(e.accountId()))
                && (tenant == null || tenant.equals(e.tenant())) && (!failuresOnly || e.isFailure())
                && (messageId == null || e.messageId() != null && messageId.equals(bare(e.messageId())));
    }
}
