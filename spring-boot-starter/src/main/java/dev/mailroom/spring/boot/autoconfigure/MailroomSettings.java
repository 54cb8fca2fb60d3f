package dev.mailroom.spring.boot.autoconfigure;

import dev.mailroom.core.Mailroom;

import java.util.function.Consumer;

/** {@code mailroom.*} onto the builder: only what is set, so everything else keeps Mailroom's defaults. */
final class MailroomSettings {
    private MailroomSettings() {
    }

    static void apply(MailroomProperties p, Mailroom.Builder b) {
        set(p.getDefaultSecurity(), b::defaultSecurity);
        set(p.getConnectTimeout(), b::connectTimeout);
        set(p.getReadTimeout(), b::readTimeout);
        set(p.getWriteTimeout(), b::writeTimeout);
        set(p.getResolutionCacheSize(), b::resolutionCacheSize);
        set(p.getPool().getMaxConnectionsPerAccount(), b::maxConnectionsPerAccount);
        set(p.getPool().getIdleTimeout(), b::connectionIdleTimeout);
        set(p.getPool().getWaitTimeout(), b::poolWaitTimeout);
        MailroomProperties.Outbox o = p.getOutbox();
        set(o.getWorkers(), b::outboxWorkers);
        set(o.getPollInterval(), b::outboxPollInterval);
        set(o.getLease(), b::outboxLease);
        set(o.getRetention(), b::outboxRetention);
        MailroomProperties.Retry r = o.getRetry();
        b.outboxRetry(r.getInitialBackoff(), r.getMaxBackoff(), r.getMaxAge(), r.getAccountPause());
        set(p.getDeliveryLog().getRetention(), b::deliveryLogRetention);
    }

    private static <T> void set(T value, Consumer<T> option) {
        if (value != null) {
            option.accept(value);
        }
    }
}
