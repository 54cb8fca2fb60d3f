package dev.mailroom.inbound;

import dev.mailroom.AccountId;

import java.util.List;
import java.util.Objects;

/**
 * What one fetch of one account did.
 *
 * @param account the fetch account
 * @param imported mails the host stored in this run
 * @param duplicates mails skipped because the account had already taken the same content (a renumbered folder, a
 *                   moved message)
 * @param acknowledged server-side actions completed, including those left over from an earlier run
 * @param failed mails the host or the parser refused in this run (offered again later)
 * @param quarantined mails moved to quarantine in this run
 * @param skipped mails left on the server because they are not for this account (mailbox address, import date)
 * @param truncated mails imported with their header block only, because they exceed the size limit
 * @param uidValidityChanged {@code true} if the server renumbered the folder since the last fetch
 * @param problems what went wrong, one line each, with the server's reply where there was one
 * @param bounces bounces (delivery status notifications) taken in this run: recorded in the delivery log, stored and
 *                acknowledged, never handed to the handler
 */
public record FetchReport(AccountId account, int imported, int duplicates, int acknowledged, int failed, int quarantined,
                          int skipped, int truncated, boolean uidValidityChanged, List<String> problems, int bounces) {
    /**
     * Checks the parts.
     *
     * @param account see the record description
     * @param imported see the record description
     * @param duplicates see the record description
     * @param acknowledged see the record description
     * @param failed see the record description
     * @param quarantined see the record description
     * @param skipped see the record description
     * @param truncated see the record description
     * @param uidValidityChanged see the record description
     * @param problems see the record description
     * @param bounces see the record description
     */
    public FetchReport {
        Objects.requireNonNull(account, "account");
        problems = List.copyOf(problems);
    }

    /**
     * A report without bounces.
     *
     * @param account see the record description
     * @param imported see the record description
     * @param duplicates see the record description
     * @param acknowledged see the record description
     * @param failed see the record description
     * @param quarantined see the record description
     * @param skipped see the record description
     * @param truncated see the record description
     * @param uidValidityChanged see the record description
     * @param problems see the record description
     */
    public FetchReport(AccountId account, int imported, int duplicates, int acknowledged, int failed, int quarantined,
                       int skipped, int truncated, boolean uidValidityChanged, List<String> problems) {
        this(account, imported, duplicates, acknowledged, failed, quarantined, skipped, truncated, uidValidityChanged, problems, 0);
    }
}
