package dev.mailroom.core.internal;

import dev.mailroom.core.DeliveryAttempt;
import dev.mailroom.core.MailroomListener;
import dev.mailroom.core.TokenRefresh;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/** The host's listeners, each call shielded: a failing listener is logged and never breaks a send. Thread-safe. */
public final class Listeners {
    private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);
    /** No listeners. */
    public static final Listeners NONE = new Listeners(List.of());

    private final List<MailroomListener> listeners;

    /** @param listeners the host's listeners, in order */
    public Listeners(List<MailroomListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    /** @param attempt tells every listener about an attempt */
    public void attempted(DeliveryAttempt attempt) {
        for (MailroomListener l : listeners) {
            try {
                l.attempted(attempt);
            } catch (RuntimeException e) {
                LOG.warn("Mailroom listener {} failed; the delivery is not affected", l.getClass().getName(), e);
            }
        }
    }

    /** @param refresh tells every listener about a call to an OAuth provider */
    public void tokenRefreshed(TokenRefresh refresh) {
        for (MailroomListener l : listeners) {
            try {
                l.tokenRefreshed(refresh);
            } catch (RuntimeException e) {
                LOG.warn("Mailroom listener {} failed; the token is not affected", l.getClass().getName(), e);
            }
        }
    }
}
