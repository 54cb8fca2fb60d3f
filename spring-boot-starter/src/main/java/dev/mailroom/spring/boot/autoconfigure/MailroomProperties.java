package dev.mailroom.spring.boot.autoconfigure;

import dev.mailroom.Security;
import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Mailroom's settings under {@code mailroom.*}. Every property left unset keeps Mailroom's own default (named in
 * each description); only secret keys have none, on purpose.
 */
@ConfigurationProperties("mailroom")
public class MailroomProperties {
    /** What an account's "default" encryption means: NONE, TLS or STARTTLS. Mailroom's default: STARTTLS. */
    private Security defaultSecurity;
    /** TCP connect timeout of every server connection. Mailroom's default: 10s. */
    private Duration connectTimeout;
    /** How long to wait for each server reply. Mailroom's default: 60s. */
    private Duration readTimeout;
    /** How long one write may block. Mailroom's default: 60s. */
    private Duration writeTimeout;
    /** How many resolutions (which account sends) to cache. Mailroom's default: 10000. */
    private Long resolutionCacheSize;
    /**
     * Keys that seal account and OAuth secrets at rest (AES-GCM): key id to the Base64 of 16 or 32 random bytes, e.g.
     * {@code mailroom.secret-keys.2026-11=${MAILROOM_KEY_2026_11}} from the environment or a secret manager. There is
     * no default key: with the JDBC store and no key, the application does not start.
     */
    private Map<String, String> secretKeys = new LinkedHashMap<>();
    /** Which of the secret keys seals new values; may be left out when there is one key. */
    private String activeSecretKey;
    /** Connection pools per account. */
    private final Pool pool = new Pool();
    /** The outbox and its workers. */
    private final Outbox outbox = new Outbox();
    /** The delivery log. */
    private final DeliveryLog deliveryLog = new DeliveryLog();
    /** The JDBC store on the application's DataSource. */
    private final Jdbc jdbc = new Jdbc();
    /** Micrometer meters. */
    private final Metrics metrics = new Metrics();
    /** Incoming mail (with mailroom-inbound and an InboundHandler bean). */
    private final Inbound inbound = new Inbound();

    /** @return see the field */
    public Security getDefaultSecurity() {
        return defaultSecurity;
    }

    /** @param defaultSecurity see the field */
    public void setDefaultSecurity(Security defaultSecurity) {
        this.defaultSecurity = defaultSecurity;
    }

    /** @return see the field */
    public Duration getConnectTimeout() {
        return connectTimeout;
    }

    /** @param connectTimeout see the field */
    public void setConnectTimeout(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    /** @return see the field */
    public Duration getReadTimeout() {
        return readTimeout;
    }

    /** @param readTimeout see the field */
    public void setReadTimeout(Duration readTimeout) {
        this.readTimeout = readTimeout;
    }

    /** @return see the field */
    public Duration getWriteTimeout() {
        return writeTimeout;
    }

    /** @param writeTimeout see the field */
    public void setWriteTimeout(Duration writeTimeout) {
        this.writeTimeout = writeTimeout;
    }

    /** @return see the field */
    public Long getResolutionCacheSize() {
        return resolutionCacheSize;
    }

    /** @param resolutionCacheSize see the field */
    public void setResolutionCacheSize(Long resolutionCacheSize) {
        this.resolutionCacheSize = resolutionCacheSize;
    }

    /** @return see the field */
    public Map<String, String> getSecretKeys() {
        return secretKeys;
    }

    /** @param secretKeys see the field */
    public void setSecretKeys(Map<String, String> secretKeys) {
        this.secretKeys = secretKeys;
    }

    /** @return see the field */
    public String getActiveSecretKey() {
        return activeSecretKey;
    }

    /** @param activeSecretKey see the field */
    public void setActiveSecretKey(String activeSecretKey) {
        this.activeSecretKey = activeSecretKey;
    }

    /** @return the pool settings */
    public Pool getPool() {
        return pool;
    }

    /** @return the outbox settings */
    public Outbox getOutbox() {
        return outbox;
    }

    /** @return the delivery log settings */
    public DeliveryLog getDeliveryLog() {
        return deliveryLog;
    }

    /** @return the JDBC store settings */
    public Jdbc getJdbc() {
        return jdbc;
    }

    /** @return the meter settings */
    public Metrics getMetrics() {
        return metrics;
    }

    /** Connection pools per account. */
    public static class Pool {
        /** Pooled connections per account, 1 to 64. Mailroom's default: 4. */
        private Integer maxConnectionsPerAccount;
        /** How long an idle pooled connection is kept. Mailroom's default: 30s. */
        private Duration idleTimeout;
        /** How long a send waits for a busy account's connection. Mailroom's default: 30s. */
        private Duration waitTimeout;

        /** @return see the field */
        public Integer getMaxConnectionsPerAccount() {
            return maxConnectionsPerAccount;
        }

        /** @param maxConnectionsPerAccount see the field */
        public void setMaxConnectionsPerAccount(Integer maxConnectionsPerAccount) {
            this.maxConnectionsPerAccount = maxConnectionsPerAccount;
        }

        /** @return see the field */
        public Duration getIdleTimeout() {
            return idleTimeout;
        }

        /** @param idleTimeout see the field */
        public void setIdleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
        }

        /** @return see the field */
        public Duration getWaitTimeout() {
            return waitTimeout;
        }

        /** @param waitTimeout see the field */
        public void setWaitTimeout(Duration waitTimeout) {
            this.waitTimeout = waitTimeout;
        }
    }

