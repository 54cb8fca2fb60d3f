package dev.mailroom;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A user's request to support: subject, description and optional attachments (screenshots, logs).
 * Where it goes and whether system information is attached follow the {@link SupportSettings}. Immutable.
 *
 * @param subject the subject, one line
 * @param text the description
 * @param attachments attachments, possibly none
 */
public record SupportRequest(String subject, String text, List<Attachment> attachments) {
    /**
     * Validates and copies.
     *
     * @param subject see the record description
     * @param text see the record description
     * @param attachments see the record description
     */
    public SupportRequest {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(text, "text");
        if (subject.isBlank()) {
            throw new IllegalArgumentException("a support request needs a subject");
        }
        attachments = List.copyOf(new ArrayList<>(attachments));
    }

    /**
     * A request without attachments.
     *
     * @param subject see the record description
     * @param text see the record description
     * @return the request
     */
    public static SupportRequest of(String subject, String text) {
        return new SupportRequest(subject, text, List.of());
    }
}
