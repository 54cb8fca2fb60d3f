package dev.mailroom.inbound;

/**
 * The host's side of fetching: turns a fetched mail into a ticket (or a step of one), guided by Mailroom's
 * {@linkplain FetchedMail#routing() routing decision}.
 *
 * <p><b>Contract.</b> {@link #accept} returns only after the host has stored the mail durably (its transaction is
 * committed); only then does the fetcher record the mail as stored, remember its ticket, send the auto-reply and
 * act on the server (move, delete...). The result names the ticket ({@link InboundResult#ticket}), or refuses the
 * mail for good ({@link InboundResult#rejected}). Throwing refuses the mail for now: it stays on the server and is
 * offered again on the next fetch; after three failed attempts its raw bytes go to quarantine and it is not
 * offered again.
 *
 * <p><b>Duplicates.</b> If the process dies after {@code accept} returned but before the fetcher recorded it, the
 * mail is offered once more. Use {@link FetchedMail#contentKey()} as an idempotency key (a unique column next to
 * the ticket step) to make that harmless, and return the same ticket.
 *
 * <p><b>Threading.</b> Called on the fetching thread, one mail at a time per account; may be called concurrently
 * for different accounts.
 *
 * <pre>{@code
 * InboundHandler handler = mail -> {
 *     Routing r = mail.routing();
 *     String ticket = switch (r.kind()) {
 *         case NEW -> tickets.create(mail.contentKey(), mail.from().orElse(""), mail.subject(), r.queue().orElse("1st level"));
 *         case FOLLOW_UP, BUNDLED -> tickets.addStep(r.ticket().orElseThrow(), mail.contentKey(), mail.text().orElse(""));
 *     };
 *     return InboundResult.ticket(ticket);
 * };
 * }</pre>
 */
@FunctionalInterface
public interface InboundHandler {
    /**
     * Stores a fetched mail durably.
     *
     * @param mail the mail with the routing decision; its streams may be read during this call only
     * @return the ticket the mail became or joined, {@link InboundResult#stored()}, or a refusal for good; never null
     * @throws Exception to refuse the mail for now (it is offered again later)
     */
    InboundResult accept(FetchedMail mail) throws Exception;
}