    /** The outbox and its workers. */
    public static class Outbox {
        /** Worker threads on this node, 0 to 64 (0: this node only enqueues). Mailroom's default: 2. */
        private Integer workers;
        /** How often idle workers look for due mail (also how soon mail committed in a transaction goes out). Mailroom's default: 1s. */
        private Duration pollInterval;
        /** How long a worker holds the mails it claimed; must exceed one send. Mailroom's default: 5m. */
        private Duration lease;
        /** How long sent and failed mails (and their idempotency keys) are kept. Mailroom's default: 7d. */
        private Duration retention;
        /** Retry timing. */
        private final Retry retry = new Retry();

        /** @return see the field */
        public Integer getWorkers() {
            return workers;
        }

        /** @param workers see the field */
        public void setWorkers(Integer workers) {
            this.workers = workers;
        }

        /** @return see the field */
        public Duration getPollInterval() {
            return pollInterval;
        }

        /** @param pollInterval see the field */
        public void setPollInterval(Duration pollInterval) {
            this.pollInterval = pollInterval;
        }

        /** @return see the field */
        public Duration getLease() {
            return lease;
        }

        /** @param lease see the field */
        public void setLease(Duration lease) {
            this.lease = lease;
        }

        /** @return see the field */
        public Duration getRetention() {
            return retention;
        }

        /** @param retention see the field */
        public void setRetention(Duration retention) {
            this.retention = retention;
        }

        /** @return the retry timing */
        public Retry getRetry() {
            return retry;
        }
    }

    /** Retry timing of the outbox. */
    public static class Retry {
        /** The first retry after about this long. Mailroom's default: 1m. */
        private Duration initialBackoff = Duration.ofMinutes(1);
        /** The longest backoff. Mailroom's default: 1h. */
        private Duration maxBackoff = Duration.ofHours(1);
        /** A message older than this fails. Mailroom's default: 5d. */
        private Duration maxAge = Duration.ofDays(5);
        /** How long an account problem (login, sender, TLS) pauses the account's mail. Mailroom's default: 5m. */
        private Duration accountPause = Duration.ofMinutes(5);

        /** @return see the field */
        public Duration getInitialBackoff() {
            return initialBackoff;
        }

        /** @param initialBackoff see the field */
        public void setInitialBackoff(Duration initialBackoff) {
            this.initialBackoff = initialBackoff;
        }

        /** @return see the field */
        public Duration getMaxBackoff() {
            return maxBackoff;
        }

        /** @param maxBackoff see the field */
        public void setMaxBackoff(Duration maxBackoff) {
            this.maxBackoff = maxBackoff;
        }

        /** @return see the field */
        public Duration getMaxAge() {
            return maxAge;
        }

        /** @param maxAge see the field */
        public void setMaxAge(Duration maxAge) {
            this.maxAge = maxAge;
        }

        /** @return see the field */
        public Duration getAccountPause() {
            return accountPause;
        }

        /** @param accountPause see the field */
        public void setAccountPause(Duration accountPause) {
            this.accountPause = accountPause;
        }
    }

    /** The delivery log. */
    public static class DeliveryLog {
        /** How long log entries are kept (e.g. 90d). Mailroom's default: kept until the application deletes them. */
        private Duration retention;

        /** @return see the field */
        public Duration getRetention() {
            return retention;
        }

        /** @param retention see the field */
        public void setRetention(Duration retention) {
            this.retention = retention;
        }
    }

    /** The JDBC store on the application's DataSource. */
    public static class Jdbc {
        /**
         * Whether the store applies its schema migrations at start. Turn off when Flyway or Liquibase run the scripts
         * from {@code classpath:db/migration/mailroom}.
         */
        private boolean migrate = true;
        /** How often to look for account changes other nodes made. The store's default: 5s. */
        private Duration changePollInterval;

        /** @return see the field */
        public boolean isMigrate() {
            return migrate;
        }

        /** @param migrate see the field */
        public void setMigrate(boolean migrate) {
            this.migrate = migrate;
        }

        /** @return see the field */
        public Duration getChangePollInterval() {
            return changePollInterval;
        }

        /** @param changePollInterval see the field */
        public void setChangePollInterval(Duration changePollInterval) {
            this.changePollInterval = changePollInterval;
        }
    }

    /** @return the inbound settings */
    public Inbound getInbound() {
        return inbound;
    }

    /** Incoming mail: the poller the starter runs when the application defines an InboundHandler bean. */
    public static class Inbound {
        /** Whether to fetch incoming mail when mailroom-inbound is on the class path and an InboundHandler bean exists. */
        private boolean enabled = true;
        /** How often each account is fetched (at least 100ms). The poller's default: 60s. */
        private Duration interval;
        /**
         * The ids of the accounts to fetch. Empty: every account with IMAP or POP3 settings when the application starts
         * (accounts added later are fetched after a restart).
         */
        private java.util.List<String> accounts = new java.util.ArrayList<>();

        /** @return see the field */
        public boolean isEnabled() {
            return enabled;
        }

        /** @param enabled see the field */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        /** @return see the field */
        public Duration getInterval() {
            return interval;
        }

        /** @param interval see the field */
        public void setInterval(Duration interval) {
            this.interval = interval;
        }

        /** @return see the field */
        public java.util.List<String> getAccounts() {
            return accounts;
        }

        /** @param accounts see the field */
        public void setAccounts(java.util.List<String> accounts) {
            this.accounts = accounts;
        }
    }

    /** Micrometer meters. */
    public static class Metrics {
        /** Whether delivery meters carry the account id as a tag (one series per account: only with few accounts). */
        private boolean accountTag;

        /** @return see the field */
        public boolean isAccountTag() {
            return accountTag;
        }

        /** @param accountTag see the field */
        public void setAccountTag(boolean accountTag) {
            this.accountTag = accountTag;
        }
    }
}
