package dev.mailroom.spi;

import dev.mailroom.MailContext;
import dev.mailroom.MailException;
import dev.mailroom.NotificationEvent;
import dev.mailroom.NotificationResult;
import dev.mailroom.Queued;
import dev.mailroom.SupportRequest;

/**
 * Turns what happened in the host into mail. The default implementation (core,
 * {@code mailroom.notifications()}) finds the recipients in the {@link RecipientDirectory}, applies their
 * {@link NotificationPreferences}, renders the {@link NotificationTemplates} in each recipient's language and
 * enqueues one mail per recipient through the tenant's resolved system account, so a server outage loses
 * nothing. A host may decorate it (e.g. to add recipients or audit).
 *
 * <p><b>Threading.</b> Implementations are thread-safe; {@link #notify} may be called from the host's
 * request threads and returns once the mail is stored in the outbox, before it is sent.
 */
public interface NotificationService {

    /**
     * Notifies the users an event concerns, each according to their preferences. Never fails because of
     * one recipient, a missing template or mail being unavailable: those are skips in the result, and are
     * recorded in the delivery log.
     *
     * @param event what happened
     * @return who got mail queued, who was skipped and why
     * @throws dev.mailroom.MailException {@link dev.mailroom.MailErrorCode#STORE_FAILED} when the outbox cannot
     *         store the mail (its database is down): mail stored before the failure stays queued, so call
     *         again with the event's idempotency key to queue the rest without duplicates
     */
    NotificationResult notify(NotificationEvent event);

    /**
     * Sends a support request to the support address: the tenant's own when the system settings
     * allow tenants one and it is set, else the system-wide one. The requesting user's address becomes the
     * Reply-To. System information is attached when the system settings say so.
     *
     * @param context who asks (tenant and user)
     * @param request the request
     * @return the queued mail
     * @throws MailException {@code SUPPORT_ADDRESS_MISSING} when no support address is configured, or when
     *                       no account may send; nothing is stored then
     */
    Queued supportRequest(MailContext context, SupportRequest request);
}
