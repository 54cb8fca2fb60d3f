package dev.mailroom.spi;

import dev.mailroom.Diagnosis;
import dev.mailroom.MailException;
import dev.mailroom.ResolvedAccount;

/**
 * A live transport, opened once per {@code Mailroom} by its {@link TransportProvider}. It may keep
 * connections (pools) across calls and must be thread-safe: {@link #send} and {@link #diagnose} are
 * called concurrently from host threads.
 *
 * <p>Every failure is reported as a {@link MailException} with a stable code and the server's exact
 * reply; transport-specific exception types never escape. A transport never retries a message after it
 * may have been handed over (no duplicates); it may retry connecting.
 */
public interface Transport extends AutoCloseable {

    /**
     * Sends one message through an account.
     *
     * @param account the resolved account, with real secrets
     * @param message the message: its envelope and bytes, sent as they are
     * @return what the server replied
     * @throws MailException on any failure, with code, retryability and the server's reply
     */
    SendResult send(ResolvedAccount account, OutgoingMessage message);

    /**
     * Tests an account's settings stage by stage without sending a message. Never throws for a
     * failed stage: the failure is a step of the diagnosis.
     *
     * @param account the resolved account (stored or draft), with real secrets
     * @return the diagnosis
     */
    Diagnosis diagnose(ResolvedAccount account);

    /**
     * Forgets pooled state of an account (after its settings changed or it was deleted).
     *
     * @param account the account id
     */
    default void evict(dev.mailroom.AccountId account) {
    }

    /** Closes pooled connections. Idempotent. */
    @Override
    void close();
}
