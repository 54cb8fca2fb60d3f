package dev.mailroom;

import java.util.Objects;
import java.util.Optional;

/**
 * A user as the host's directory knows them: for signature variables (B5), Reply-To (B2) and, later,
 * notification recipients. Fields other than the id may be {@code null}.
 *
 * @param id the user id, as in {@link MailContext#user()}
 * @param name the display name
 * @param email the address, or {@code null} when the user has none
 * @param phone the phone number
 * @param mobile the mobile number
 * @param fax the fax number
 */
public record Person(String id, String name, EmailAddress email, String phone, String mobile, String fax) {
    /**
     * Validates.
     *
     * @param id see the record description
     * @param name see the record description
     * @param email see the record description
     * @param phone see the record description
     * @param mobile see the record description
     * @param fax see the record description
     */
    public Person {
        Objects.requireNonNull(id, "id");
    }

    /**
     * @return the address, if the user has one
     */
    public Optional<EmailAddress> address() {
        return Optional.ofNullable(email);
    }
}
