package dev.mailroom.examples.quickstart;

import dev.mailroom.Account;
import dev.mailroom.AccountId;
import dev.mailroom.Authentication;
import dev.mailroom.FetchSettings;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Secret;
import dev.mailroom.Security;
import dev.mailroom.core.AesGcmSecretCipher;
import dev.mailroom.core.Mailroom;
import dev.mailroom.inbound.AutoReply;
import dev.mailroom.inbound.FetchOptions;
import dev.mailroom.inbound.FetchReport;
import dev.mailroom.inbound.Inbound;
import dev.mailroom.inbound.InboundHandler;
import dev.mailroom.inbound.InboundResult;
import dev.mailroom.inbound.Routing;
import dev.mailroom.inbound.ServerAction;
import dev.mailroom.inbound.TicketReferences;
import dev.mailroom.inbound.TicketRouting;
import dev.mailroom.jdbc.JdbcStore;
import dev.mailroom.testkit.IncomingMail;
import dev.mailroom.testkit.MailServerExtension;
import dev.mailroom.testkit.ReceivedMail;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Incoming mail becomes a ticket: a customer writes to the support mailbox, one fetch hands the mail to the host's
 * handler (here a map standing in for the ticket table), Mailroom sends the auto-reply through the outbox from the
 * address the mail came in on, and the customer's reply to it joins the same ticket.
 */
final class InboundQuickstart {
    static final String SUPPORT = "support@acme.example";

    private InboundQuickstart() {
    }

    /**
     * Runs the example and prints what happens.
     *
     * @param server the quickstart's in-process mail server (SMTP and IMAP)
     * @return the tickets with their steps
     */
    static Map<String, List<String>> run(MailServerExtension server) {
        Quickstart.section("13. Incoming mail becomes a ticket, with an auto-reply through the outbox (F1, F5-F7)");
        server.addUser(SUPPORT, "support-pw");
        org.h2.jdbcx.JdbcDataSource h2 = new org.h2.jdbcx.JdbcDataSource();
        h2.setURL("jdbc:h2:mem:quickstart-inbound-" + java.util.UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        byte[] key = new byte[32];
        byte[] referenceKey = new byte[32];
        SecureRandom random = new SecureRandom();
        random.nextBytes(key);
        random.nextBytes(referenceKey); // a real host keeps both in a vault, the same on every node
        Map<String, List<String>> tickets = new LinkedHashMap<>();
        try (JdbcStore store = JdbcStore.builder(h2).cipher(AesGcmSecretCipher.builder().key("quickstart", key).build()).build();
             Mailroom mailroom = Mailroom.builder().store(store).defaultSecurity(Security.NONE).build()) {
            mailroom.accounts().create(Account.builder().id("support").description("Support mailbox").email(SUPPORT).displayName("ACME Support").systemAccount(true)
                    .authentication(Authentication.password(SUPPORT, Secret.of("support-pw")))
                    .smtp(server.host(), server.smtpPort(), Security.NONE)
                    .fetching(FetchSettings.imap(server.host(), server.imapPort(), Security.NONE)).build());

            // The host's handler: a new ticket or a step of an existing one, committed before it returns. Idempotent on
            // the content key: a mail offered again (the process died after this returned) gets the ticket it got before.
            Map<String, String> byContentKey = new LinkedHashMap<>();
            InboundHandler handler = mail -> {
                String known = byContentKey.get(mail.contentKey());
                if (known != null) {
                    return InboundResult.ticket(known);
                }
                Routing routing = mail.routing();
                String ticket = routing.ticket().orElseGet(() -> Integer.toString(1000 + tickets.size() + 1));
                tickets.computeIfAbsent(ticket, t -> new ArrayList<>()).add(mail.subject());
                byContentKey.put(mail.contentKey(), ticket);
                System.out.println("  ticket " + ticket + " <- '" + mail.subject() + "' from " + mail.from().orElse("?") + ": " + routing);
                return InboundResult.ticket(ticket);
            };
            TicketReferences references = TicketReferences.builder("acme.example").key("k1", referenceKey).build();
            Inbound inbound = Inbound.builder(store.inbound(), handler).references(references).outbox(mailroom::enqueue).build();
            FetchOptions options = FetchOptions.builder().action(ServerAction.markRead())
                    .routing(TicketRouting.builder().queue("1st level").createUserFromLocalPart(true)
                            .autoReply(AutoReply.builder("Ihre Anfrage [#{TICKET}]: {BETREFF}",
                                    "Guten Tag,\n\nwir haben Ihre Anfrage \"{BETREFF}\" erhalten (Ticket {TICKET}).\n").build())
                            .build())
                    .build();

            server.deliverTo(SUPPORT, IncomingMail.from("Kunde <kunde@example.org>").subject("Drucker druckt nicht")
                    .text("Hallo, unser Drucker im 2. Stock druckt nicht mehr."));
            // the account with its password, for the connection (mailroom.accounts().resolved(...) is the redacted view, for display)
            ResolvedAccount support = mailroom.accounts().resolvedForConnection(AccountId.of("support"));
            FetchReport first = inbound.fetch(support, options);
            System.out.println("  fetch: imported " + first.imported() + ", acknowledged " + first.acknowledged()
                    + (first.problems().isEmpty() ? "" : ", problems " + first.problems()));

            ReceivedMail autoReply = awaitAutoReply(server);
            System.out.println("  auto-reply from " + autoReply.from() + " to " + autoReply.envelopeRecipients() + ": '"
                    + autoReply.subject() + "' (Auto-Submitted: " + autoReply.header("Auto-Submitted") + ")");
            System.out.println("    Message-ID " + autoReply.header("Message-ID"));

            server.deliverTo(SUPPORT, IncomingMail.from("kunde@example.org").subject("Re: " + autoReply.subject())
                    .text("Er zeigt jetzt Fehler 42.").inReplyTo(autoReply.header("Message-ID")));
            FetchReport second = inbound.fetch(support, options);
            System.out.println("  fetch: imported " + second.imported() + "; tickets now " + tickets);
        }
        return tickets;
    }

    /** Waits (at most 10 s) until an outbox worker delivered the auto-reply. */
    private static ReceivedMail awaitAutoReply(MailServerExtension server) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (true) {
            List<ReceivedMail> received = server.received();
            java.util.Optional<ReceivedMail> reply = received.stream().filter(m -> "auto-replied".equals(m.header("Auto-Submitted"))).findFirst();
            if (reply.isPresent()) {
                return reply.get();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no auto-reply arrived within 10 s");
            }
            server.greenMail().waitForIncomingEmail(200, received.size() + 1); // returns as soon as another mail arrives
        }
    }
}
