package dev.mailroom;

import java.util.Objects;

/**
 * The id of a registered OAuth client (a client ID and secret registered at Google or Microsoft, kept once
 * in the store's client registry). Accounts refer to a client by this id instead of carrying its secret,
 * so a secret is entered once and replaced in one place.
 *
 * @param value the id: 1 to 200 characters, no control characters, not blank
 */
public record OAuthClientId(String value) {
    /**
     * Validates.
     *
     * @param value see the record description
     */
    public OAuthClientId {
        Objects.requireNonNull(value, "value");
        if (value.isBlank() || value.length() > 200 || value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("an OAuth client id must be 1 to 200 characters without control characters, e.g. acme-microsoft");
        }
    }

    /**
     * The id.
     *
     * @param value the id
     * @return the id
     */
    public static OAuthClientId of(String value) {
        return new OAuthClientId(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
