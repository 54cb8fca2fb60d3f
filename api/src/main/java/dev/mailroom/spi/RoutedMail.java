package dev.mailroom.spi;

import java.util.Objects;

/**
 * How one fetched mail was routed, remembered by its content key so that the same mail offered again (the process
 * died after the host stored it) gets the same decision: the ticket, the decision's label, and whether its
 * auto-reply was already counted against the daily limits. Immutable.
 *
 * @param ticket the host's ticket id the mail became or joined
 * @param decision the router's label of the decision, at most 100 characters (e.g. {@code NEW} or {@code BUNDLED})
 * @param replyTaken {@code true} once the auto-reply was counted: a replay queues it again with the same idempotency
 *                   key, without counting it again
 */
public record RoutedMail(String ticket, String decision, boolean replyTaken) {
    /**
     * Checks the fields.
     *
     * @param ticket the host's ticket id
     * @param decision the router's label of the decision, 1 to 100 characters
     * @param replyTaken whether the auto-reply was counted
     */
    public RoutedMail {
        Objects.requireNonNull(ticket, "ticket");
        Objects.requireNonNull(decision, "decision");
        if (decision.isEmpty() || decision.length() > 100) {
            throw new IllegalArgumentException("decision must be 1 to 100 characters, was " + decision.length());
        }
    }
}
