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
}
