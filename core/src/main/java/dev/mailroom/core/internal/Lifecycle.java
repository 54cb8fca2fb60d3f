package dev.mailroom.core.internal;

import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;

import java.util.concurrent.atomic.AtomicBoolean;

/** Whether a Mailroom is still open, shared by the parts of its engine. Thread-safe. */
public final class Lifecycle {
    private final AtomicBoolean closed = new AtomicBoolean();

    /** A new, open lifecycle. */
    public Lifecycle() {
    }

    /**
     * @throws MailException {@link MailErrorCode#CLOSED} once closed
     */
    public void ensureOpen() {
        if (closed.get()) {
            throw new MailException(MailErrorCode.CLOSED, "this Mailroom is closed");
        }
    }

    /** @return whether it was closed */
    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Closes.
     *
     * @return true for the first call, false when already closed
     */
    public boolean close() {
        return closed.compareAndSet(false, true);
    }
}
