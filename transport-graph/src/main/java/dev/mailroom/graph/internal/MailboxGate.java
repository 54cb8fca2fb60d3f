package dev.mailroom.graph.internal;

import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * At most {@code permits} concurrent Graph requests per mailbox (Microsoft's limit is 4 per app and mailbox; a fifth
 * is answered 429). A request waits for a free slot at most {@code maxWait}, then fails with
 * {@link MailErrorCode#POOL_EXHAUSTED} without being sent.
 */
public final class MailboxGate {
    private final int permits;
    private final Duration maxWait;
    private final ConcurrentMap<String, Semaphore> mailboxes = new ConcurrentHashMap<>();

    /**
     * @param permits concurrent requests per mailbox
     * @param maxWait the longest wait for a slot
     */
    public MailboxGate(int permits, Duration maxWait) {
        this.permits = permits;
        this.maxWait = maxWait;
    }

    /** A held slot; closing it frees the slot. */
    interface Slot extends AutoCloseable {
        @Override
        void close();
    }

    Slot enter(String mailbox) {
        Semaphore s = mailboxes.computeIfAbsent(mailbox.toLowerCase(Locale.ROOT), k -> new Semaphore(permits, true));
        boolean got;
        try {
            got = s.tryAcquire(maxWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            got = false;
        }
        if (!got) {
            throw new MailException(MailErrorCode.POOL_EXHAUSTED, "mailbox " + mailbox + " already has " + permits + " Graph requests under way "
                    + "(Microsoft's limit per mailbox) and none finished within " + maxWait + "; nothing was sent", null, null, List.of(), null);
        }
        return s::release;
    }
}
