package dev.mailroom.core;

import dev.mailroom.Attachment;
import dev.mailroom.DeliveryLogEntry;
import dev.mailroom.Email;
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
import dev.mailroom.ResolvedAccount;
import dev.mailroom.SupportRequest;
import dev.mailroom.SupportSettings;
import dev.mailroom.SystemMailSettings;
import dev.mailroom.TenantMailSettings;
import dev.mailroom.core.internal.DeliveryRecords;
import dev.mailroom.core.internal.Enqueuing;
import dev.mailroom.core.internal.Placeholders;
import dev.mailroom.spi.AccountRepository;
import dev.mailroom.spi.NotificationPreferences;
import dev.mailroom.spi.NotificationService;
import dev.mailroom.spi.NotificationTemplates;
import dev.mailroom.spi.RecipientDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The default {@link NotificationService}: directory → preferences → template → outbox through the tenant's
 * resolved system account. One resolution, one directory lookup, one preference lookup and batched
 * outbox inserts per event, however many recipients. Thread-safe; obtained from {@link Mailroom#notifications()}.
 * It works on the engine ({@link Enqueuing}, the repository and the delivery log), never on the facade.
 */
final class DefaultNotificationService implements NotificationService {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultNotificationService.class);
    private static final Map<String, String> NO_ALIASES = Map.of();

    private final Enqueuing enqueuing;
    private final AccountRepository repository;
    private final DeliveryRecords records;
    private final RecipientDirectory directory;
    private final NotificationPreferences preferences;
    private final NotificationTemplates templates;
    private final Locale defaultLocale;
    private final Map<String, String> systemInfo;

    DefaultNotificationService(Enqueuing enqueuing, AccountRepository repository, DeliveryRecords records, RecipientDirectory directory, NotificationPreferences preferences,
                               NotificationTemplates templates, Locale defaultLocale, Map<String, String> systemInfo) {
        this.enqueuing = enqueuing;
        this.repository = repository;
        this.records = records;
        this.directory = directory;
        this.preferences = preferences;
        this.templates = templates;
        this.defaultLocale = defaultLocale;
        this.systemInfo = systemInfo; // unmodifiable, in the host's order
    }

    @Override
    public NotificationResult notify(NotificationEvent event) {
        Objects.requireNonNull(event, "event");
        String tenant = event.tenant().orElse(null);
        NotificationType type = event.type();
        MailContext context = (tenant == null ? MailContext.system() : MailContext.tenant(tenant)).systemMail();
        List<NotificationResult.Skipped> skipped = new ArrayList<>();
        ResolvedAccount account;
        try {
            account = enqueuing.resolveForSystemMail(context);
        } catch (MailException e) {
            // Mail is off, no system account, or the tenant may not send: nothing is enqueued, one clear entry in the log
            for (String user : event.concerned()) {
                skipped.add(new NotificationResult.Skipped(user, SkipReason.MAIL_UNAVAILABLE, e.getMessage()));
            }
            records.record(new DeliveryLogEntry(records.clock().instant(), null, null, tenant, DeliveryLogEntry.Operation.NOTIFICATION,
                    DeliveryLogEntry.Outcome.FAILURE, e.code(), null, null, null,
                    type + " notification for " + event.concerned().size() + " user(s) not sent: " + e.getMessage()));
            return new NotificationResult(type, List.of(), skipped, List.of());
        }

        Map<String, Person> people = directory.findAll(tenant, event.concerned());
        Map<String, NotificationPreference> chosen = preferences.findAll(tenant, event.concerned(), type);
        NotificationPreference fallback = preferences.tenantDefault(tenant, type)
                .or(() -> tenant == null ? Optional.empty() : preferences.tenantDefault(null, type))
                .orElse(NotificationPreference.DEFAULT);
        String actor = event.actor().orElse(null);
        String actorName = actor == null ? null : people.containsKey(actor) ? people.get(actor).name()
                : directory.find(tenant, actor).map(Person::name).orElse(actor);

        LinkedHashSet<String> warnings = new LinkedHashSet<>();
        Map<Locale, Optional<NotificationTemplate>> templateCache = new HashMap<>();
        List<Email> emails = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        List<Person> recipients = new ArrayList<>();
        String domain = account.account().email().withAsciiDomain().domain(); // the same IDNA as every envelope
        String threadId = event.thread().map(t -> threadId(type, tenant, t, domain)).orElse(null);
        for (String user : event.concerned()) {
            Person person = people.get(user);
            boolean own = user.equals(actor);
            NotificationPreference preference = chosen.getOrDefault(user, fallback);
            if (person == null) {
                skipped.add(new NotificationResult.Skipped(user, SkipReason.UNKNOWN_USER, "user " + user + " is not in the directory"));
            } else if (person.address().isEmpty()) {
                skipped.add(new NotificationResult.Skipped(user, SkipReason.NO_ADDRESS, "user " + user + " has no email address"));
            } else if (!preference.mail()) {
                skipped.add(new NotificationResult.Skipped(user, SkipReason.OPTED_OUT, "user " + user + " gets no mail for " + type));
            } else if (!preference.wants(own)) {
                skipped.add(new NotificationResult.Skipped(user, SkipReason.OWN_CHANGE,
                        "user " + user + " made this change and gets no mail for own changes of " + type));
            } else {
                Locale locale = person.preferredLocale().or(event::locale).orElse(defaultLocale);
                Optional<NotificationTemplate> template = templateCache.computeIfAbsent(locale, l -> template(type, l));
                if (template.isEmpty()) {
                    skipped.add(new NotificationResult.Skipped(user, SkipReason.NO_TEMPLATE, "no template for " + type + " in " + locale.toLanguageTag()
                            + " or the default " + defaultLocale.toLanguageTag() + ": add one to the NotificationTemplates"));
                    continue;
                }
                emails.add(email(event, person, actorName, template.get(), threadId, warnings));
                keys.add(event.idempotencyKey().map(k -> key(k, user)).orElse(null));
                recipients.add(person);
            }
        }

        List<NotificationResult.Notified> queued = new ArrayList<>();
        if (!emails.isEmpty()) {
            List<Enqueuing.Enqueued> outcomes;
            try {
                outcomes = enqueuing.enqueueAll(context, emails, keys, DeliveryLogEntry.Operation.NOTIFICATION);
            } catch (MailException e) {
                if (e.code().category() == MailErrorCode.Category.INTERNAL) {
                    throw e; // the outbox failed (its database): batches stored before stay queued; the host retries the event
                }
                // the settings changed between the check above and now
                for (Person p : recipients) {
                    skipped.add(new NotificationResult.Skipped(p.id(), SkipReason.MAIL_UNAVAILABLE, e.getMessage()));
                }
                outcomes = List.of();
            }
            for (int i = 0; i < outcomes.size(); i++) {
                Enqueuing.Enqueued o = outcomes.get(i);
                Person p = recipients.get(i);
                if (o.queued() != null) {
                    queued.add(new NotificationResult.Notified(p.id(), p.email(), o.queued()));
                } else {
                    skipped.add(new NotificationResult.Skipped(p.id(), SkipReason.NOT_COMPOSED, o.error().getMessage()));
                }
            }
        }
        for (NotificationResult.Skipped s : skipped) {
            if (s.reason() != SkipReason.MAIL_UNAVAILABLE && s.reason() != SkipReason.NOT_COMPOSED) { // those are logged as failures already
                records.record(new DeliveryLogEntry(records.clock().instant(), account.id(), account.account().email().address(), tenant,
                        DeliveryLogEntry.Operation.NOTIFICATION, DeliveryLogEntry.Outcome.SKIPPED, null, null, null, null,
                        type + ": " + s.reason() + ": " + s.detail()));
            }
        }
        if (!warnings.isEmpty()) {
            LOG.warn("{} notification: {}", type, warnings);
        }
        return new NotificationResult(type, queued, skipped, List.copyOf(warnings));
    }

    /** Recipient's locale, its language, the default locale, its language, then the root locale. */
    private Optional<NotificationTemplate> template(NotificationType type, Locale locale) {
        LinkedHashSet<Locale> chain = new LinkedHashSet<>();
        chain.add(locale);
        chain.add(Locale.forLanguageTag(locale.getLanguage()));
        chain.add(defaultLocale);
        chain.add(Locale.forLanguageTag(defaultLocale.getLanguage()));
        chain.add(Locale.ROOT);
        for (Locale l : chain) {
            Optional<NotificationTemplate> t = templates.find(type, l);
            if (t.isPresent()) {
                return t;
            }
        }
        return Optional.empty();
    }

    private Email email(NotificationEvent event, Person person, String actorName, NotificationTemplate template, String threadId,
                        LinkedHashSet<String> warnings) {
        Map<String, String> values = new LinkedHashMap<>();
        event.data().forEach((k, v) -> values.put(k.toUpperCase(Locale.ROOT), v));
        values.put("RECIPIENT_NAME", person.name() != null ? person.name() : person.id());
        values.put("RECIPIENT_EMAIL", person.email().address());
        values.put("ACTOR_NAME", actorName);
        values.put("TENANT", event.tenant().orElse(null));
        values.put("TYPE", event.type().name());
        List<String> problems = new ArrayList<>();
        String subject = Placeholders.substitute(template.subject(), values, NO_ALIASES, false, "template", problems);
        String text = Placeholders.substitute(template.text(), values, NO_ALIASES, false, "template", problems);
        String html = template.htmlBody().map(h -> Placeholders.substitute(h, values, NO_ALIASES, true, "template", problems)).orElse(null);
        problems.forEach(p -> warnings.add(event.type() + ": " + p));
        Email.Builder b = Email.builder().to(EmailAddress.of(person.email().address(), person.name()))
                .subject(subject.replace('\r', ' ').replace('\n', ' '))
                .text(text).noSignature()
                .header("Auto-Submitted", "auto-generated")        // RFC 3834: auto-responders must not answer
                .header("X-Auto-Response-Suppress", "All")         // Exchange/Outlook: no out-of-office replies
                .header("X-Mailroom-Notification", event.type().name());
        if (html != null) {
            b.html(html);
        }
        if (threadId != null) {
            b.header("References", threadId); // mails about one host object thread together
        }
        return b.build();
    }

    /** A stable msg-id per host object: {@code <type.base64url(thread).base64url(tenant)@domain>}. */
    static String threadId(NotificationType type, String tenant, String thread, String domain) {
        Base64.Encoder enc = Base64.getUrlEncoder().withoutPadding();
        String t = enc.encodeToString(thread.getBytes(StandardCharsets.UTF_8));
        String tn = tenant == null ? "system" : enc.encodeToString(tenant.getBytes(StandardCharsets.UTF_8));
        return "<" + type.name().replaceAll("[^A-Za-z0-9-]", "-") + "." + t + "." + tn + "@" + domain + ">";
    }

    /** The per-recipient idempotency key: the event's key and the user, hashed when it would be too long. */
    static String key(String eventKey, String user) {
        String k = eventKey + "/" + user;
        if (k.length() <= 200) {
            return k;
        }
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(user.getBytes(StandardCharsets.UTF_8));
            return eventKey + "/#" + Base64.getUrlEncoder().withoutPadding().encodeToString(h);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Queued supportRequest(MailContext context, SupportRequest request) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(request, "request");
        AccountRepository repo = repository;
        SystemMailSettings system = repo.systemSettings();
        SupportSettings support = system.support();
        String tenant = context.tenant().orElse(null);
        TenantMailSettings tenantSettings = tenant == null ? null : repo.tenantSettings(tenant);
        EmailAddress to = Optional.ofNullable(tenantSettings).filter(t -> support.tenantAddressAllowed())
                .flatMap(TenantMailSettings::ownSupportAddress)
                .or(support::supportAddress)
                .orElseThrow(() -> new MailException(MailErrorCode.SUPPORT_ADDRESS_MISSING,
                        "no support address is configured" + (tenant == null ? "" : " for tenant " + tenant) + "; nothing was sent"));
        Optional<Person> requester = context.user().flatMap(u -> directory.find(tenant, u));
        StringBuilder text = new StringBuilder(request.text());
        text.append("\n\n-- \nRequested by ").append(requester.map(p -> p.name() + requester.flatMap(Person::address)
                .map(a -> " <" + a.address() + ">").orElse("")).orElse(context.user().orElse("an anonymous user")));
        context.user().ifPresent(u -> text.append(", user ").append(u));
        if (tenant != null) {
            text.append(", tenant ").append(tenant);
        }
        text.append('\n');
        Email.Builder b = Email.builder().to(to).subject(request.subject()).text(text.toString()).noSignature();
        requester.flatMap(Person::address).ifPresent(a -> b.replyTo(a.address()));
        request.attachments().forEach(b::attach);
        if (support.attachSystemInfo()) {
            b.attach(Attachment.of("system-info.txt", "text/plain; charset=UTF-8", systemInfo(context, system, tenantSettings)
                    .getBytes(StandardCharsets.UTF_8)));
        }
        Enqueuing.Enqueued outcome = enqueuing.enqueueAll(context.systemMail(), List.of(b.build()), java.util.Collections.singletonList(null),
                DeliveryLogEntry.Operation.SUPPORT_REQUEST).get(0);
        if (outcome.error() != null) {
            throw outcome.error();
        }
        return outcome.queued();
    }

    /** Product, versions and the tenant's effective mail settings, never a secret. */
    private String systemInfo(MailContext context, SystemMailSettings system, TenantMailSettings tenant) {
        StringBuilder s = new StringBuilder();
        systemInfo.forEach((k, v) -> s.append(k).append(": ").append(v).append('\n'));
        String mailroomVersion = Optional.ofNullable(DefaultNotificationService.class.getPackage().getImplementationVersion()).orElse("development build");
        s.append("Mailroom: ").append(mailroomVersion).append('\n');
        s.append("Java: ").append(System.getProperty("java.version")).append(" (").append(System.getProperty("java.vendor")).append(")\n");
        s.append("OS: ").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"))
                .append(" (").append(System.getProperty("os.arch")).append(")\n");
        s.append("Time: ").append(records.clock().instant()).append('\n');
        s.append("Tenant: ").append(context.tenant().orElse("(system)")).append('\n');
        s.append("\nMail settings (secrets omitted)\n");
        s.append("System mail enabled: ").append(system.mailEnabled()).append('\n');
        s.append("Sender policy: ").append(tenant != null ? tenant.ownSenderPolicy().orElse(system.senderPolicy()) : system.senderPolicy()).append('\n');
        if (tenant != null) {
            s.append("Tenant may use the system server: ").append(tenant.systemServerAllowed()).append('\n');
            s.append("Tenant may use its own server: ").append(tenant.ownServerAllowed()).append('\n');
        }
        try {
            ResolvedAccount a = enqueuing.resolveForSystemMail(context.systemMail());
            s.append("System account: ").append(a.account().description()).append(" <").append(a.account().email().address()).append(">")
                    .append(" (id ").append(a.id()).append(")\n");
            s.append("Transport: ").append(a.transport().orElse("smtp")).append('\n');
            s.append("SMTP: ").append(a.smtpHost().orElse("-")).append(':').append(a.smtpPort()).append(' ').append(a.smtpSecurity()).append('\n');
            s.append("IMAP: ").append(a.imapHost().orElse("-")).append(':').append(a.imapPort()).append(' ').append(a.imapSecurity()).append('\n');
            s.append("Authentication: ").append(a.authentication().map(x -> x.getClass().getSimpleName()
                    + x.username().map(u -> " as " + u).orElse("")).orElse("none")).append('\n');
        } catch (MailException e) {
            s.append("System account: not usable: ").append(e.code()).append(": ").append(e.getMessage()).append('\n');
        }
        return s.toString();
    }
}
