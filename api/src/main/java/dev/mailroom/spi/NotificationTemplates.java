package dev.mailroom.spi;

import dev.mailroom.NotificationTemplate;
import dev.mailroom.NotificationType;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The templates of notification mail, per type and locale. {@link #find} is an exact lookup; the
 * notification service falls back from the recipient's locale (language and country) to the language, to
 * the service's default locale, to its language, to {@link Locale#ROOT}. Build one with {@link #builder()};
 * a host that keeps templates in its database implements this interface. Thread-safe.
 */
@FunctionalInterface
public interface NotificationTemplates {

    /**
     * The template for exactly this type and locale.
     *
     * @param type the notification type
     * @param locale the locale ({@link Locale#ROOT} for the language-neutral fallback)
     * @return the template, if there is one
     */
    Optional<NotificationTemplate> find(NotificationType type, Locale locale);

    /**
     * An empty builder.
     *
     * @return a builder
     */
    static Builder builder() {
        return new Builder();
    }

    /**
     * Plain English and German templates for the five standard types (absence, appointment, task, project
     * task, approval), using the variables {@code recipient_name} and {@code title}.
     *
     * @return the standard templates
     */
    static NotificationTemplates standard() {
        return builder().standard().build();
    }

    /** Builds an immutable {@link NotificationTemplates}. Not thread-safe. */
    final class Builder {
        private final Map<String, NotificationTemplate> templates = new HashMap<>();

        private Builder() {
        }

        /**
         * Adds (or replaces) a template.
         *
         * @param type the type
         * @param locale the locale, {@link Locale#ROOT} for the fallback of every language
         * @param template the template
         * @return this
         */
        public Builder add(NotificationType type, Locale locale, NotificationTemplate template) {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(locale, "locale");
            Objects.requireNonNull(template, "template");
            templates.put(key(type, locale), template);
            return this;
        }

        /**
         * Adds the {@linkplain NotificationTemplates#standard() standard templates}; templates added before
         * or after for the same type and locale win.
         *
         * @return this
         */
        public Builder standard() {
            standard(NotificationType.ABSENCE, "Absence", "an absence that concerns you was entered or changed",
                    "Abwesenheit", "eine Abwesenheit, die Sie betrifft, wurde eingetragen oder geändert");
            standard(NotificationType.APPOINTMENT, "Appointment", "a calendar entry for you was created or edited",
                    "Termin", "ein Kalendereintrag für Sie wurde erstellt oder bearbeitet");
            standard(NotificationType.TASK, "To-do", "a to-do for you was created or edited",
                    "Aufgabe", "eine Aufgabe für Sie wurde erstellt oder bearbeitet");
            standard(NotificationType.PROJECT_TASK, "Project task", "a project task for you was created or edited",
                    "Projektaufgabe", "eine Projektaufgabe für Sie wurde erstellt oder bearbeitet");
            standard(NotificationType.APPROVAL, "Approval", "something awaits your approval, or was approved or rejected",
                    "Freigabe", "etwas wartet auf Ihre Freigabe oder wurde freigegeben oder abgelehnt");
            return this;
        }

        private void standard(NotificationType type, String en, String enSentence, String de, String deSentence) {
            templates.putIfAbsent(key(type, Locale.ENGLISH), NotificationTemplate.text(en + ": {title}",
                    "Hello {recipient_name},\n\n" + enSentence + ":\n\n{title}\n\n-- \nThis message was generated automatically.\n"));
            templates.putIfAbsent(key(type, Locale.GERMAN), NotificationTemplate.text(de + ": {title}",
                    "Hallo {recipient_name},\n\n" + deSentence + ":\n\n{title}\n\n-- \nDiese Nachricht wurde automatisch erzeugt.\n"));
        }

        /**
         * @return the templates
         */
        public NotificationTemplates build() {
            Map<String, NotificationTemplate> copy = Map.copyOf(templates);
            return (type, locale) -> Optional.ofNullable(copy.get(key(type, locale)));
        }

        private static String key(NotificationType type, Locale locale) {
            return type.name() + "|" + locale.toLanguageTag();
        }
    }
}
