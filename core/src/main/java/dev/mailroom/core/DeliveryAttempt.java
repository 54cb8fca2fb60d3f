package dev.mailroom.core;

import dev.mailroom.AccountId;
import dev.mailroom.DeliveryLogEntry;
import dev.mailroom.MailErrorCode;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One delivery attempt as {@link MailroomListener#attempted} sees it. Carries no addresses, subjects or
 * secrets: only what is fit for metrics.
 *
 * @param operation what was sent (a send, a notification, a test mail, …)
 * @param account the account that sent, or {@code null} when none was chosen
 * @param transport the transport's id (e.g. {@code smtp}), or {@code null} when none was chosen
 * @param outcome how the attempt ended
 * @param error the failure's code, or {@code null} when sent
 * @param duration how long the attempt took, rendering included for a direct send
 * @param queued true for mail from the outbox, false for a direct send
 */
public record DeliveryAttempt(DeliveryLogEntry.Operation operation, AccountId account, String transport, Outcome outcome,
                              MailErrorCode error, Duration duration, boolean queued) {
    /** How an attempt ended. */
    public enum Outcome {
        /** The server took the message (for queued mail: perhaps for some recipients only). */
        SENT,
        /** Given up: a direct send failed, or queued mail failed for good or grew too old. */
        FAILED,
        /** Queued mail goes again later (a transient or ambiguous failure, or an unreachable server). */
        DEFERRED,
        /** Queued mail waits because its account has a problem an administrator must fix (login, sender, TLS). */
        HELD
    }

    /**
     * Validates.
     *
     * @param operation see the record description
     * @param account see the record description
     * @param transport see the record description
     * @param outcome see the record description
     * @param error see the record description
     * @param duration see the record description
     * @param queued see the record description
     */
    public DeliveryAttempt {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(duration, "duration");
        if ((outcome == Outcome.SENT) != (error == null)) {
            throw new IllegalArgumentException("an error code goes with every outcome but SENT");
        }
    }

    /** @return the failure's code, empty when sent */
    public Optional<MailErrorCode> failure() {
        return Optional.ofNullable(error);
    }
}
