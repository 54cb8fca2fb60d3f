package dev.mailroom.examples.quickstart;

import dev.mailroom.Account;
import dev.mailroom.AccountField;
import dev.mailroom.Attachment;
import dev.mailroom.Authentication;
import dev.mailroom.DeliveryLogEntry;
import dev.mailroom.DeliveryLogQuery;
import dev.mailroom.Diagnosis;
import dev.mailroom.Email;
import dev.mailroom.EmailAddress;
import dev.mailroom.MailContext;
import dev.mailroom.MailException;
import dev.mailroom.NotificationEvent;
import dev.mailroom.NotificationPreference;
import dev.mailroom.NotificationResult;
import dev.mailroom.NotificationType;
import dev.mailroom.Person;
import dev.mailroom.Queued;
import dev.mailroom.Receipt;
import dev.mailroom.Resolution;
import dev.mailroom.Secret;
import dev.mailroom.Security;
import dev.mailroom.core.AesGcmSecretCipher;
import dev.mailroom.core.Mailroom;
import dev.mailroom.jdbc.JdbcStore;
import dev.mailroom.testkit.MailServerExtension;
import dev.mailroom.testkit.ReceivedMail;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;

/**
 * Mailroom end to end on embedded defaults: an in-process mail server, an embedded H2 database, no
 * configuration. Run with README line 1.
 */
public final class Quickstart {
    private Quickstart() {
    }

    public static void main(String[] args) {
        try (MailServerExtension server = MailServerExtension.builder()
                .user("noreply@company.example", "system-pw")
                .user("mail@acme.example", "acme-pw").build().start()) {
            run(server);
            GoogleQuickstart.run(server);
            MicrosoftQuickstart.run();
            InboundQuickstart.run(server);
        }
        System.out.println();
        System.out.println("Quickstart finished.");
    }

