package dev.mailroom.spi;

import dev.mailroom.Security;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * Settings every transport receives when it is opened: finite timeouts, trust, pooling and the
 * protocol log. Built by the {@code Mailroom} builder; immutable.
 *
 * @param connectTimeout how long to wait for a TCP connection
 * @param readTimeout how long to wait for each server reply
 * @param writeTimeout how long a single write may block
 * @param sslContext the TLS context holding the trusted certificates, or {@code null} for the JVM's default trust store
 * @param hostDefaultSecurity the host's global security choice (A8)
 * @param maxConnectionsPerAccount pooled connections per account, at least 1
 * @param connectionIdleTimeout how long an idle pooled connection is kept
 * @param poolWaitTimeout how long a send waits for a pooled connection when all are busy
 * @param protocolLog where debug dialogs go (C4)
 */
public record TransportSettings(Duration connectTimeout, Duration readTimeout, Duration writeTimeout, SSLContext sslContext,
                                Security hostDefaultSecurity, int maxConnectionsPerAccount, Duration connectionIdleTimeout,
                                Duration poolWaitTimeout, ProtocolLog protocolLog) {
    /**
     * Validates: every timeout must be positive and finite.
     *
     * @param connectTimeout see the record description
     * @param readTimeout see the record description
     * @param writeTimeout see the record description
     * @param sslContext see the record description
     * @param hostDefaultSecurity see the record description
     * @param maxConnectionsPerAccount see the record description
     * @param connectionIdleTimeout see the record description
     * @param poolWaitTimeout see the record description
     * @param protocolLog see the record description
     */
    public TransportSettings {
        positive(connectTimeout, "connectTimeout");
        positive(readTimeout, "readTimeout");
        positive(writeTimeout, "writeTimeout");
        positive(connectionIdleTimeout, "connectionIdleTimeout");
        positive(poolWaitTimeout, "poolWaitTimeout");
        Objects.requireNonNull(hostDefaultSecurity, "hostDefaultSecurity");
        if (hostDefaultSecurity == Security.DEFAULT) {
            throw new IllegalArgumentException("hostDefaultSecurity must be NONE, TLS or STARTTLS");
        }
        if (maxConnectionsPerAccount < 1 || maxConnectionsPerAccount > 64) {
            throw new IllegalArgumentException("maxConnectionsPerAccount must be between 1 and 64, was " + maxConnectionsPerAccount);
        }
        Objects.requireNonNull(protocolLog, "protocolLog");
    }

    /**
     * Sensible defaults: connect 10 s, read 60 s, write 60 s, JVM trust store, STARTTLS, 4 connections
     * per account, idle 30 s, pool wait 30 s, no protocol log.
     *
     * @return the defaults
     */
    public static TransportSettings defaults() {
        return new TransportSettings(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(60), null,
                Security.STARTTLS, 4, Duration.ofSeconds(30), Duration.ofSeconds(30), ProtocolLog.NONE);
    }

    /**
     * @return the TLS context, if one was configured
     */
    public Optional<SSLContext> tls() { return Optional.ofNullable(sslContext); }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero() || d.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException(name + " must be positive and at most one hour, was " + d);
        }
    }
}
