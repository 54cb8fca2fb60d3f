package dev.mailroom;

import java.util.Optional;

/**
 * A signature: text and/or HTML, with variables for the sending employee. English names and the
 * German names the seed products use are aliases: {@code {EMPLOYEE_NAME}}/{@code {MITARBEITER}},
 * {@code {EMPLOYEE_PHONE}}/{@code {MITARBEITER_TELEFON}}, {@code {EMPLOYEE_MOBILE}}/{@code {MITARBEITER_MOBIL}},
 * {@code {EMPLOYEE_EMAIL}}/{@code {MITARBEITER_EMAIL}}, {@code {EMPLOYEE_FAX}}/{@code {MITARBEITER_TELEFAX}}.
 *
 * @param text the text signature, or {@code null}
 * @param html the HTML signature, or {@code null}
 */
public record Signature(String text, String html) {
    /**
     * Validates: at least one of text and HTML.
     *
     * @param text see the record description
     * @param html see the record description
     */
    public Signature {
        text = text == null || text.isBlank() ? null : text;
        html = html == null || html.isBlank() ? null : html;
        if (text == null && html == null) {
            throw new IllegalArgumentException("a signature needs a text or an HTML version");
        }
    }

    /**
     * @return the text version
     */
    public Optional<String> textVersion() {
        return Optional.ofNullable(text);
    }

    /**
     * @return the HTML version
     */
    public Optional<String> htmlVersion() {
        return Optional.ofNullable(html);
    }
}