    private static void run(MailServerExtension server) {
        section("1. Accounts (A1-A3) in an embedded H2 database, secrets sealed with AES-GCM");
        org.h2.jdbcx.JdbcDataSource h2 = new org.h2.jdbcx.JdbcDataSource();
        h2.setURL("jdbc:h2:mem:quickstart;DB_CLOSE_DELAY=-1");
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key); // a real host keeps its key in a vault or the environment
        try (JdbcStore store = JdbcStore.builder(h2).cipher(AesGcmSecretCipher.builder().key("quickstart", key).build()).build();
             Mailroom mailroom = Mailroom.builder().store(store).directory(Quickstart::person)
                     .defaultSecurity(Security.NONE).build()) {
            // Company-wide server settings live on the defaults account; other accounts leave them blank.
            mailroom.accounts().create(Account.builder().id("defaults").description("Company server").email("it@company.example")
                    .defaultsAccount(true).smtp(server.host(), server.smtpPort(), Security.DEFAULT).build());
            mailroom.accounts().create(Account.builder().id("system").description("System notifications")
                    .email("noreply@company.example").displayName("Company").systemAccount(true)
                    .authentication(Authentication.password("noreply@company.example", Secret.of("system-pw"))).build());
            mailroom.accounts().create(Account.builder().id("acme").description("ACME mail").email("mail@acme.example")
                    .displayName("ACME GmbH").tenant("acme").systemAccount(true)
                    .authentication(Authentication.password("mail@acme.example", Secret.of("acme-pw"))).build());
            for (Account a : mailroom.accounts().list()) {
                System.out.println("  " + a); // secrets print as ****: they are write-only
            }

            section("2. Which account sends? (dry run, A2-A4, with provenance per field)");
            Email invoice = Email.builder().to("kunde@example.org").subject("Rechnung 4711").text("Guten Tag,\nanbei Ihre Rechnung.\n")
                    .attach(Attachment.of("Rechnung-4711.pdf", "application/pdf", "%PDF-1.4 demo".getBytes(StandardCharsets.US_ASCII)))
                    .build();
            printResolution("tenant acme (has its own server)", mailroom.resolve(MailContext.tenant("acme"), invoice));
            printResolution("tenant globex (falls back)", mailroom.resolve(MailContext.tenant("globex"), invoice));

            section("3. Connection test of the system account (C1, C5)");
            Diagnosis diagnosis = mailroom.diagnose(mailroom.accounts().get(dev.mailroom.AccountId.of("system")).orElseThrow());
            System.out.print(indent(diagnosis.report()));

            section("4. Test mail from an unsaved draft (C2): nothing is stored");
            Account draft = Account.builder().description("Draft: support desk").email("mail@acme.example").tenant("acme")
                    .smtp(server.host(), server.smtpPort(), Security.NONE)
                    .authentication(Authentication.password("mail@acme.example", Secret.of("acme-pw"))).build();
            Receipt test = mailroom.sendTestMail(draft, "admin@acme.example");
            System.out.println("  sent " + test.messageId() + " -> server: " + test.serverReply());
            System.out.println("  accounts stored: " + mailroom.accounts().list().size() + " (the draft is not among them)");

            section("5. A real mail for tenant acme, with attachment (B7)");
            Receipt receipt = mailroom.send(MailContext.tenant("acme").withUser("u-42"), invoice);
            System.out.println("  " + receipt.messageId() + " via " + receipt.transport() + " account " + receipt.accountAddress()
                    + " in " + receipt.sendTime().toMillis() + " ms -> " + receipt.serverReply());

            section("6. A mail that cannot be sent: From an address no account owns (A6)");
            try {
                mailroom.send(MailContext.tenant("acme"), invoice.toBuilder().from("ceo@other.example").build());
            } catch (MailException e) {
                System.out.println("  " + e.code() + ": " + e.getMessage());
                System.out.println("  hint: " + e.hint());
            }

            section("7. The same invoice through the durable outbox (stored first, then delivered by a worker)");
            Queued queued = mailroom.enqueue(MailContext.tenant("acme"), invoice, "invoice-4711");
            Queued again = mailroom.enqueue(MailContext.tenant("acme"), invoice, "invoice-4711");
            System.out.println("  stored as outbox entry " + queued.outboxId() + " with " + queued.messageId()
                    + "; enqueued again with the same key: existing=" + again.existing());
            server.awaitReceived(3);
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (store.outbox().find(queued.outboxId()).orElseThrow().status() != dev.mailroom.spi.OutboxRepository.Status.SENT
                    && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // the worker marks the entry right after the server's 250
            }
            System.out.println("  delivered by a worker: " + store.outbox().find(queued.outboxId()).orElseThrow().status());

            section("8. A notification (E1, E2): a to-do for three users of tenant acme, created by one of them");
            store.preferences().save("acme", "u-43", NotificationType.TASK, NotificationPreference.DEFAULT); // no mail for own changes
            NotificationResult notified = mailroom.notifications().notify(NotificationEvent.builder(NotificationType.TASK)
                    .tenant("acme").actor("u-43").concerns("u-42", "u-43", "u-44")
                    .data("title", "Angebot 4711 prüfen").thread("task-4711").build());
            notified.queued().forEach(n -> System.out.println("  queued for " + n.user() + " <" + n.address().address() + ">"
                    + " through account " + n.queued().accountId()));
            notified.skipped().forEach(k -> System.out.println("  skipped " + k.user() + ": " + k.reason() + " (" + k.detail() + ")"));

            section("9. What the server received");
            List<ReceivedMail> received = server.awaitReceived(4);
            for (ReceivedMail m : received) {
                System.out.println("  from " + m.from() + " to " + m.envelopeRecipients() + ": '" + m.subject() + "'"
                        + (m.attachmentNames().isEmpty() ? "" : " attachments " + m.attachmentNames())
                        + (m.header("Auto-Submitted") == null ? "" : " (Auto-Submitted: " + m.header("Auto-Submitted") + ")"));
            }

            long logged = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (mailroom.deliveryLog().query(DeliveryLogQuery.since(Instant.EPOCH)).stream().noneMatch(e -> e.operation()
                    == DeliveryLogEntry.Operation.NOTIFICATION && e.outcome() == DeliveryLogEntry.Outcome.SUCCESS) && System.nanoTime() < logged) {
                Thread.onSpinWait(); // a worker logs its batch's successes right after the server's 250
            }

            section("10. Delivery log (C3), newest first");
            for (DeliveryLogEntry e : mailroom.deliveryLog().query(DeliveryLogQuery.since(Instant.EPOCH))) {
                System.out.printf("  %s %-15s %-7s %-26s %s%n", e.time(), e.operation(), e.outcome(),
                        e.accountAddress() == null ? "-" : e.accountAddress(), e.reply().orElse(e.detail()));
            }
            System.out.println("  errors of the last 24 hours: " + mailroom.deliveryLog().errorsSince(java.time.Duration.ofHours(24)).size());
        }
    }

    /** The host's user directory (RecipientDirectory): here three users of tenant acme. */
    private static java.util.Optional<Person> person(String tenant, String user) {
        return java.util.Optional.ofNullable(switch (user) {
            case "u-42" -> Person.of(user, "Anna Berg", EmailAddress.of("anna@acme.example"), java.util.Locale.GERMAN);
            case "u-43" -> Person.of(user, "Bob Miller", EmailAddress.of("bob@acme.example"), java.util.Locale.ENGLISH);
            case "u-44" -> Person.of(user, "Carl Ohne", null, null); // no address: skipped with a reason
            default -> null;
        });
    }

    private static void printResolution(String label, Resolution r) {
        System.out.println("  " + label + ": account '" + r.account().account().description() + "', sender " + r.sender()
                + ", transport " + r.transport());
        System.out.println("    rule: " + r.rule());
        for (AccountField f : List.of(AccountField.SMTP_HOST, AccountField.SMTP_PORT, AccountField.SMTP_SECURITY, AccountField.AUTHENTICATION)) {
            String value = switch (f) {
                case SMTP_HOST -> r.account().smtpHost().orElse("-");
                case SMTP_PORT -> Integer.toString(r.account().smtpPort());
                case SMTP_SECURITY -> r.account().smtpSecurity().toString();
                default -> r.account().authentication().map(Object::toString).orElse("-");
            };
            System.out.printf("    %-15s %-32s from %s%n", f.property(), value, r.account().origin(f));
        }
    }

    static void section(String title) {
        System.out.println();
        System.out.println("== " + title);
    }

    private static String indent(String s) {
        return s.lines().map(l -> "  " + l).reduce("", (a, b) -> a + b + "\n");
    }
}
