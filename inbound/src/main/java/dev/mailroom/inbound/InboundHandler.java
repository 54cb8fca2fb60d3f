package dev.mailroom.inbound;

/**
 * The host's side of fetching: turns a fetched mail into a ticket (or a step of one).
 *
 * <p><b>Contract.</b> {@link #accept} returns only after the host has stored the mail durably (its transaction is
 * committed); only then does the fetcher record the mail as stored and act on the server (move, delete...).
 * Throwing refuses the mail for now: it stays on the server and is offered again on the next fetch; after three
 * failed attempts its raw bytes go to quarantine and it is not offered again.
 *
 * <p><b>Duplicates.</b> If the process dies after {@code accept} returned but before the fetcher recorded it, the
 * mail is offered once more. Use {@link FetchedMail#contentKey()} as an idempotency key (a unique column next to
 * the ticket) to make that harmless.
 *
 * <p><b>Threading.</b> Called on the fetching thread, one mail at a time per account; may be called concurrently
 * for different accounts.
 *
 * <pre>{@code
 * InboundHandler handler = mail -> tickets.createOrAppend(mail.contentKey(), mail.from(), mail.subject(), mail.text());
 * }</pre>
 */
@FunctionalInterface
public interface InboundHandler {
    /**
     * Stores a fetched mail durably.
     *
     * @param mail the mail; its streams may be read during this call only
     * @throws Exception to refuse the mail for now (it is offered again later)
     */
    void accept(FetchedMail mail) throws Exception;
}
