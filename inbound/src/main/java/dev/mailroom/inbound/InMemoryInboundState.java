package dev.mailroom.inbound;

import dev.mailroom.AccountId;
import dev.mailroom.spi.ArchivedMessage;
import dev.mailroom.spi.InboundEntry;
import dev.mailroom.spi.InboundKey;
import dev.mailroom.spi.InboundStateRepository;
import dev.mailroom.spi.QuarantinedMessage;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * An {@link InboundStateRepository} in memory, for tests and single-node trials: everything is lost on restart,
 * so a restarted process imports the mailbox again. Thread-safe (one lock).
 */
public final class InMemoryInboundState implements InboundStateRepository {
    private record Cursor(AccountId account, String folder, long uidValidity) {
    }

    private record Lease(String owner, Instant until) {
    }

    private final Map<InboundKey, InboundEntry> entries = new LinkedHashMap<>();
    private final Map<AccountId, Map<String, Set<InboundKey>>> byContent = new HashMap<>();
    private final Map<InboundKey, QuarantinedMessage> quarantine = new LinkedHashMap<>();
    private final Map<Cursor, Long> cursors = new LinkedHashMap<>();
    private final Map<AccountId, Lease> leases = new LinkedHashMap<>();
    private final Clock clock;

    /** Creates an empty repository on the system clock. */
    public InMemoryInboundState() {
        this(Clock.systemUTC());
    }

