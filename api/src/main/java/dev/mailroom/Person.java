package dev.mailroom;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A user as the host's directory knows them: for signature variables, Reply-To and
 * notification recipients. Fields other than the id may be {@code null}.
 *
 * @param id the user id, as in {@link MailContext#user()}
 * @param name the display name
 * @param email the address, or {@code null} when the user has none (notifications then skip the user)
 * @param phone the phone number
 * @param mobile the mobile number
 * @param fax the fax number
 * @param locale the language the user reads mail in, or {@code null} for the notification's default
 */
public record Person(String id, String name, EmailAddress email, String phone, String mobile, String fax, Locale locale) {
    /**
     * Validates.
     *
     * @param id see the record description
     * @param name see the record description
     * @param email see the record description
     * @param phone see the record description
     * @param mobile see the record description
     * @param fax see the record description
     * @param locale see the record description
     */
    public Person {
        Objects.requireNonNull(id, "id");
    }

    /**
     * A person without a preferred language.
     *
     * @param id see the record description
     * @param name see the record description
     * @param email see the record description
     * @param phone see the record description
     * @param mobile see the record description
     * @param fax see the record description
     */
    public Person(String id, String name, EmailAddress email, String phone, String mobile, String fax) {
        this(id, name, email, phone, mobile, fax, null);
    }

    /**
     * A person known by name, address and language only (enough for notifications).
     *
     * @param id see the record description
     * @param name see the record description
     * @param email see the record description
     * @param locale see the record description
     * @return the person
     */
    public static Person of(String id, String name, EmailAddress email, Locale locale) {
        return new Person(id, name, email, null, null, null, locale);
    }

    /**
     * @return the address, if the user has one
     */
    public Optional<EmailAddress> address() {
        return Optional.ofNullable(email);
    }

    /**
     * @return the user's language, if known
     */
    public Optional<Locale> preferredLocale() {
        return Optional.ofNullable(locale);
    }
}
