package dev.mailroom;

import java.util.Objects;

/**
 * What {@code enqueue} returns once the message is durably stored.
 *
 * @param outboxId the outbox entry's id
 * @param messageId the Message-ID every attempt will carry
 * @param accountId the account that will send it
 * @param existing true if the idempotency key was seen before and this is the entry stored then
 */
public record Queued(long outboxId, String messageId, AccountId accountId, boolean existing) {
    /**
     * Validates.
     *
     * @param outboxId see the record description
     * @param messageId see the record description
     * @param accountId see the record description
     * @param existing see the record description
     */
    public Queued {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(accountId, "accountId");
    }
}
