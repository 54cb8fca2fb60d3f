package dev.mailroom.spi;

import dev.mailroom.AccountId;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the mail fetcher remembers between runs and across nodes: for each fetched message how far it got
 * (failed attempts, stored by the host, acknowledged on the server, quarantined), the import cursor per folder
 * and UIDVALIDITY, and the raw bytes of quarantined messages.
 *
 * <p>A message is first {@linkplain #stored stored} (the host's handler accepted it durably) and only then is
 * the server-side action (keep, mark read, move, delete) done and the message {@linkplain #acked acknowledged}.
 * A process that dies in between leaves the entry {@code STORED}; the next fetch finds it with
 * {@link #pendingAcks} and completes the action, without handing the message to the host again. The
 * {@linkplain InboundEntry#contentKey() content key} finds a message again after the server renumbered its
 * folder (a new UIDVALIDITY) or it moved.
 *
 * <p><b>Threading and failure.</b> Thread-safe; each method is atomic on its own and idempotent where stated.
 * One fetcher at a time per account is assumed. Storage failures pass through as unchecked exceptions
 * ({@link dev.mailroom.MailException} with {@link dev.mailroom.MailErrorCode#STORE_FAILED} for Mailroom's
 * stores). Contract suite: {@code InboundStateRepositoryContract} in mailroom-testkit.
 *
 * <pre>{@code
 * InboundStateRepository state = jdbcStore.inbound();   // or new InMemoryInboundState() in tests
 * }</pre>
 */
public interface InboundStateRepository {
    /**
     * Looks a message up by where it sits on the server.
     *
     * @param key the message's key
     * @return what is known, or empty if it was never taken nor failed
     */
    Optional<InboundEntry> find(InboundKey key);

    /**
     * Tells whether the account already took a message with this content key (stored, acknowledged or
     * quarantined under any key; a failed or skipped one does not count).
     *
     * @param account the fetch account
     * @param contentKey the content key
     * @return {@code true} if it did
     */
    boolean contentTaken(AccountId account, String contentKey);

    /**
     * Records that the host accepted the message durably. Idempotent; an acknowledged entry stays acknowledged.
     *
     * @param key the message's key
     * @param contentKey its content key
     */
    void stored(InboundKey key, String contentKey);

    /**
     * Records that the server-side action for a stored message is done. Idempotent.
     *
     * @param key the message's key
     * @throws IllegalStateException if the message was never stored
     */
    void acked(InboundKey key);

    /**
     * Records a failed attempt to take a message (parsing or the host's handler).
     *
     * @param key the message's key
     * @param contentKey its content key
     * @param error what failed, without secrets
     * @return the number of failed attempts so far, this one included
     * @throws IllegalStateException if the message is already stored, acknowledged or quarantined
     */
    int failed(InboundKey key, String contentKey, String error);

    /**
     * Moves a message into quarantine with its raw bytes. Idempotent.
     *
     * @param key the message's key
     * @param contentKey its content key
     * @param reason why, without secrets
     * @param raw the message as the server sent it
     */
    void quarantine(InboundKey key, String contentKey, String reason, byte[] raw);

    /**
     * Records that a message is not for this account and stays on the server untouched. Idempotent; a message
     * that is already stored, acknowledged or quarantined keeps its state.
     *
     * @param key the message's key
     * @param contentKey its content key
     * @param reason why, e.g. that it is not addressed to the account's mailbox
     */
    void skipped(InboundKey key, String contentKey, String reason);

    /**
     * Lists the account's messages in a folder that are stored but not yet acknowledged, under any UIDVALIDITY.
     *
     * @param account the fetch account
     * @param folder the folder's full name
     * @return the entries, oldest first
     */
    List<InboundEntry> pendingAcks(AccountId account, String folder);

    /**
     * Lists the account's quarantined messages.
     *
     * @param account the fetch account
     * @return the messages with their raw bytes, oldest first
     */
    List<QuarantinedMessage> quarantined(AccountId account);

    /**
     * Reads the import cursor: the highest UID up to which every message of the folder was taken.
     *
     * @param account the fetch account
     * @param folder the folder's full name
     * @param uidValidity the folder's UIDVALIDITY
     * @return the UID, or empty if nothing was taken under this UIDVALIDITY yet
     */
    OptionalLong cursor(AccountId account, String folder, long uidValidity);

    /**
     * Tells whether the account has a cursor for the folder under any UIDVALIDITY: a fetch that finds none for
     * the current UIDVALIDITY but one for another knows the server renumbered the folder.
     *
     * @param account the fetch account
     * @param folder the folder's full name
     * @return {@code true} if any cursor exists
     */
    boolean hasAnyCursor(AccountId account, String folder);

    /**
     * Moves the import cursor forward; a lower UID than the stored one is ignored.
     *
     * @param account the fetch account
     * @param folder the folder's full name
     * @param uidValidity the folder's UIDVALIDITY
     * @param uid the highest UID up to which every message was taken
     */
    void advanceCursor(AccountId account, String folder, long uidValidity, long uid);

    /**
     * Takes or renews the account's fetch lease: exactly one node fetches an account at a time. The lease is free
     * when nobody holds it or the holder's lease ran out (on the repository's clock); the holder renews it.
     *
     * @param account the fetch account
     * @param owner the lease owner (the node's id, unique per poller)
     * @param duration how long the lease lasts without renewal; zero or positive
     * @return {@code true} if the caller holds the lease now
     */
    boolean tryLease(AccountId account, String owner, java.time.Duration duration);

    /**
     * Gives up the account's fetch lease if the caller holds it; otherwise does nothing.
     *
     * @param account the fetch account
     * @param owner the lease owner (the node's id, unique per poller)
     */
    void releaseLease(AccountId account, String owner);

    // ---- Local archive of imported mail: keeps the raw bytes after the host stored a message ----
    // Defaults for implementations written before the archive: nothing is archived, archiving fails clearly.

    /**
     * Keeps an imported message's raw bytes in the local archive. Idempotent: archiving the same key again keeps
     * the first copy and its time.
     *
     * @param key the message's key
     * @param contentKey its content key
     * @param raw the message as the server sent it
     * @throws UnsupportedOperationException by default: this repository keeps no archive
     */
    default void archive(InboundKey key, String contentKey, byte[] raw) {
        throw new UnsupportedOperationException(getClass().getName() + " keeps no archive of imported mail: implement"
                + " InboundStateRepository.archive and its reads, or leave Inbound.Builder.archive off");
    }

    /**
     * Reads an archived message.
     *
     * @param key the message's key
     * @return the archived message, or empty if it was never archived or was deleted
     */
    default Optional<ArchivedMessage> archived(InboundKey key) {
        return Optional.empty();
    }

    /**
     * Lists an account's archived messages, oldest first.
     *
     * @param account the fetch account
     * @param limit at most this many, at least 1; more than 1,000 reads 1,000
     * @return the archived messages with their raw bytes, oldest first
     */
    default List<ArchivedMessage> archived(AccountId account, int limit) {
        return List.of();
    }

    /**
     * Deletes one message from the local archive; the mail server is never touched. Idempotent.
     *
     * @param key the message's key
     * @return {@code true} if it was archived and is deleted now
     */
    default boolean deleteArchived(InboundKey key) {
        return false;
    }

    /**
     * Deletes an account's archived messages archived more than {@code retention} ago (on the repository's
     * clock); the mail server is never touched.
     *
     * @param account the fetch account
     * @param retention how long archived messages are kept; zero deletes every message archived up to now
     * @return how many were deleted
     */
    default int purgeArchive(AccountId account, java.time.Duration retention) {
        return 0;
    }

    // ---- Ticket routing: Message-ID memory, bundling, auto-reply counters (docs/adr/030) ----
    // Defaults for implementations written before routing: nothing is remembered (remembering fails clearly, and the
    // fetch goes on), every mail opens a new ticket, no auto-reply is sent.

    /**
     * Remembers that a mail with this Message-ID became, or joined, a ticket, and who sent it: later replies that
     * name the Message-ID in {@code In-Reply-To} or {@code References} join the same ticket, and the sender counts
     * as a participant of the ticket. Idempotent; a second call for the same Message-ID keeps the first ticket.
     *
     * @param account the fetch account
     * @param messageId the Message-ID with its angle brackets, as in the header
     * @param ticket the host's ticket id
     * @param sender the sender's address, lower case
     * @throws UnsupportedOperationException by default: this repository keeps no routing memory
     */
    default void rememberTicketMail(AccountId account, String messageId, String ticket, String sender) {
        throw new UnsupportedOperationException(getClass().getName() + " keeps no ticket routing memory: implement the routing"
                + " methods of InboundStateRepository so that replies join their ticket");
    }

    /**
     * Finds the ticket a Message-ID was remembered for.
     *
     * @param account the fetch account
     * @param messageId the Message-ID with its angle brackets
     * @return the ticket id, or empty if the Message-ID is unknown
     */
    default Optional<String> ticketOfMail(AccountId account, String messageId) {
        return Optional.empty();
    }

    /**
     * Tells whether an address sent mail that became or joined the ticket.
     *
     * @param account the fetch account
     * @param ticket the host's ticket id
     * @param sender the address, lower case
     * @return {@code true} if it did
     */
    default boolean wroteToTicket(AccountId account, String ticket, String sender) {
        return false;
    }

    /**
     * Remembers (or refreshes) a bundle: mail with this sender and subject key joins this ticket for a while.
     * The time is taken on the repository's clock.
     *
     * @param account the fetch account
     * @param bundleKey the normalized sender and subject
     * @param ticket the host's ticket id
     * @throws UnsupportedOperationException by default: this repository keeps no routing memory
     */
    default void rememberBundle(AccountId account, String bundleKey, String ticket) {
        throw new UnsupportedOperationException(getClass().getName() + " keeps no bundles: implement the routing methods of"
                + " InboundStateRepository to bundle mail");
    }

    /**
     * Finds a bundle remembered within the window (on the repository's clock).
     *
     * @param account the fetch account
     * @param bundleKey the normalized sender and subject
     * @param window how long ago the bundle may have been remembered or refreshed at most
     * @return the ticket id, or empty if there is none that recent
     */
    default Optional<String> bundleTicket(AccountId account, String bundleKey, java.time.Duration window) {
        return Optional.empty();
    }

    /**
     * Takes one auto-reply to a recipient on a day, atomically and across nodes: succeeds only while the
     * account sent fewer than {@code perAccount} auto-replies to the recipient that day and all accounts together
     * fewer than {@code perRecipient}; then both counts go up by one.
     *
     * @param account the fetch account that would reply
     * @param recipient the address the reply goes to, lower case
     * @param day the day the reply counts for (in the auto-reply's time zone, UTC by default)
     * @param perAccount the limit per account, recipient and day; at least 1
     * @param perRecipient the limit per recipient and day over all accounts; at least 1
     * @return {@code true} if the caller may send the reply; {@code false} by default (no counters: no auto-reply)
     */
    default boolean tryTakeAutoReply(AccountId account, String recipient, java.time.LocalDate day, int perAccount, int perRecipient) {
        return false;
    }

    /**
     * Remembers how a mail was routed, keyed by its content key, before anything else of its routing is written:
     * a mail offered again gets the same decision. Idempotent: the first ticket and decision stay; {@code replyTaken}
     * only goes from {@code false} to {@code true}. Entries older than two days may be deleted on write.
     *
     * <p>The default does nothing (an implementation written before this method existed): a mail offered again
     * after a crash is then routed afresh, and may join its own bundle.
     *
     * @param account the fetch account
     * @param contentKey the mail's content key
     * @param routed the decision
     */
    default void rememberRouted(AccountId account, String contentKey, RoutedMail routed) {
    }

    /**
     * Finds how a mail was routed before.
     *
     * <p>The default finds nothing, see {@link #rememberRouted}.
     *
     * @param account the fetch account
     * @param contentKey the mail's content key
     * @return the remembered decision, or empty
     */
    default Optional<RoutedMail> routedMail(AccountId account, String contentKey) {
        return Optional.empty();
    }
}
