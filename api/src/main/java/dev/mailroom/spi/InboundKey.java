package dev.mailroom.spi;

import dev.mailroom.AccountId;

import java.util.Objects;

/**
 * Where a fetched message sits on the server, as the fetcher addresses it: the account, the folder, the
 * folder's UIDVALIDITY and the message's id in it. For IMAP the id is the UID (in decimal); for POP3 the folder
 * is {@code INBOX}, the UIDVALIDITY is 0 and the id is the server's UIDL. Sequence numbers never appear here.
 *
 * @param account the fetch account
 * @param folder the folder's full name
 * @param uidValidity the folder's UIDVALIDITY (0 for POP3)
 * @param id the UID in decimal (IMAP) or the UIDL (POP3)
 */
public record InboundKey(AccountId account, String folder, long uidValidity, String id) {
    /**
     * Checks the parts.
     *
     * @param account see the record description
     * @param folder see the record description
     * @param uidValidity see the record description
     * @param id see the record description
     */
    public InboundKey {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(folder, "folder");
        Objects.requireNonNull(id, "id");
        if (folder.isBlank() || id.isBlank()) {
            throw new IllegalArgumentException("folder and id must not be blank");
        }
        if (uidValidity < 0) {
            throw new IllegalArgumentException("uidValidity must be 0 or positive, was " + uidValidity);
        }
    }

    @Override
    public String toString() {
        return account + "/" + folder + ";" + uidValidity + ";" + id;
    }
}
