package dev.mailroom.jdbc;

import dev.mailroom.jdbc.internal.Migrations;
import dev.mailroom.spi.MailStore;
import dev.mailroom.spi.OAuthStore;
import dev.mailroom.spi.SecretCipher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * Mailroom's JDBC store on a host-supplied {@link DataSource}: H2 embedded, PostgreSQL for several nodes.
 * Applies its schema migrations at build time (turn that off when the host runs the scripts from
 * {@code db/migration/mailroom/} with its own Flyway or Liquibase).
 *
 * <p><b>Several nodes.</b> Every write bumps a version stamp. Each store polls it every
 * {@link Builder#changePollInterval(Duration)} (default 5 s) and tells its listeners, so a node's
 * Mailroom drops cached resolutions at once after its own writes and within that interval after
 * another node's.
 *
 * <pre>{@code
 * JdbcStore store = JdbcStore.builder(dataSource)
 *     .cipher(AesGcmSecretCipher.builder().key("2026-11", keyFromVault).build())
 *     .build();
 * Mailroom mailroom = Mailroom.builder().store(store).build();   // accounts, delivery log, outbox, preferences, OAuth
 * }</pre>
 *
 * <p>Thread-safe. Close it on shutdown (stops the poller; the data source stays the host's).
 */
public final class JdbcStore implements MailStore, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcStore.class);

    private final JdbcAccountRepository accounts;
    private final JdbcDeliveryLog deliveryLog;
    private final JdbcOutboxRepository outbox;
    private final JdbcNotificationPreferences preferences;
    private final JdbcOAuthStore oauth;
    private final JdbcInboundState inbound;
    private final ScheduledExecutorService poller;
    private final TransactionJoin join;

    private JdbcStore(Builder b) {
        if (b.migrate) {
            Migrations.migrate(b.dataSource);
        }
        this.accounts = new JdbcAccountRepository(b.dataSource, b.cipher);
        this.deliveryLog = new JdbcDeliveryLog(b.dataSource);
        this.join = new TransactionJoin(b.hostTransactions);
        this.outbox = new JdbcOutboxRepository(b.dataSource, join);
        this.preferences = new JdbcNotificationPreferences(b.dataSource);
        this.oauth = new JdbcOAuthStore(b.dataSource, b.cipher);
        this.inbound = new JdbcInboundState(b.dataSource);
        accounts.pollChanges(); // the starting point, read now: a change made before the first poll must not be missed
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mailroom-jdbc-change-poller");
            t.setDaemon(true);
            return t;
        });
        long ms = b.changePollInterval.toMillis();
        poller.scheduleWithFixedDelay(() -> {
            try {
                accounts.pollChanges();
            } catch (RuntimeException e) {
                LOG.warn("polling the Mailroom change stamp failed; retrying in {} ms", ms, e);
            }
        }, ms, ms, TimeUnit.MILLISECONDS);
    }

    /**
     * A builder over a data source.
     *
     * @param dataSource the host's data source (pooled, ideally)
     * @return the builder
     */
    public static Builder builder(DataSource dataSource) {
        return new Builder(Objects.requireNonNull(dataSource, "dataSource"));
    }

    /** @return accounts, settings and signatures */
    @Override
    public JdbcAccountRepository accounts() {
        return accounts;
    }

    /** @return users' notification choices, for {@code Mailroom.builder().notificationPreferences(…)} */
    @Override
    public JdbcNotificationPreferences preferences() {
        return preferences;
    }

    /** @return the outbox behind {@code Mailroom#enqueue} */
    @Override
    public JdbcOutboxRepository outbox() {
        return outbox;
    }

    /** @return OAuth clients, started consents and accounts' grants, secrets sealed with the store's cipher */
    @Override
    public Optional<OAuthStore> oauth() {
        return Optional.of(oauth);
    }

    /** @return what the mail fetcher remembers: fetched messages, import cursors, quarantined messages */
    public JdbcInboundState inbound() {
        return inbound;
    }

    /** @return the delivery log */
    @Override
    public JdbcDeliveryLog deliveryLog() {
        return deliveryLog;
    }

    /**
     * Runs {@code work} (typically {@code mailroom.enqueue(…)}) with the outbox joining the host's transaction on
     * {@code connection}: the entries are written through that connection and commit or roll back with the host's
     * own work; the store neither commits, rolls back nor closes it. A refused enqueue rolls back only its own
     * statements (a savepoint), so the host's transaction stays usable. Workers find the entries once the host
     * commits, at their next poll. For plain JDBC; a Spring application gets this from its transactions.
     *
     * <pre>{@code
     * try (Connection c = dataSource.getConnection()) {
     *     c.setAutoCommit(false);
     *     invoices.insert(c, invoice);
     *     store.joinTransaction(c, () -> mailroom.enqueue(ctx, invoiceMail, "invoice-4711"));
     *     c.commit();                      // the mail goes out now; on c.rollback() it never does
     * }
     * }</pre>
     *
     * @param connection the host's connection to the store's database, auto-commit off
     * @param work what to run on this thread with the transaction joined
     * @param <T> what the work returns
     * @return what the work returned
     * @throws IllegalArgumentException when the connection is in auto-commit mode
     * @throws IllegalStateException when this thread is already joined to another connection
     */
    public <T> T joinTransaction(java.sql.Connection connection, java.util.function.Supplier<T> work) {
        return join.join(connection, work);
    }

    /** Stops the change poller. Idempotent. */
    @Override
    public void close() {
        poller.shutdownNow();
    }

    /** Configures a {@link JdbcStore}. */
    public static final class Builder {
        private final DataSource dataSource;
        private SecretCipher cipher;
        private boolean migrate = true;
        private Duration changePollInterval = Duration.ofSeconds(5);
        private HostTransactions hostTransactions = HostTransactions.NONE;

        private Builder(DataSource dataSource) {
            this.dataSource = dataSource;
        }

        /**
         * Where the outbox finds the host's transaction on the enqueuing thread, to write through it (a
         * transactional outbox): for a transaction manager such as Spring's. Default: {@link HostTransactions#NONE}
         * ({@link JdbcStore#joinTransaction} still works).
         *
         * @param transactions the host's transactions
         * @return this
         */
        public Builder hostTransactions(HostTransactions transactions) {
            this.hostTransactions = Objects.requireNonNull(transactions, "hostTransactions");
            return this;
        }

        /**
         * The cipher that seals secrets at rest. Required.
         *
         * @param cipher e.g. {@code AesGcmSecretCipher}
         * @return this
         */
        public Builder cipher(SecretCipher cipher) {
            this.cipher = Objects.requireNonNull(cipher, "cipher");
            return this;
        }

        /**
         * Whether to apply the schema migrations at build time. Default true.
         *
         * @param migrate false when the host runs the scripts itself
         * @return this
         */
        public Builder migrate(boolean migrate) {
            this.migrate = migrate;
            return this;
        }

        /**
         * How often to look for changes other nodes made. Default 5 s.
         *
         * @param interval 10 ms to 10 minutes
         * @return this
         */
        public Builder changePollInterval(Duration interval) {
            Objects.requireNonNull(interval, "interval");
            if (interval.toMillis() < 10 || interval.compareTo(Duration.ofMinutes(10)) > 0) {
                throw new IllegalArgumentException("changePollInterval must be between 10 ms and 10 minutes, was " + interval);
            }
            this.changePollInterval = interval;
            return this;
        }

        /**
         * Migrates (unless turned off) and starts the change poller.
         *
         * @return the store
         * @throws IllegalStateException without a cipher
         * @throws dev.mailroom.MailException {@link dev.mailroom.MailErrorCode#STORE_FAILED} when a migration fails
         */
        public JdbcStore build() {
            if (cipher == null) {
                throw new IllegalStateException("a SecretCipher is required: secrets are never stored in plain text");
            }
            return new JdbcStore(this);
        }
    }
}
