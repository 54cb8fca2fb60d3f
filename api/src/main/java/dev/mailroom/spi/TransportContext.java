package dev.mailroom.spi;

import dev.mailroom.ResolvedAccount;
import dev.mailroom.Security;

import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.net.ssl.SSLContext;

/**
 * What a transport receives from Mailroom when it is opened: finite timeouts, TLS trust per account, the
 * host's default security, the protocol log, a clock, a shared scheduler, connection-pool limits and
 * the source of OAuth 2.0 access tokens. Mailroom's builder fills it; tests build one with
 * {@link #builder()}.
 *
 * <p>The interface grows by default methods, so a transport written against an older version keeps
 * compiling, and a test may implement only what it needs. Every method is cheap and thread-safe.
 */
public interface TransportContext {

    /** @return how long to wait for a TCP connection; positive and finite */
    default Duration connectTimeout() { return Duration.ofSeconds(10); }

    /** @return how long to wait for each server reply; positive and finite */
    default Duration readTimeout() { return Duration.ofSeconds(60); }

    /** @return how long a single write may block; positive and finite */
    default Duration writeTimeout() { return Duration.ofSeconds(60); }

    /**
     * The TLS context whose trust material checks the servers of an account. The default is the
     * Mailroom-wide one ({@link #defaultTls()}); a host that pins a tenant's own CA returns another.
     *
     * @param account the account the connection is for
     * @return the TLS context
     */
    default SSLContext tls(ResolvedAccount account) { return defaultTls(); }

