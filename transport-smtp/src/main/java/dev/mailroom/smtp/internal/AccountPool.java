package dev.mailroom.smtp.internal;

import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The connections of one account's settings: at most {@code max} at once (a semaphore), idle ones
 * reused most-recently-used first, validated with NOOP when idle longer than {@link #VALIDATE_AFTER},
 * closed when idle longer than the idle timeout or after {@link #MAX_MESSAGES} messages. A connection
 * whose last use failed is never reused.
 */
final class AccountPool {
    /** Idle connections younger than this are used without a NOOP round trip. */
    static final Duration VALIDATE_AFTER = Duration.ofSeconds(2);
    /** Servers limit messages per session; reconnect well before common limits. */
    static final int MAX_MESSAGES = 500;

    static final class Connection {
        final TrackingSmtpTransport transport;
        long lastUsed;
        int messages;

        Connection(TrackingSmtpTransport transport, long now) {
            this.transport = transport;
            this.lastUsed = now;
        }
    }

    private final AccountSession settings;
    /** A session per connection: its properties may be set per message (send partial) by the thread holding it. */
    private final java.util.function.Supplier<Session> sessions;
    private final Semaphore permits;
    private final Deque<Connection> idle = new ArrayDeque<>();
    private final long idleTimeoutNanos;
    private final Duration waitTimeout;
    private boolean closed;
    /** A server of this account advertised PIPELINING or CHUNKING and broke its rules: its connections use the plain sequence. */
    private volatile boolean plainSequence;

    AccountPool(AccountSession settings, java.util.function.Supplier<Session> sessions, int max, Duration idleTimeout, Duration waitTimeout) {
        this.settings = settings;
        this.sessions = sessions;
        this.permits = new Semaphore(max, true);
        this.idleTimeoutNanos = idleTimeout.toNanos();
        this.waitTimeout = waitTimeout;
    }

    AccountSession settings() {
        return settings;
    }

    /**
     * A connection for one message: an idle one that is still alive, or a new one.
     *
     * @throws MailException POOL_EXHAUSTED, or the classified connect failure
     */
    Connection borrow() {
        try {
            if (!permits.tryAcquire(waitTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new MailException(MailErrorCode.POOL_EXHAUSTED, "all connections of account "
                        + settings.account().account().email().address() + " stayed busy for " + waitTimeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MailException(MailErrorCode.CONNECTION_LOST, "interrupted while waiting for a connection");
        }
        boolean ok = false;
        try {
            Connection c;
            while ((c = pollIdle()) != null) {
                long now = System.nanoTime();
                if (now - c.lastUsed > idleTimeoutNanos) {
                    AccountSession.closeQuietly(c.transport);
                } else if (now - c.lastUsed > VALIDATE_AFTER.toNanos() && !alive(c)) {
                    AccountSession.closeQuietly(c.transport);
                } else {
                    c.transport.extensionsAllowed(!plainSequence);
                    ok = true;
                    return c;
                }
            }
            try {
                c = new Connection(settings.connect(sessions.get(), true), System.nanoTime());
                c.transport.extensionsAllowed(!plainSequence);
            } catch (MessagingException e) {
                throw Failures.toException(e, TrackingSmtpTransport.Phase.CONNECT, settings.account());
            }
            ok = true;
            return c;
        } finally {
            if (!ok) {
                permits.release();
            }
        }
    }

    /** From now on, this account's connections send with the plain sequence (no PIPELINING, no CHUNKING). */
    void usePlainSequence() {
        plainSequence = true;
    }

    /** Returns a connection: kept if the last use succeeded and the pool is open, closed otherwise. */
    void release(Connection c, boolean reusable) {
        c.messages++;
        c.lastUsed = System.nanoTime();
        boolean keep = reusable && c.messages < MAX_MESSAGES;
        synchronized (this) {
            if (keep && !closed) {
                idle.addLast(c);
                c = null;
            }
        }
        if (c != null) {
            AccountSession.closeQuietly(c.transport);
        }
        permits.release();
    }

    /** Closes idle connections past the idle timeout. */
    void sweep() {
        List<Connection> expired = new ArrayList<>();
        long now = System.nanoTime();
        synchronized (this) {
            idle.removeIf(c -> {
                if (now - c.lastUsed > idleTimeoutNanos) {
                    expired.add(c);
                    return true;
                }
                return false;
            });
        }
        expired.forEach(c -> AccountSession.closeQuietly(c.transport));
    }

    /** Closes idle connections now; busy ones are closed when released. */
    void close() {
        List<Connection> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(idle);
            idle.clear();
        }
        all.forEach(c -> AccountSession.closeQuietly(c.transport));
    }

    synchronized int idleCount() {
        return idle.size();
    }

    private synchronized Connection pollIdle() {
        return idle.pollLast();
    }

    private static boolean alive(Connection c) {
        try {
            return c.transport.isConnected(); // NOOP round trip
        } catch (RuntimeException e) {
            return false;
        }
    }
}
