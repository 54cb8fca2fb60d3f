package dev.mailroom;

import java.util.Objects;
import java.util.UUID;

/**
 * Identifier of a mail account, assigned by the host or generated with {@link #random()}.
 *
 * @param value the identifier; 1 to 200 characters, no control characters
 */
public record AccountId(String value) {
    /**
     * Validates the identifier.
     *
     * @param value see the record description
     */
    public AccountId {
        Objects.requireNonNull(value, "value");
        if (value.isBlank() || value.length() > 200 || value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(
                    "AccountId must be 1 to 200 characters without control characters, was '" + value + "'");
        }
    }

    /**
     * Creates an identifier.
     *
     * @param value the identifier
     * @return the identifier
     */
    public static AccountId of(String value) {
        return new AccountId(value);
    }

    /**
     * Generates a random identifier (a UUID).
     *
     * @return a new identifier
     */
    public static AccountId random() {
        return new AccountId(UUID.randomUUID().toString());
    }

    @Override
    public String toString() {
        return value;
    }
}
