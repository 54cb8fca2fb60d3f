package dev.mailroom.inbound;

import dev.mailroom.Email;
import dev.mailroom.MailContext;

/**
 * Where the fetcher puts its auto-replies: the host's durable outbox. Core's {@code Mailroom#enqueue(MailContext,
 * Email, String)} fits as a method reference, so the inbound module needs no dependency on core.
 *
 * <p>Called on the fetching thread after the host stored the mail. The idempotency key is derived from the mail's
 * content key, so a mail offered twice is answered once. A failure is logged and reported; the mail stays imported.
 *
 * <pre>{@code
 * Inbound inbound = Inbound.builder(store.inbound(), handler).outbox(mailroom::enqueue).build();
 * }</pre>
 */
@FunctionalInterface
public interface Outbox {
    /**
     * Stores an email durably for sending.
     *
     * @param context who sends; carries the address the answered mail came in on
     * @param email the email
     * @param idempotencyKey the same key for the same answer; at most 200 characters
     */
    void enqueue(MailContext context, Email email, String idempotencyKey);
}