    /**
     * Creates an empty repository.
     *
     * @param clock the clock for quarantine times
     */
    public InMemoryInboundState(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public synchronized Optional<InboundEntry> find(InboundKey key) {
        return Optional.ofNullable(entries.get(Objects.requireNonNull(key, "key")));
    }

    @Override
    public synchronized boolean contentTaken(AccountId account, String contentKey) {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(contentKey, "contentKey");
        Set<InboundKey> keys = byContent.getOrDefault(account, Map.of()).getOrDefault(contentKey, Set.of());
        return keys.stream().map(entries::get).anyMatch(e -> e.state() != InboundEntry.State.FAILED && e.state() != InboundEntry.State.SKIPPED);
    }

    /** Stores an entry and keeps the content-key index in step (a linear scan made a 10,000-message import quadratic). */
    private void put(InboundEntry entry) {
        InboundEntry old = entries.put(entry.key(), entry);
        if (old != null && !old.contentKey().equals(entry.contentKey())) {
            Set<InboundKey> keys = byContent.getOrDefault(old.key().account(), Map.of()).get(old.contentKey());
            if (keys != null) {
                keys.remove(old.key());
            }
        }
        byContent.computeIfAbsent(entry.key().account(), a -> new HashMap<>()).computeIfAbsent(entry.contentKey(), c -> new HashSet<>())
                .add(entry.key());
    }

    @Override
    public synchronized void stored(InboundKey key, String contentKey) {
        Objects.requireNonNull(contentKey, "contentKey");
        InboundEntry e = entries.get(Objects.requireNonNull(key, "key"));
        if (e == null || e.state() == InboundEntry.State.FAILED || e.state() == InboundEntry.State.SKIPPED) {
            put(new InboundEntry(key, contentKey, InboundEntry.State.STORED, e == null ? 0 : e.attempts(),
                    e == null ? Optional.empty() : e.lastError()));
        }
    }

    @Override
    public synchronized void acked(InboundKey key) {
        InboundEntry e = entries.get(Objects.requireNonNull(key, "key"));
        if (e == null || e.state() != InboundEntry.State.STORED && e.state() != InboundEntry.State.ACKED) {
            throw new IllegalStateException("message " + key + " was not stored, so it cannot be acknowledged");
        }
        put(new InboundEntry(key, e.contentKey(), InboundEntry.State.ACKED, e.attempts(), e.lastError()));
    }

    @Override
    public synchronized int failed(InboundKey key, String contentKey, String error) {
        Objects.requireNonNull(contentKey, "contentKey");
        Objects.requireNonNull(error, "error");
        InboundEntry e = entries.get(Objects.requireNonNull(key, "key"));
        if (e != null && e.state() != InboundEntry.State.FAILED) {
            throw new IllegalStateException("message " + key + " is already " + e.state());
        }
        int attempts = (e == null ? 0 : e.attempts()) + 1;
        put(new InboundEntry(key, contentKey, InboundEntry.State.FAILED, attempts, Optional.of(error)));
        return attempts;
    }

    @Override
    public synchronized void quarantine(InboundKey key, String contentKey, String reason, byte[] raw) {
        Objects.requireNonNull(contentKey, "contentKey");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(raw, "raw");
        InboundEntry e = entries.get(Objects.requireNonNull(key, "key"));
        if (e != null && e.state() == InboundEntry.State.QUARANTINED) {
            return;
        }
        put(new InboundEntry(key, contentKey, InboundEntry.State.QUARANTINED, e == null ? 0 : e.attempts(), Optional.of(reason)));
        quarantine.put(key, new QuarantinedMessage(key, contentKey, reason, clock.instant(), raw.clone()));
    }

    @Override
    public synchronized void skipped(InboundKey key, String contentKey, String reason) {
        Objects.requireNonNull(contentKey, "contentKey");
        Objects.requireNonNull(reason, "reason");
        InboundEntry e = entries.get(Objects.requireNonNull(key, "key"));
        if (e == null || e.state() == InboundEntry.State.FAILED) {
            put(new InboundEntry(key, contentKey, InboundEntry.State.SKIPPED, e == null ? 0 : e.attempts(), Optional.of(reason)));
        }
    }

    @Override
    public synchronized List<InboundEntry> pendingAcks(AccountId account, String folder) {
        List<InboundEntry> out = new ArrayList<>();
        for (InboundEntry e : entries.values()) {
            if (e.state() == InboundEntry.State.STORED && e.key().account().equals(account) && e.key().folder().equals(folder)) {
                out.add(e);
            }
        }
        return out;
    }

    @Override
    public synchronized List<QuarantinedMessage> quarantined(AccountId account) {
        return quarantine.values().stream().filter(q -> q.key().account().equals(account)).toList();
    }

    @Override
    public synchronized OptionalLong cursor(AccountId account, String folder, long uidValidity) {
        Long c = cursors.get(new Cursor(account, folder, uidValidity));
        return c == null ? OptionalLong.empty() : OptionalLong.of(c);
    }

    @Override
    public synchronized boolean hasAnyCursor(AccountId account, String folder) {
        return cursors.keySet().stream().anyMatch(c -> c.account().equals(account) && c.folder().equals(folder));
    }

    @Override
    public synchronized void advanceCursor(AccountId account, String folder, long uidValidity, long uid) {
        cursors.merge(new Cursor(Objects.requireNonNull(account, "account"), Objects.requireNonNull(folder, "folder"), uidValidity), uid,
                Math::max);
    }

    @Override
    public synchronized boolean tryLease(AccountId account, String owner, Duration duration) {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(owner, "owner");
        if (Objects.requireNonNull(duration, "duration").isNegative()) {
            throw new IllegalArgumentException("duration must not be negative");
        }
        Instant now = clock.instant();
        Lease held = leases.get(account);
        if (held != null && !held.owner().equals(owner) && held.until().isAfter(now)) {
            return false;
        }
        leases.put(account, new Lease(owner, now.plus(duration)));
        return true;
    }

    @Override
    public synchronized void releaseLease(AccountId account, String owner) {
        Lease held = leases.get(Objects.requireNonNull(account, "account"));
        if (held != null && held.owner().equals(Objects.requireNonNull(owner, "owner"))) {
            leases.remove(account);
        }
    }

    // ---- Local archive of imported mail ----

    private final Map<InboundKey, ArchivedMessage> archive = new LinkedHashMap<>();

    @Override
    public synchronized void archive(InboundKey key, String contentKey, byte[] raw) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(contentKey, "contentKey");
        Objects.requireNonNull(raw, "raw");
        archive.putIfAbsent(key, new ArchivedMessage(key, contentKey, clock.instant(), raw));
    }

    @Override
    public synchronized Optional<ArchivedMessage> archived(InboundKey key) {
        return Optional.ofNullable(archive.get(Objects.requireNonNull(key, "key")));
    }

    @Override
    public synchronized List<ArchivedMessage> archived(AccountId account, int limit) {
        Objects.requireNonNull(account, "account");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
        return archive.values().stream().filter(a -> a.key().account().equals(account)).limit(Math.min(limit, 1000)).toList();
    }

    @Override
    public synchronized boolean deleteArchived(InboundKey key) {
        return archive.remove(Objects.requireNonNull(key, "key")) != null;
    }

    @Override
    public synchronized int purgeArchive(AccountId account, Duration retention) {
        Objects.requireNonNull(account, "account");
        if (Objects.requireNonNull(retention, "retention").isNegative()) {
            throw new IllegalArgumentException("retention must not be negative, was " + retention);
        }
        Instant before = clock.instant().minus(retention);
        int n = 0;
        for (var it = archive.values().iterator(); it.hasNext(); ) {
            ArchivedMessage a = it.next();
            if (a.key().account().equals(account) && !a.archivedAt().isAfter(before)) {
                it.remove();
                n++;
            }
        }
        return n;
    }

