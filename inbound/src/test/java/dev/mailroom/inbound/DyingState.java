package dev.mailroom.inbound;

import dev.mailroom.AccountId;
import dev.mailroom.spi.InboundEntry;
import dev.mailroom.spi.InboundKey;
import dev.mailroom.spi.InboundStateRepository;
import dev.mailroom.spi.QuarantinedMessage;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** Durable state seen through a process that dies when it records an acknowledgement: the state survives it. */
final class DyingState implements InboundStateRepository {
    private final InboundStateRepository durable;

    DyingState(InboundStateRepository durable) {
        this.durable = durable;
    }

    @Override
    public void acked(InboundKey key) {
        throw new IllegalStateException("process died");
    }

    @Override
    public Optional<InboundEntry> find(InboundKey key) {
        return durable.find(key);
    }

    @Override
    public boolean contentTaken(AccountId account, String contentKey) {
        return durable.contentTaken(account, contentKey);
    }

    @Override
    public void stored(InboundKey key, String contentKey) {
        durable.stored(key, contentKey);
    }

    @Override
    public int failed(InboundKey key, String contentKey, String error) {
        return durable.failed(key, contentKey, error);
    }

    @Override
    public void quarantine(InboundKey key, String contentKey, String reason, byte[] raw) {
        durable.quarantine(key, contentKey, reason, raw);
    }

    @Override
    public void skipped(InboundKey key, String contentKey, String reason) {
        durable.skipped(key, contentKey, reason);
    }

    @Override
    public List<InboundEntry> pendingAcks(AccountId account, String folder) {
        return durable.pendingAcks(account, folder);
    }

    @Override
    public List<QuarantinedMessage> quarantined(AccountId account) {
        return durable.quarantined(account);
    }

    @Override
    public OptionalLong cursor(AccountId account, String folder, long uidValidity) {
        return durable.cursor(account, folder, uidValidity);
    }

    @Override
    public boolean hasAnyCursor(AccountId account, String folder) {
        return durable.hasAnyCursor(account, folder);
    }

    @Override
    public void advanceCursor(AccountId account, String folder, long uidValidity, long uid) {
        durable.advanceCursor(account, folder, uidValidity, uid);
    }

    @Override
    public boolean tryLease(AccountId account, String owner, java.time.Duration duration) {
        return durable.tryLease(account, owner, duration);
    }

    @Override
    public void releaseLease(AccountId account, String owner) {
        durable.releaseLease(account, owner);
    }

    // ---- archive ----

    @Override
    public void archive(InboundKey key, String contentKey, byte[] raw) {
        durable.archive(key, contentKey, raw);
    }

    @Override
    public Optional<dev.mailroom.spi.ArchivedMessage> archived(InboundKey key) {
        return durable.archived(key);
    }

    @Override
    public List<dev.mailroom.spi.ArchivedMessage> archived(AccountId account, int limit) {
        return durable.archived(account, limit);
    }

    @Override
    public boolean deleteArchived(InboundKey key) {
        return durable.deleteArchived(key);
    }

    @Override
    public int purgeArchive(AccountId account, java.time.Duration retention) {
        return durable.purgeArchive(account, retention);
    }

    // ---- Ticket routing (docs/adr/030): passed through ----

    @Override
    public void rememberTicketMail(AccountId account, String messageId, String ticket, String sender) {
        durable.rememberTicketMail(account, messageId, ticket, sender);
    }

    @Override
    public Optional<String> ticketOfMail(AccountId account, String messageId) {
        return durable.ticketOfMail(account, messageId);
    }

    @Override
    public boolean wroteToTicket(AccountId account, String ticket, String sender) {
        return durable.wroteToTicket(account, ticket, sender);
    }

    @Override
    public void rememberBundle(AccountId account, String bundleKey, String ticket) {
        durable.rememberBundle(account, bundleKey, ticket);
    }

    @Override
    public Optional<String> bundleTicket(AccountId account, String bundleKey, java.time.Duration window) {
        return durable.bundleTicket(account, bundleKey, window);
    }

    @Override
    public boolean tryTakeAutoReply(AccountId account, String recipient, java.time.LocalDate day, int perAccount, int perRecipient) {
        return durable.tryTakeAutoReply(account, recipient, day, perAccount, perRecipient);
    }
}
