package dev.mailroom.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits for transports that keep connections per account (SMTP, IMAP); HTTP transports may ignore them.
 *
 * @param maxConnectionsPerAccount pooled connections per account, 1 to 64
 * @param idleTimeout how long an idle pooled connection is kept
 * @param waitTimeout how long a send waits for a pooled connection when all are busy
 */
public record PoolLimits(int maxConnectionsPerAccount, Duration idleTimeout, Duration waitTimeout) {
    /**
     * Validates: at most 64 connections; timeouts positive and at most one hour.
     *
     * @param maxConnectionsPerAccount see the record description
     * @param idleTimeout see the record description
     * @param waitTimeout see the record description
     */
    public PoolLimits {
        if (maxConnectionsPerAccount < 1 || maxConnectionsPerAccount > 64) {
            throw new IllegalArgumentException("maxConnectionsPerAccount must be between 1 and 64, was " + maxConnectionsPerAccount);
        }
        positive(idleTimeout, "idleTimeout");
        positive(waitTimeout, "waitTimeout");
    }

    /**
     * 4 connections per account, idle 30 s, wait 30 s.
     *
     * @return the defaults
     */
    public static PoolLimits defaults() {
        return new PoolLimits(4, Duration.ofSeconds(30), Duration.ofSeconds(30));
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero() || d.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException(name + " must be positive and at most one hour, was " + d);
        }
    }
}