    // ---- Ticket routing: Message-ID memory, bundling, auto-reply counters (docs/adr/030) ----

    private record TicketMail(String ticket, String sender) {
    }

    private record Bundle(String ticket, Instant at) {
    }

    private final Map<List<String>, TicketMail> ticketMails = new LinkedHashMap<>();
    private final Map<List<String>, Bundle> bundles = new LinkedHashMap<>();
    private final Map<List<String>, Integer> autoReplies = new LinkedHashMap<>();

    @Override
    public synchronized void rememberTicketMail(AccountId account, String messageId, String ticket, String sender) {
        Objects.requireNonNull(ticket, "ticket");
        Objects.requireNonNull(sender, "sender");
        ticketMails.putIfAbsent(List.of(Objects.requireNonNull(account, "account").value(), Objects.requireNonNull(messageId, "messageId")),
                new TicketMail(ticket, sender));
    }

    @Override
    public synchronized Optional<String> ticketOfMail(AccountId account, String messageId) {
        TicketMail m = ticketMails.get(List.of(Objects.requireNonNull(account, "account").value(),
                Objects.requireNonNull(messageId, "messageId")));
        return m == null ? Optional.empty() : Optional.of(m.ticket());
    }

    @Override
    public synchronized boolean wroteToTicket(AccountId account, String ticket, String sender) {
        Objects.requireNonNull(ticket, "ticket");
        Objects.requireNonNull(sender, "sender");
        String a = Objects.requireNonNull(account, "account").value();
        return ticketMails.entrySet().stream().anyMatch(e -> e.getKey().get(0).equals(a) && e.getValue().ticket().equals(ticket)
                && e.getValue().sender().equals(sender));
    }

    @Override
    public synchronized void rememberBundle(AccountId account, String bundleKey, String ticket) {
        bundles.put(List.of(Objects.requireNonNull(account, "account").value(), Objects.requireNonNull(bundleKey, "bundleKey")),
                new Bundle(Objects.requireNonNull(ticket, "ticket"), clock.instant()));
    }

    @Override
    public synchronized Optional<String> bundleTicket(AccountId account, String bundleKey, Duration window) {
        Objects.requireNonNull(window, "window");
        Bundle b = bundles.get(List.of(Objects.requireNonNull(account, "account").value(), Objects.requireNonNull(bundleKey, "bundleKey")));
        if (b == null || b.at().plus(window).isBefore(clock.instant())) {
            return Optional.empty();
        }
        return Optional.of(b.ticket());
    }

    @Override
    public synchronized boolean tryTakeAutoReply(AccountId account, String recipient, java.time.LocalDate day, int perAccount,
                                                 int perRecipient) {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(day, "day");
        if (perAccount < 1 || perRecipient < 1) {
            throw new IllegalArgumentException("the limits must be at least 1, were " + perAccount + " and " + perRecipient);
        }
        String oldest = day.minusDays(2).toString();
        autoReplies.keySet().removeIf(k -> k.get(2).compareTo(oldest) < 0); // pruned on write, as the JDBC store does
        List<String> mine = List.of(account.value(), recipient, day.toString());
        List<String> all = List.of("", recipient, day.toString());
        if (autoReplies.getOrDefault(mine, 0) >= perAccount || autoReplies.getOrDefault(all, 0) >= perRecipient) {
            return false;
        }
        autoReplies.merge(mine, 1, Integer::sum);
        autoReplies.merge(all, 1, Integer::sum);
        return true;
    }

    private final Map<List<String>, dev.mailroom.spi.RoutedMail> routed = new LinkedHashMap<>();

    @Override
    public synchronized void rememberRouted(AccountId account, String contentKey, dev.mailroom.spi.RoutedMail mail) {
        Objects.requireNonNull(mail, "routed");
        List<String> k = List.of(Objects.requireNonNull(account, "account").value(), Objects.requireNonNull(contentKey, "contentKey"));
        dev.mailroom.spi.RoutedMail before = routed.putIfAbsent(k, mail);
        if (before != null && mail.replyTaken() && !before.replyTaken()) {
            routed.put(k, new dev.mailroom.spi.RoutedMail(before.ticket(), before.decision(), true));
        }
    }

    @Override
    public synchronized Optional<dev.mailroom.spi.RoutedMail> routedMail(AccountId account, String contentKey) {
        return Optional.ofNullable(routed.get(List.of(Objects.requireNonNull(account, "account").value(),
                Objects.requireNonNull(contentKey, "contentKey"))));
    }
}
