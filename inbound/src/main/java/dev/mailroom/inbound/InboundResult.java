package dev.mailroom.inbound;

import java.util.Objects;
import java.util.Optional;

/**
 * What the host's {@link InboundHandler} did with a mail: it became or joined a ticket (the usual answer), it was
 * stored without a ticket, or the host refuses it for good. Immutable.
 *
 * <p>The ticket id lets Mailroom route later mail: replies naming this mail's Message-ID, mail bundled with it,
 * and the {@code {TICKET}} of the auto-reply. A refused mail is recorded as skipped with the reason, stays on the
 * server untouched and is not offered again. To refuse a mail only for now (the database is down), throw from the
 * handler instead.
 *
 * <pre>{@code
 * return InboundResult.ticket(ticket.number());
 * return InboundResult.rejected("sender is blocked");
 * }</pre>
 */
public final class InboundResult {
    private static final InboundResult STORED = new InboundResult(null, null);

    private final String ticket;
    private final String rejection;

    private InboundResult(String ticket, String rejection) {
        this.ticket = ticket;
        this.rejection = rejection;
    }

    /**
     * The mail became, or joined, this ticket; the host committed it.
     *
     * @param ticketId the host's ticket id (number or key), 1 to 200 characters, no control characters
     * @return the result
     * @throws IllegalArgumentException if the id is blank, too long or has control characters
     */
    public static InboundResult ticket(String ticketId) {
        return new InboundResult(checkTicketId(ticketId), null);
    }

    /**
     * The mail was stored durably, but not as a ticket (e.g. an archive): nothing is remembered for routing and no
     * auto-reply is sent.
     *
     * @return the result
     */
    public static InboundResult stored() {
        return STORED;
    }

    /**
     * The host refuses the mail for good (spam, a blocked sender): it stays on the server untouched and is not
     * offered again; the fetch report names the reason.
     *
     * @param reason why, for the report and the log; no secrets
     * @return the result
     * @throws IllegalArgumentException if the reason is blank
     */
    public static InboundResult rejected(String reason) {
        Objects.requireNonNull(reason, "reason");
        if (reason.isBlank()) {
            throw new IllegalArgumentException("reason must not be blank: say why the mail is refused");
        }
        return new InboundResult(null, reason.strip());
    }

    /** @return the ticket the mail became or joined, if the host named one */
    public Optional<String> ticketId() {
        return Optional.ofNullable(ticket);
    }

    /** @return {@code true} if the host refused the mail for good */
    public boolean isRejected() {
        return rejection != null;
    }

    /** @return why the host refused the mail, if it did */
    public Optional<String> rejection() {
        return Optional.ofNullable(rejection);
    }

    static String checkTicketId(String ticketId) {
        Objects.requireNonNull(ticketId, "ticketId");
        if (ticketId.isBlank() || ticketId.length() > 200 || ticketId.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("ticketId must be 1 to 200 characters without control characters, e.g. \"4711\", was '"
                    + ticketId.replaceAll("\\p{Cntrl}", "?") + "'");
        }
        return ticketId;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InboundResult r && Objects.equals(ticket, r.ticket) && Objects.equals(rejection, r.rejection);
    }

    @Override
    public int hashCode() {
        return Objects.hash(ticket, rejection);
    }

    @Override
    public String toString() {
        return ticket != null ? "InboundResult[ticket=" + ticket + "]" : rejection != null ? "InboundResult[rejected: " + rejection + "]"
                : "InboundResult[stored]";
    }
}
