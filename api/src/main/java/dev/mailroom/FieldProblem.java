package dev.mailroom;

import java.util.Objects;

/**
 * One problem with one field of an account: what is wrong and how to fix it.
 *
 * @param field the field
 * @param message what is wrong and what to do, for an administrator
 */
public record FieldProblem(AccountField field, String message) {
    /**
     * Validates.
     *
     * @param field see the record description
     * @param message see the record description
     */
    public FieldProblem {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return field.property() + ": " + message;
    }
}
