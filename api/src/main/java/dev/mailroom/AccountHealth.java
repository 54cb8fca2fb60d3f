package dev.mailroom;

import java.util.Objects;
import java.util.Optional;

/**
 * How an account is doing, derived from its recent attempts in the delivery log (issue #4).
 *
 * @param state the state
 * @param reason in words, for an administrator
 * @param lastFailure the most recent failure, or {@code null}
 */
public record AccountHealth(State state, String reason, DeliveryLogEntry lastFailure) {
    /** The states. */
    public enum State {
        /** The latest attempts succeeded, or there were none. */
        OK,
        /** Recent attempts failed for reasons that may pass (timeouts, 4xx, connection problems). */
        DEGRADED,
        /**
         * The credentials do not work: the latest attempt failed at login, or the stored secret cannot be opened
         * on this node. An administrator must fix the credentials, the method, or the node's keys.
         */
        AUTH_REQUIRED,
        /** The account is disabled. */
        DISABLED
    }

    /**
     * Validates.
     *
     * @param state see the record description
     * @param reason see the record description
     * @param lastFailure see the record description
     */
    public AccountHealth {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(reason, "reason");
    }

    /** @return the most recent failure, if any */
    public Optional<DeliveryLogEntry> failure() {
        return Optional.ofNullable(lastFailure);
    }
}
