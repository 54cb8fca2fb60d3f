package dev.mailroom.core;

import dev.mailroom.testkit.RecordingTransport;
import dev.mailroom.Account;
import dev.mailroom.Authentication;
import dev.mailroom.DeliveryLogEntry;
import dev.mailroom.DeliveryLogQuery;
import dev.mailroom.EmailAddress;
import dev.mailroom.MailContext;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.NotificationEvent;
import dev.mailroom.NotificationPreference;
import dev.mailroom.NotificationResult;
import dev.mailroom.NotificationResult.SkipReason;
import dev.mailroom.NotificationTemplate;
import dev.mailroom.NotificationType;
import dev.mailroom.Person;
import dev.mailroom.Queued;
import dev.mailroom.Secret;
import dev.mailroom.SupportRequest;
import dev.mailroom.SupportSettings;
import dev.mailroom.SystemMailSettings;
import dev.mailroom.TenantMailSettings;
import dev.mailroom.spi.NotificationTemplates;
import dev.mailroom.spi.OutboxRepository;
import dev.mailroom.spi.RecipientDirectory;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class NotificationServiceTest {
    private final InMemoryAccountRepository repo = new InMemoryAccountRepository();
    private final InMemoryOutboxRepository outbox = new InMemoryOutboxRepository();
    private final InMemoryDeliveryLog log = new InMemoryDeliveryLog();
    private final InMemoryNotificationPreferences preferences = new InMemoryNotificationPreferences();
    private final RecordingTransport transport = new RecordingTransport();
    private final Map<String, Person> people = new HashMap<>();
    private final AtomicInteger directoryCalls = new AtomicInteger();
    private final RecipientDirectory directory = new RecipientDirectory() {
        @Override
        public Optional<Person> find(String tenant, String userId) {
            directoryCalls.incrementAndGet();
            return Optional.ofNullable(people.get(userId));
        }

        @Override
        public Map<String, Person> findAll(String tenant, Collection<String> userIds) {
            directoryCalls.incrementAndGet();
            Map<String, Person> out = new HashMap<>();
            userIds.forEach(id -> Optional.ofNullable(people.get(id)).ifPresent(p -> out.put(id, p)));
            return out;
        }
    };

    NotificationServiceTest() {
        repo.save(Account.builder().id("sys").description("System").email("system@acme.test").displayName("Acme Cloud").systemAccount(true)
                .smtpHost("smtp.acme.test").authentication(Authentication.password("system@acme.test", Secret.of("s3cr3t-pw"))).build());
        person("u-anna", "Anna Berg", "anna@acme.test", Locale.GERMANY);
        person("u-bob", "Bob Miller", "bob@acme.test", Locale.US);
        person("u-noaddr", "Carl Ohne", null, null);
    }

    private void person(String id, String name, String address, Locale locale) {
        people.put(id, Person.of(id, name, address == null ? null : EmailAddress.of(address), locale));
    }

    private Mailroom mailroom(int workers) {
        return builder(workers).build();
    }

    private Mailroom.Builder builder(int workers) {
        return Mailroom.builder().accountRepository(repo).deliveryLogRepository(log).outboxRepository(outbox).transport(transport).discoverTransports(false)
                .directory(directory).notificationPreferences(preferences).outboxWorkers(workers).outboxPollInterval(Duration.ofMillis(10))
                .outboxRetry(Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofHours(1), Duration.ofHours(1));
    }

    private static NotificationEvent.Builder task(String... concerned) {
        return NotificationEvent.builder(NotificationType.TASK).actor("u-bob").concerns(concerned).data("title", "Angebot <4711> prüfen");
    }

    private MimeMessage message(Queued q) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(outbox.payload(q.outboxId())));
    }

    private static String text(Part part) throws Exception {
        if (part.isMimeType("text/plain")) {
            return (String) part.getContent();
        }
        if (part.isMimeType("multipart/*")) {
            Multipart mp = (Multipart) part.getContent();
            for (int i = 0; i < mp.getCount(); i++) {
                String t = text(mp.getBodyPart(i));
                if (t != null) {
                    return t;
                }
            }
        }
        return null;
    }

    private List<DeliveryLogEntry> logEntries() {
        return log.query(DeliveryLogQuery.since(Instant.EPOCH));
    }

    @Test
    @DisplayName("E1: an event goes to each concerned user through the system account, as machine-generated mail that threads per object")
    void notify_queuesThroughSystemAccount() throws Exception {
        try (Mailroom m = mailroom(0)) {
            NotificationResult r = m.notifications().notify(task("u-anna").thread("task-4711").build());
            assertThat(r.skipped()).isEmpty();
            assertThat(r.queued()).singleElement().satisfies(n -> {
                assertThat(n.user()).isEqualTo("u-anna");
                assertThat(n.queued().accountId().value()).isEqualTo("sys");
            });
            MimeMessage msg = message(r.queued().get(0).queued());
            assertThat(msg.getHeader("From", null)).contains("system@acme.test");
            assertThat(msg.getHeader("To", null)).contains("Anna Berg").contains("anna@acme.test");
            assertThat(msg.getHeader("Auto-Submitted", null)).isEqualTo("auto-generated");
            assertThat(msg.getHeader("X-Auto-Response-Suppress", null)).isEqualTo("All");
            assertThat(msg.getHeader("X-Mailroom-Notification", null)).isEqualTo("task");
            assertThat(msg.getHeader("References", null)).startsWith("<task.").endsWith("@acme.test>");
            assertThat(msg.getSubject()).isEqualTo("Aufgabe: Angebot <4711> prüfen");
            assertThat(text(msg)).contains("Hallo Anna Berg").contains("Angebot <4711> prüfen");
            assertThat(outbox.find(r.queued().get(0).queued().outboxId()).orElseThrow().operation())
                    .isEqualTo(DeliveryLogEntry.Operation.NOTIFICATION);

            NotificationResult again = m.notifications().notify(task("u-anna").thread("task-4711").build());
            assertThat(message(again.queued().get(0).queued()).getHeader("References", null))
                    .as("the same object threads together").isEqualTo(msg.getHeader("References", null));
        }
    }

    @ParameterizedTest(name = "mail={0}, ownChanges={1}, own change={2} -> {3}")
    @CsvSource({
            "true,  false, false, QUEUED",
            "true,  false, true,  OWN_CHANGE",
            "true,  true,  false, QUEUED",
            "true,  true,  true,  QUEUED",
            "false, false, false, OPTED_OUT",
            "false, false, true,  OPTED_OUT",
            "false, true,  false, OPTED_OUT",
            "false, true,  true,  OPTED_OUT"})
    @DisplayName("E2: every preference combination, for changes by others and by the user themself")
    void preferences_everyCombination(boolean mail, boolean ownChanges, boolean ownChange, String expected) {
        preferences.save(null, "u-anna", NotificationType.TASK, new NotificationPreference(mail, ownChanges));
        try (Mailroom m = mailroom(0)) {
            NotificationResult r = m.notifications().notify(NotificationEvent.builder(NotificationType.TASK)
                    .actor(ownChange ? "u-anna" : "u-bob").concerns("u-anna").data("title", "x").build());
            if (expected.equals("QUEUED")) {
                assertThat(r.queued()).hasSize(1);
                assertThat(r.skipped()).isEmpty();
            } else {
                assertThat(r.queued()).isEmpty();
                assertThat(r.skipped()).singleElement().extracting(NotificationResult.Skipped::reason).isEqualTo(SkipReason.valueOf(expected));
            }
        }
    }

    @Test
    @DisplayName("E2: a user's choice beats the tenant's default, which beats the system-wide default; types are independent")
    void preferences_precedence() {
        preferences.saveTenantDefault(null, NotificationType.APPOINTMENT, NotificationPreference.NONE);
        preferences.saveTenantDefault("acme", NotificationType.APPOINTMENT, NotificationPreference.ALL);
        preferences.save("acme", "u-bob", NotificationType.APPOINTMENT, NotificationPreference.NONE);
        repo.saveTenantSettings("acme", TenantMailSettings.defaults());
        try (Mailroom m = mailroom(0)) {
            NotificationResult acme = m.notifications().notify(NotificationEvent.builder(NotificationType.APPOINTMENT).tenant("acme")
                    .actor("u-anna").concerns("u-anna", "u-bob").data("title", "Jour fixe").build());
            assertThat(acme.queued()).extracting(NotificationResult.Notified::user).containsExactly("u-anna"); // tenant default ALL: own change too
            assertThat(acme.skipped()).extracting(NotificationResult.Skipped::reason).containsExactly(SkipReason.OPTED_OUT);

            NotificationResult other = m.notifications().notify(NotificationEvent.builder(NotificationType.APPOINTMENT).tenant("globex")
                    .concerns("u-anna").data("title", "Jour fixe").build());
            assertThat(other.skipped()).as("the system-wide default applies to a tenant without its own")
                    .extracting(NotificationResult.Skipped::reason).containsExactly(SkipReason.OPTED_OUT);

            NotificationResult task = m.notifications().notify(task("u-anna").tenant("globex").build());
            assertThat(task.queued()).as("another type keeps the built-in default").hasSize(1);
        }
    }

    @Test
    @DisplayName("E2: users without an address or unknown to the directory are skipped, with the reason in the result and the log")
    void skips_areRecorded() {
        try (Mailroom m = mailroom(0)) {
            NotificationResult r = m.notifications().notify(task("u-anna", "u-noaddr", "u-ghost", "u-anna").build());
            assertThat(r.queued()).extracting(NotificationResult.Notified::user).containsExactly("u-anna");
            assertThat(r.skipped()).extracting(NotificationResult.Skipped::user, NotificationResult.Skipped::reason)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("u-noaddr", SkipReason.NO_ADDRESS),
                            org.assertj.core.groups.Tuple.tuple("u-ghost", SkipReason.UNKNOWN_USER));
            assertThat(logEntries()).filteredOn(e -> e.outcome() == DeliveryLogEntry.Outcome.SKIPPED)
                    .extracting(DeliveryLogEntry::detail).anyMatch(d -> d.contains("u-noaddr") && d.contains("no email address"))
                    .anyMatch(d -> d.contains("u-ghost"));
            assertThat(m.deliveryLog().errorsSince(Duration.ofHours(24))).as("a skip is not an error").isEmpty();
        }
    }

    @Test
    @DisplayName("E1: templates fall back from the user's locale to its language, the event's locale, the default, then the root locale")
    void locale_fallback() throws Exception {
        person("u-fr", "Jeanne Roux", "jeanne@acme.test", Locale.FRANCE);
        person("u-none", "Nobody Knows", "none@acme.test", null);
        NotificationType custom = NotificationType.of("invoice.overdue");
        NotificationTemplates templates = NotificationTemplates.builder().standard()
                .add(custom, Locale.ROOT, NotificationTemplate.text("Overdue {number}", "Invoice {number} is overdue."))
                .add(custom, Locale.GERMAN, NotificationTemplate.text("Überfällig: {number}", "Rechnung {number} ist überfällig.")).build();
        try (Mailroom m = builder(0).notificationTemplates(templates).build()) {
            NotificationResult r = m.notifications().notify(task("u-anna", "u-fr", "u-none").build());
            assertThat(message(r.queued().get(0).queued()).getSubject()).as("de-DE → de").startsWith("Aufgabe:");
            assertThat(message(r.queued().get(1).queued()).getSubject()).as("fr → default en").startsWith("To-do:");
            NotificationResult withLocale = m.notifications().notify(task("u-none").locale(Locale.GERMAN).build());
            assertThat(message(withLocale.queued().get(0).queued()).getSubject()).as("event locale for a user without one").startsWith("Aufgabe:");

            NotificationResult overdue = m.notifications().notify(NotificationEvent.builder(custom).concerns("u-anna", "u-bob")
                    .data("number", "R-2026-17").build());
            assertThat(message(overdue.queued().get(0).queued()).getSubject()).isEqualTo("Überfällig: R-2026-17");
            assertThat(message(overdue.queued().get(1).queued()).getSubject()).as("en-US → root").isEqualTo("Overdue R-2026-17");

            NotificationResult unknown = m.notifications().notify(NotificationEvent.builder(NotificationType.of("no.template")).concerns("u-anna").build());
            assertThat(unknown.skipped()).singleElement().satisfies(s -> {
                assertThat(s.reason()).isEqualTo(SkipReason.NO_TEMPLATE);
                assertThat(s.detail()).contains("no.template").contains("NotificationTemplates");
            });
        }
    }

    @Test
    @DisplayName("E1: a variable without a value is reported, never printed raw; values are HTML-escaped in HTML")
    void template_variables() throws Exception {
        NotificationType type = NotificationType.of("report");
        NotificationTemplates templates = NotificationTemplates.builder().add(type, Locale.ROOT, new NotificationTemplate(
                "{title} for {recipient_name}", "By {actor_name}: {title} due {due}", "<p>{title} by {actor_name}</p>")).build();
        try (Mailroom m = builder(0).notificationTemplates(templates).build()) {
            NotificationResult r = m.notifications().notify(NotificationEvent.builder(type).actor("u-bob").concerns("u-anna")
                    .data("title", "<b>Q3</b> & more").build());
            assertThat(r.warnings()).singleElement().asString().contains("{due}");
            String raw = new String(outbox.payload(r.queued().get(0).queued().outboxId()), StandardCharsets.UTF_8);
            assertThat(raw).doesNotContain("{due}").doesNotContain("{actor_name}");
            MimeMessage msg = message(r.queued().get(0).queued());
            assertThat(msg.getSubject()).isEqualTo("<b>Q3</b> & more for Anna Berg");
            assertThat(text(msg)).isEqualTo("By Bob Miller: <b>Q3</b> & more due ");
            assertThat(raw).contains("&lt;b&gt;Q3&lt;/b&gt; &amp; more by Bob Miller");
        }
    }

    @Test
    @DisplayName("A2/A4 for notifications: a tenant with its own system account uses it; one without falls back to the system account")
    void tenant_fallbackToSystemAccount() {
        repo.save(Account.builder().id("acme-sys").description("Acme").email("noreply@acme-own.test").tenant("acme").systemAccount(true)
                .smtpHost("smtp.acme-own.test").authentication(Authentication.none()).build());
        try (Mailroom m = mailroom(0)) {
            assertThat(m.notifications().notify(task("u-anna").tenant("acme").build()).queued().get(0).queued().accountId().value())
                    .isEqualTo("acme-sys");
            assertThat(m.notifications().notify(task("u-anna").tenant("globex").build()).queued().get(0).queued().accountId().value())
                    .isEqualTo("sys");
            repo.saveTenantSettings("acme", new TenantMailSettings(true, false));
            assertThat(m.notifications().notify(task("u-anna").tenant("acme").build()).queued().get(0).queued().accountId().value())
                    .as("own server not allowed").isEqualTo("sys");
        }
    }

    @Test
    @DisplayName("A4/E3: with the system mail server disabled nothing is enqueued, and the reason is clear in the result and the error log")
    void mailDisabled_nothingEnqueued() {
        repo.saveSystemSettings(new SystemMailSettings(false));
        try (Mailroom m = mailroom(0)) {
            NotificationResult r = m.notifications().notify(task("u-anna", "u-bob").build());
            assertThat(r.queued()).isEmpty();
            assertThat(r.skipped()).hasSize(2).allSatisfy(s -> {
                assertThat(s.reason()).isEqualTo(SkipReason.MAIL_UNAVAILABLE);
                assertThat(s.detail()).contains("disabled");
            });
            assertThat(outbox.claim("probe", 10, Duration.ofMinutes(1))).isEmpty();
            assertThat(m.deliveryLog().errorsSince(Duration.ofHours(24))).singleElement().satisfies(e -> {
                assertThat(e.operation()).isEqualTo(DeliveryLogEntry.Operation.NOTIFICATION);
                assertThat(e.errorCode()).isEqualTo(MailErrorCode.MAIL_DISABLED);
                assertThat(e.detail()).contains("2 user(s) not sent");
            });
        }
    }

    @Test
    @DisplayName("E1: reporting an event again with its idempotency key enqueues nothing new")
    void idempotencyKey_perRecipient() {
        try (Mailroom m = mailroom(0)) {
            NotificationResult first = m.notifications().notify(task("u-anna", "u-bob").actor(null).idempotencyKey("task-4711-v3").build());
            NotificationResult again = m.notifications().notify(task("u-anna", "u-bob").actor(null).idempotencyKey("task-4711-v3").build());
            assertThat(first.queued()).extracting(n -> n.queued().existing()).containsExactly(false, false);
            assertThat(again.queued()).extracting(n -> n.queued().existing()).containsExactly(true, true);
            assertThat(again.queued()).extracting(n -> n.queued().outboxId())
                    .containsExactlyElementsOf(first.queued().stream().map(n -> n.queued().outboxId()).toList());
        }
    }

    @Test
    @DisplayName("E1: fan-out to 10,000 users: one directory and one preference lookup, batched outbox inserts")
    void fanOut_isBatched() {
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            person("u" + i, "User " + i, "user" + i + "@acme.test", Locale.GERMAN);
            users.add("u" + i);
        }
        AtomicInteger inserts = new AtomicInteger();
        AtomicInteger batches = new AtomicInteger();
        OutboxRepository counting = new CountingOutbox(outbox, inserts, batches);
        AtomicInteger preferenceLookups = new AtomicInteger();
        InMemoryNotificationPreferences prefs = new InMemoryNotificationPreferences();
        try (Mailroom m = Mailroom.builder().accountRepository(repo).deliveryLogRepository(log).outboxRepository(counting).transport(transport).discoverTransports(false)
                .directory(directory).notificationPreferences(new CountingPreferences(prefs, preferenceLookups)).outboxWorkers(0).build()) {
            directoryCalls.set(0);
            NotificationResult r = m.notifications().notify(NotificationEvent.builder(NotificationType.APPROVAL).concerns(users)
                    .data("title", "Urlaubsantrag").build());
            assertThat(r.queued()).hasSize(10_000);
            assertThat(r.queued().stream().map(n -> n.queued().messageId()).distinct()).hasSize(10_000);
            assertThat(inserts.get()).as("single inserts").isZero();
            assertThat(batches.get()).as("batched inserts of 500").isEqualTo(20);
            assertThat(directoryCalls.get()).isEqualTo(1);
            assertThat(preferenceLookups.get()).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("E3: a notification the server refuses is in the error log as NOTIFICATION, naming the account and the server's reply")
    void deliveryFailure_inErrorLog() {
        transport.failFor("system@acme.test", new MailException(MailErrorCode.RECIPIENT_REJECTED, "recipient refused",
                "550 5.1.1 <anna@acme.test>: Recipient address rejected: User unknown", null, List.of(), null));
        try (Mailroom m = mailroom(1)) {
            m.notifications().notify(task("u-anna").build());
            await(() -> !m.deliveryLog().errorsSince(Duration.ofHours(1)).isEmpty(), "the failed attempt");
            assertThat(m.deliveryLog().errorsSince(Duration.ofHours(1))).singleElement().satisfies(e -> {
                assertThat(e.operation()).isEqualTo(DeliveryLogEntry.Operation.NOTIFICATION);
                assertThat(e.accountAddress()).isEqualTo("system@acme.test");
                assertThat(e.serverReply()).isEqualTo("550 5.1.1 <anna@acme.test>: Recipient address rejected: User unknown");
            });
        }
    }

    @Test
    @DisplayName("E4: a support request goes to the system-wide support address, with the requester as Reply-To and system information without secrets")
    void supportRequest_systemAddress() throws Exception {
        repo.saveSystemSettings(SystemMailSettings.defaults().withSupport(new SupportSettings(EmailAddress.of("support@vendor.test"), false, true)));
        repo.saveTenantSettings("acme", TenantMailSettings.defaults().withSupportAddress(EmailAddress.of("it@acme.test")));
        try (Mailroom m = builder(0).systemInfo(Map.of("Product", "Acme ERP 7.2")).build()) {
            Queued q = m.notifications().supportRequest(MailContext.tenant("acme").withUser("u-anna"),
                    SupportRequest.of("Mails kommen nicht an", "Seit heute früh …"));
            MimeMessage msg = message(q);
            assertThat(msg.getHeader("To", null)).as("tenant addresses are not allowed").isEqualTo("support@vendor.test");
            assertThat(msg.getHeader("Reply-To", null)).contains("anna@acme.test");
            String raw = new String(outbox.payload(q.outboxId()), StandardCharsets.UTF_8);
            assertThat(raw).contains("system-info.txt");
            String info = attachment(msg, "system-info.txt");
            assertThat(info).contains("Product: Acme ERP 7.2").contains("Java: " + System.getProperty("java.version"))
                    .contains("Tenant: acme").contains("SMTP: smtp.acme.test").contains("as system@acme.test")
                    .doesNotContain("s3cr3t-pw");
            assertThat(raw).doesNotContain("s3cr3t-pw");
            assertThat(outbox.find(q.outboxId()).orElseThrow().operation()).isEqualTo(DeliveryLogEntry.Operation.SUPPORT_REQUEST);
        }
    }

    @Test
    @DisplayName("E4: a tenant's own support address is used when allowed; without any address the request fails clearly, nothing stored")
    void supportRequest_tenantAddressAndMissing() throws Exception {
        repo.saveSystemSettings(SystemMailSettings.defaults().withSupport(new SupportSettings(EmailAddress.of("support@vendor.test"), true, false)));
        repo.saveTenantSettings("acme", TenantMailSettings.defaults().withSupportAddress(EmailAddress.of("it@acme.test")));
        try (Mailroom m = mailroom(0)) {
            Queued q = m.notifications().supportRequest(MailContext.tenant("acme"), SupportRequest.of("Frage", "Text"));
            assertThat(message(q).getHeader("To", null)).isEqualTo("it@acme.test");
            assertThat(new String(outbox.payload(q.outboxId()), StandardCharsets.UTF_8)).doesNotContain("system-info.txt");
            assertThat(message(m.notifications().supportRequest(MailContext.tenant("globex"), SupportRequest.of("Frage", "Text")))
                    .getHeader("To", null)).as("a tenant without its own").isEqualTo("support@vendor.test");

            repo.saveSystemSettings(SystemMailSettings.defaults());
            assertThatThrownBy(() -> m.notifications().supportRequest(MailContext.tenant("globex"), SupportRequest.of("Frage", "Text")))
                    .isInstanceOfSatisfying(MailException.class, e -> assertThat(e.code()).isEqualTo(MailErrorCode.SUPPORT_ADDRESS_MISSING));
        }
    }

    private static String attachment(Part part, String name) throws Exception {
        if (name.equals(part.getFileName())) {
            return new String(part.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
        if (part.isMimeType("multipart/*")) {
            Multipart mp = (Multipart) part.getContent();
            for (int i = 0; i < mp.getCount(); i++) {
                String t = attachment(mp.getBodyPart(i), name);
                if (t != null) {
                    return t;
                }
            }
        }
        return null;
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("timed out waiting for " + what).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }
}
