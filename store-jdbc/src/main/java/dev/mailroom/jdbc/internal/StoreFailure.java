package dev.mailroom.jdbc.internal;

import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;

import java.sql.SQLException;
import java.util.List;

/** A database failure as the typed error callers get from every store: {@link MailErrorCode#STORE_FAILED}, with the cause. */
public final class StoreFailure {
    private StoreFailure() {
    }

    /**
     * @param what the part of the store, e.g. "Mailroom outbox"
     * @param e the database's exception
     * @return the exception to throw
     */
    public static MailException of(String what, SQLException e) {
        String state = e.getSQLState() == null ? "" : " (SQLState " + e.getSQLState() + ")";
        return new MailException(MailErrorCode.STORE_FAILED, what + ": " + e.getMessage() + state, null, null, List.of(), e);
    }
}
