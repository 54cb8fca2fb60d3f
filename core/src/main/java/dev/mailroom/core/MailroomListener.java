package dev.mailroom.core;

/**
 * Observes what Mailroom does, for metrics or tracing (e.g. {@code mailroom-micrometer}). Register with
 * {@link Mailroom.Builder#listener(MailroomListener)}; methods have no-op defaults, so new events can be added
 * without breaking implementations.
 *
 * <p><b>Threading.</b> Methods are called on the thread that did the work (the caller's for a direct send, an
 * outbox worker's for queued mail), concurrently from many threads: implementations must be thread-safe and
 * fast (no I/O). <b>Failures.</b> An exception thrown by a listener is logged at WARN and otherwise ignored: it
 * never fails or repeats a send.
 *
 * <pre>{@code
 * Mailroom.builder().listener(new MailroomListener() {
 *     public void attempted(DeliveryAttempt a) {
 *         if (a.outcome() == DeliveryAttempt.Outcome.FAILED) alerts.count(a.error().category());
 *     }
 * })
 * }</pre>
 */
public interface MailroomListener {
    /** A listener that does nothing. */
    MailroomListener NONE = new MailroomListener() {
    };

    /**
     * After each delivery attempt, direct ({@link Mailroom#send}, test mails) or from the outbox, once its outcome
     * is decided.
     *
     * @param attempt what was tried and how it ended
     */
    default void attempted(DeliveryAttempt attempt) {
    }

    /**
     * After each call to an OAuth provider for a new access token (a refresh with the account's refresh token, the
     * background refresh of an idle grant, or an application token), once the provider answered or failed. Not
     * called when a cached token is used. Called on the thread that refreshed (a sender's, or the scheduler's).
     *
     * @param refresh which provider, for which account, and how it ended; never a token
     */
    default void tokenRefreshed(TokenRefresh refresh) {
    }
}
