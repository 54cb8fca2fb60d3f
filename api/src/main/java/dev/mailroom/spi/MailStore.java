package dev.mailroom.spi;

/**
 * One durable store for everything Mailroom keeps: accounts and settings, the delivery log, the outbox and
 * users' notification preferences, handed to {@code Mailroom.builder().store(store)} in one call. Later
 * parts (access tokens, inbound state) come as default methods, so an implementation keeps compiling.
 * Each accessor returns the same object on every call. Implementations: the JDBC store (store-jdbc), or the
 * host's own storage.
 */
public interface MailStore {

    /**
     * @return where accounts and settings live
     */
    AccountRepository accounts();

    /**
     * @return where every attempt is logged
     */
    DeliveryLog deliveryLog();

    /**
     * @return the durable queue behind enqueue, sharing transactions with {@link #deliveryLog()} where the store can
     */
    OutboxRepository outbox();

    /**
     * @return where users' notification choices are kept
     */
    NotificationPreferences preferences();

    /**
     * Where OAuth clients, started consents and accounts' grants are kept. The default is empty: the store keeps
     * no OAuth state, and Mailroom keeps it in memory (lost on restart, so every OAuth account must be
     * connected again; Mailroom warns at build when the accounts themselves are durable).
     *
     * @return the OAuth store, the same on every call; empty when this store has none
     */
    default java.util.Optional<OAuthStore> oauth() {
        return java.util.Optional.empty();
    }
}
