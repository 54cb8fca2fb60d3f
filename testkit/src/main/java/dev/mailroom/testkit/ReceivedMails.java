package dev.mailroom.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The messages a test server received, in arrival order. Thread-safe: servers add from their own
 * threads, tests wait with a bound ({@link #await(int, Duration)}), never with sleeps.
 */
public final class ReceivedMails {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final List<ReceivedMail> mails = new ArrayList<>();

    void add(ReceivedMail mail) {
        lock.lock();
        try {
            mails.add(mail);
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void clear() {
        lock.lock();
        try {
            mails.clear();
        } finally {
            lock.unlock();
        }
    }

    /** @return a snapshot of what arrived so far */
    public List<ReceivedMail> all() {
        lock.lock();
        try {
            return List.copyOf(mails);
        } finally {
            lock.unlock();
        }
    }

    /** @return how many messages arrived */
    public int count() {
        return all().size();
    }

    /**
     * Waits until at least {@code count} messages arrived.
     *
     * @param count how many
     * @param timeout the bound
     * @return the messages
     * @throws AssertionError if fewer arrived in time
     */
    public List<ReceivedMail> await(int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (mails.size() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("expected " + count + " message(s) within " + timeout + " but received " + mails.size());
                }
                arrived.await(left, TimeUnit.NANOSECONDS);
            }
            return List.copyOf(mails);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for mail", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The only message: waits up to 10 s for one and fails if there are more.
     *
     * @return the message
     * @throws AssertionError if none or several arrived
     */
    public ReceivedMail single() {
        List<ReceivedMail> all = await(1, Duration.ofSeconds(10));
        if (all.size() != 1) {
            throw new AssertionError("expected exactly one message but received " + all.size() + ": " + all);
        }
        return all.get(0);
    }

    /**
     * Asserts that nothing arrived.
     *
     * @throws AssertionError if something did
     */
    public void assertNone() {
        List<ReceivedMail> all = all();
        if (!all.isEmpty()) {
            throw new AssertionError("expected no message but received " + all);
        }
    }
}