    /** @return the Mailroom-wide TLS context; the JVM's default trust store unless the host configured one */
    default SSLContext defaultTls() {
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no default TLS context", e);
        }
    }

    /**
     * The name the server's certificate must carry, when it differs from the host connected to (a
     * relay reached by IP address or through a tunnel). Empty: the connect host.
     *
     * @param account the account the connection is for
     * @return the name to verify, if not the connect host
     */
    default Optional<String> tlsServerName(ResolvedAccount account) { return Optional.empty(); }

    /**
     * The TLS settings of an account in one value: its trust material with a stable {@link AccountTls#key()
     * key}, and the name to verify if not the connect host. Transports that keep connections compare the
     * key, not the identity of the context. The default combines {@link #tls(ResolvedAccount)} (keyed by
     * its identity) and {@link #tlsServerName(ResolvedAccount)}.
     *
     * @param account the account the connection is for
     * @return the account's TLS settings
     */
    default AccountTls accountTls(ResolvedAccount account) {
        SSLContext own = tls(account);
        AccountTls tls = own == defaultTls() ? AccountTls.mailroomWide()
                : AccountTls.trust("context@" + Integer.toHexString(System.identityHashCode(own)), own);
        Optional<String> name = tlsServerName(account);
        return name.isPresent() ? tls.verifyAs(name.get()) : tls;
    }

    /** @return the host's security for accounts that leave it at default: NONE, TLS or STARTTLS */
    default Security hostDefaultSecurity() { return Security.STARTTLS; }

    /** @return where the protocol dialogs of accounts with the debug flag go, redacted */
    default ProtocolLog protocolLog() { return ProtocolLog.NONE; }

    /** @return the clock for expiry and timing decisions */
    default Clock clock() { return Clock.systemUTC(); }

    /**
     * A scheduler for timers (idle sweeps, token refresh ahead of expiry). Shared: transports schedule
     * short tasks on it and never shut it down.
     *
     * @return the scheduler
     */
    default ScheduledExecutorService scheduler() { return SharedScheduler.INSTANCE; }

    /** @return limits for transports that keep connections per account (SMTP, IMAP) */
    default PoolLimits poolLimits() { return PoolLimits.defaults(); }

    /** @return the source of OAuth 2.0 access tokens; by default one that has none */
    default AccessTokens accessTokens() { return AccessTokens.none(); }

    /**
     * How long after a send starts the request that hands the message over may still begin. A transport that needs
     * several requests for one message (uploads before a final send) checks it before that last request; when it is
     * spent, it undoes what it made and fails with a retryable error that says nothing was sent, instead of sending
     * after the caller stopped expecting it. Mailroom sets it from the outbox lease (half of it), so that a send never
     * outlasts the lease of the entry it delivers and no other node sends the entry as well. Transports whose send is
     * one request may ignore it.
     *
     * @return the budget; empty for none (the default)
     */
    default Optional<Duration> sendBudget() { return Optional.empty(); }

    /**
     * A context with defaults, to change with the builder.
     *
     * @return a builder
     */
    static Builder builder() {
        return new Builder();
    }

    /**
     * @return a context with every default
     */
    static TransportContext defaults() {
        return builder().build();
    }

    /** Builds an immutable {@link TransportContext}. */
    final class Builder {
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration readTimeout = Duration.ofSeconds(60);
        private Duration writeTimeout = Duration.ofSeconds(60);
        private SSLContext sslContext;
        private Function<ResolvedAccount, AccountTls> accountTls;
        private Security hostDefaultSecurity = Security.STARTTLS;
        private ProtocolLog protocolLog = ProtocolLog.NONE;
        private Clock clock = Clock.systemUTC();
        private ScheduledExecutorService scheduler;
        private PoolLimits poolLimits = PoolLimits.defaults();
        private AccessTokens accessTokens = AccessTokens.none();
        private Duration sendBudget;

        private Builder() {
        }

        /**
         * @param connect how long to wait for a TCP connection
         * @param read how long to wait for each reply
         * @param write how long a single write may block
         * @return this builder
         * @throws IllegalArgumentException unless each is positive and at most one hour
         */
        public Builder timeouts(Duration connect, Duration read, Duration write) {
            this.connectTimeout = positive(connect, "connectTimeout");
            this.readTimeout = positive(read, "readTimeout");
            this.writeTimeout = positive(write, "writeTimeout");
            return this;
        }

        /**
         * @param context the Mailroom-wide TLS context, or {@code null} for the JVM's default trust store
         * @return this builder
         */
        public Builder tls(SSLContext context) {
            this.sslContext = context;
            return this;
        }

        /**
         * TLS per account: its own trust material (under a stable key) and the name to verify, if not the
         * connect host. Called for every connection, so it should be cheap; it must not return {@code null}
         * ({@link AccountTls#mailroomWide()} for the Mailroom-wide context).
         *
         * @param perAccount the TLS settings of an account
         * @return this builder
         */
        public Builder accountTls(Function<ResolvedAccount, AccountTls> perAccount) {
            this.accountTls = Objects.requireNonNull(perAccount, "perAccount");
            return this;
        }

        /**
         * @param security NONE, TLS or STARTTLS
         * @return this builder
         */
        public Builder hostDefaultSecurity(Security security) {
            Objects.requireNonNull(security, "security");
            if (security == Security.DEFAULT) {
                throw new IllegalArgumentException("hostDefaultSecurity must be NONE, TLS or STARTTLS");
            }
            this.hostDefaultSecurity = security;
            return this;
        }

        /**
         * @param log where protocol dialogs go
         * @return this builder
         */
        public Builder protocolLog(ProtocolLog log) {
            this.protocolLog = Objects.requireNonNull(log, "protocolLog");
            return this;
        }

        /**
         * @param value the clock
         * @return this builder
         */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * @param value a scheduler shared by the transports (its owner shuts it down)
         * @return this builder
         */
        public Builder scheduler(ScheduledExecutorService value) {
            this.scheduler = Objects.requireNonNull(value, "scheduler");
            return this;
        }

        /**
         * @param value the connection-pool limits
         * @return this builder
         */
        public Builder poolLimits(PoolLimits value) {
            this.poolLimits = Objects.requireNonNull(value, "poolLimits");
            return this;
        }

        /**
         * @param value the source of access tokens
         * @return this builder
         */
        public Builder accessTokens(AccessTokens value) {
            this.accessTokens = Objects.requireNonNull(value, "accessTokens");
            return this;
        }

        /**
         * @param value how long after a send starts its final request may begin (see {@link TransportContext#sendBudget()}),
         *              or {@code null} for none
         * @return this builder
         * @throws IllegalArgumentException unless positive
         */
        public Builder sendBudget(Duration value) {
            if (value != null && (value.isNegative() || value.isZero())) {
                throw new IllegalArgumentException("sendBudget must be positive, was " + value);
            }
            this.sendBudget = value;
            return this;
        }

        /** @return the context */
        public TransportContext build() {
            return new Built(this);
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero() || d.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException(name + " must be positive and at most one hour, was " + d);
            }
            return d;
        }

        /** The immutable context a builder makes. */
        private static final class Built implements TransportContext {
            private final Duration connectTimeout;
            private final Duration readTimeout;
            private final Duration writeTimeout;
            private final SSLContext sslContext;
            private final Function<ResolvedAccount, AccountTls> accountTls;
            private final Security hostDefaultSecurity;
            private final ProtocolLog protocolLog;
            private final Clock clock;
            private final ScheduledExecutorService scheduler;
            private final PoolLimits poolLimits;
            private final AccessTokens accessTokens;
            private final Duration sendBudget;

            Built(Builder b) {
                this.connectTimeout = b.connectTimeout;
                this.readTimeout = b.readTimeout;
                this.writeTimeout = b.writeTimeout;
                this.sslContext = b.sslContext;
                this.accountTls = b.accountTls;
                this.hostDefaultSecurity = b.hostDefaultSecurity;
                this.protocolLog = b.protocolLog;
                this.clock = b.clock;
                this.scheduler = b.scheduler;
                this.poolLimits = b.poolLimits;
                this.accessTokens = b.accessTokens;
                this.sendBudget = b.sendBudget;
            }

            @Override public Duration connectTimeout() { return connectTimeout; }
            @Override public Duration readTimeout() { return readTimeout; }
            @Override public Duration writeTimeout() { return writeTimeout; }

            @Override
            public AccountTls accountTls(ResolvedAccount account) {
                return accountTls == null ? AccountTls.mailroomWide()
                        : Objects.requireNonNull(accountTls.apply(account), "the per-account TLS function returned null");
            }

            @Override
            public SSLContext tls(ResolvedAccount account) {
                return accountTls(account).context().orElseGet(this::defaultTls);
            }

            @Override
            public SSLContext defaultTls() {
                return sslContext != null ? sslContext : TransportContext.super.defaultTls();
            }

            @Override
            public Optional<String> tlsServerName(ResolvedAccount account) {
                return accountTls(account).serverName();
            }

            @Override public Security hostDefaultSecurity() { return hostDefaultSecurity; }
            @Override public ProtocolLog protocolLog() { return protocolLog; }
            @Override public Clock clock() { return clock; }

            @Override
            public ScheduledExecutorService scheduler() {
                return scheduler != null ? scheduler : SharedScheduler.INSTANCE;
            }

            @Override public PoolLimits poolLimits() { return poolLimits; }
            @Override public AccessTokens accessTokens() { return accessTokens; }
            @Override public Optional<Duration> sendBudget() { return Optional.ofNullable(sendBudget); }

            @Override
            public String toString() {
                return "TransportContext[connect " + connectTimeout + ", read " + readTimeout + ", write " + writeTimeout + ", "
                        + hostDefaultSecurity + ", " + poolLimits + (sendBudget == null ? "" : ", send budget " + sendBudget) + (accountTls == null ? "" : ", TLS per account")
                        + (accessTokens == AccessTokens.none() ? "" : ", access tokens from the host") + "]"; // never the source's own toString
            }
        }
    }
}

/** The scheduler of contexts that were given none: one daemon thread for the JVM, created on first use. */
final class SharedScheduler {
    static final ScheduledExecutorService INSTANCE = create();

    private SharedScheduler() {
    }

    private static ScheduledExecutorService create() {
        AtomicInteger n = new AtomicInteger();
        ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "mailroom-transport-timer-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        s.setRemoveOnCancelPolicy(true);
        return s;
    }
}
