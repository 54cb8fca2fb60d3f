package dev.mailroom.spring.boot.autoconfigure;

import dev.mailroom.core.Mailroom;
import org.springframework.context.SmartLifecycle;

/**
 * The outbox workers in the application context's lifecycle: they start once the context has started (never
 * while beans are still being created) and stop first when it stops, gracefully: sends in progress finish and
 * mail claimed but not tried goes back to the queue for any node. Enqueuing works throughout.
 */
public class MailroomLifecycle implements SmartLifecycle {
    private final Mailroom mailroom;

    /**
     * @param mailroom the Mailroom whose workers to run
     */
    public MailroomLifecycle(Mailroom mailroom) {
        this.mailroom = mailroom;
    }

    /** Starts the workers. */
    @Override
    public void start() {
        mailroom.startOutboxWorkers();
    }

    /** Stops the workers; returns when they stopped (at most 30 s after the last send in progress). */
    @Override
    public void stop() {
        mailroom.stopOutboxWorkers();
    }

    /** @return whether the workers run */
    @Override
    public boolean isRunning() {
        return mailroom.outboxWorkersRunning();
    }
}
