package dev.mailroom;

import java.util.Objects;
import java.util.Optional;

/**
 * Subject and bodies of a notification for one type and locale. Variables are written {@code {name}}
 * (case-insensitive): the event's data, and {@code recipient_name}, {@code recipient_email},
 * {@code actor_name}, {@code tenant}, {@code type}. A variable without a value becomes empty and is
 * reported as a warning, never printed as a raw placeholder; values are HTML-escaped in the HTML body.
 *
 * @param subject the subject template, one line
 * @param text the plain-text body template
 * @param html the HTML body template, or {@code null} for text only
 */
public record NotificationTemplate(String subject, String text, String html) {
    /**
     * Validates.
     *
     * @param subject see the record description
     * @param text see the record description
     * @param html see the record description
     */
    public NotificationTemplate {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(text, "text");
        if (subject.indexOf('\r') >= 0 || subject.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("a notification subject template must be one line");
        }
    }

    /**
     * A text-only template.
     *
     * @param subject see the record description
     * @param text see the record description
     * @return the template
     */
    public static NotificationTemplate text(String subject, String text) {
        return new NotificationTemplate(subject, text, null);
    }

    /**
     * @return the HTML body template, if any
     */
    public Optional<String> htmlBody() {
        return Optional.ofNullable(html);
    }
}
