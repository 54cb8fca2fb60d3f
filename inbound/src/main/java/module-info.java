/**
 * Fetching incoming mail over IMAP and POP3 into the host's tickets, crash-safe: a message is handed to the host's
 * {@link dev.mailroom.inbound.InboundHandler}, recorded as stored, and only then acted on at the server. Only
 * {@code dev.mailroom.inbound} is exported; {@code dev.mailroom.inbound.internal} is not reachable from other modules.
 */
@SuppressWarnings("requires-automatic") // Apache mime4j has no module descriptor: its name comes from the jar (docs/adr/025)
module dev.mailroom.inbound {
    requires transitive dev.mailroom;
    requires jakarta.mail;
    requires org.eclipse.angus.mail;
    requires org.eclipse.angus.mail.dsn;
    requires apache.mime4j.core;
    requires org.slf4j;

    exports dev.mailroom.inbound;
}
