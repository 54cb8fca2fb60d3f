package dev.mailroom.spring.boot;

import dev.mailroom.jdbc.HostTransactions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.ConnectionHolder;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import java.sql.Connection;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;

/**
 * Spring-managed transactions for the JDBC store's transactional outbox: inside a transaction that Spring manages
 * for the store's {@link DataSource} ({@code @Transactional} with a {@code DataSourceTransactionManager},
 * {@code JdbcTransactionManager} or {@code JpaTransactionManager}), {@code mailroom.enqueue(…)} writes through the
 * transaction's connection and commits or rolls back with it. Outside one it changes nothing. The starter sets it
 * on the store it creates; a host that builds its own store passes it to
 * {@code JdbcStore.builder(dataSource).hostTransactions(new SpringTransactions(dataSource))}.
 *
 * <p>A transaction of another data source (or a JTA transaction Spring does not bind to this one) is not joined:
 * the mail is then stored at once, on its own, and one WARN says so. Thread-safe.
 */
public final class SpringTransactions implements HostTransactions {
    private static final Logger LOG = LoggerFactory.getLogger(SpringTransactions.class);

    private final DataSource dataSource;
    private final AtomicBoolean warned = new AtomicBoolean();

    /**
     * @param dataSource the data source of the JDBC store, the very one Spring's transaction manager manages
     */
    public SpringTransactions(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * The connection of the Spring transaction on this thread, if it manages the store's data source.
     *
     * @return the transaction's connection, or empty outside such a transaction
     */
    @Override
    public Optional<Connection> current() {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            return Optional.empty();
        }
        if (!(TransactionSynchronizationManager.getResource(dataSource) instanceof ConnectionHolder)) {
            if (warned.compareAndSet(false, true)) {
                LOG.warn("enqueue inside a Spring transaction that does not manage Mailroom's DataSource: the mail is stored at once,"
                        + " not with the transaction (use the same DataSource for the transaction manager and Mailroom)");
            }
            return Optional.empty();
        }
        return Optional.of(DataSourceUtils.getConnection(dataSource));
    }

    /**
     * Hands the connection back to Spring (the transaction goes on).
     *
     * @param connection a connection {@link #current()} gave
     */
    @Override
    public void release(Connection connection) {
        DataSourceUtils.releaseConnection(connection, dataSource);
    }
}
