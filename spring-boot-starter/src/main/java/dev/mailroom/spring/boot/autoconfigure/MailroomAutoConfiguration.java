package dev.mailroom.spring.boot.autoconfigure;

import dev.mailroom.core.AesGcmSecretCipher;
import dev.mailroom.core.Mailroom;
import dev.mailroom.core.MailroomListener;
import dev.mailroom.jdbc.HostTransactions;
import dev.mailroom.jdbc.JdbcStore;
import dev.mailroom.spi.AccessTokens;
import dev.mailroom.spi.AuthorizationServer;
import dev.mailroom.spi.MailStore;
import dev.mailroom.spi.NotificationTemplates;
import dev.mailroom.spi.ProtocolLog;
import dev.mailroom.spi.RecipientDirectory;
import dev.mailroom.spi.SecretCipher;
import dev.mailroom.spi.TransportProvider;
import dev.mailroom.spring.boot.MailroomBuilderCustomizer;
import dev.mailroom.spring.boot.SpringTransactions;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.Base64;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Mailroom in a Spring Boot application: a {@link Mailroom} configured from {@code mailroom.*}
 * ({@link MailroomProperties}), on a {@link JdbcStore} over the application's {@link DataSource} when
 * mailroom-store-jdbc is on the class path, with the application's beans for the recipient directory, notification
 * templates, authorization servers, transports, access tokens, protocol log and listeners; its outbox joins
 * Spring-managed transactions ({@link SpringTransactions}); its workers start and stop with the application context.
 * Every bean backs off when the application defines its own.
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
        "org.springframework.boot.autoconfigure.flyway.FlywayAutoConfiguration",
        "org.springframework.boot.autoconfigure.liquibase.LiquibaseAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration"})
@ConditionalOnClass(Mailroom.class)
@EnableConfigurationProperties(MailroomProperties.class)
public class MailroomAutoConfiguration {
    /** Created by Spring. */
    public MailroomAutoConfiguration() {
    }

    /**
     * The Mailroom: properties applied (unset ones keep Mailroom's defaults), the application's beans picked up, the
     * customizers run; its outbox workers wait for the application context to start. Closed with the context.
     *
     * @param properties {@code mailroom.*}
     * @param store the store (the JDBC store on the application's DataSource, or the application's own)
     * @param directory the application's users, if it defines them
     * @param templates notification templates, if the application defines them
     * @param authorizationServers OAuth providers the application registers
     * @param transports transports the application registers (found by ServiceLoader as well)
     * @param accessTokens the application's own access tokens, if any
     * @param protocolLog where the protocol dialog of debug accounts goes, if not to SLF4J
     * @param listeners listeners of delivery attempts (meters among them)
     * @param customizers the application's adjustments
     * @return the Mailroom
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public Mailroom mailroom(MailroomProperties properties, ObjectProvider<MailStore> store, ObjectProvider<RecipientDirectory> directory,
                             ObjectProvider<NotificationTemplates> templates, ObjectProvider<AuthorizationServer> authorizationServers,
                             ObjectProvider<TransportProvider> transports, ObjectProvider<AccessTokens> accessTokens,
                             ObjectProvider<ProtocolLog> protocolLog, ObjectProvider<MailroomListener> listeners,
                             ObjectProvider<MailroomBuilderCustomizer> customizers) {
        Mailroom.Builder b = Mailroom.builder().deferOutboxWorkers();
        store.ifAvailable(b::store);
        directory.ifAvailable(b::directory);
        templates.ifAvailable(b::notificationTemplates);
        authorizationServers.orderedStream().forEach(b::authorizationServer);
        transports.orderedStream().forEach(b::transport);
        accessTokens.ifAvailable(b::accessTokens);
        protocolLog.ifAvailable(b::protocolLog);
        listeners.orderedStream().forEach(b::listener);
        MailroomSettings.apply(properties, b);
        customizers.orderedStream().forEach(c -> c.customize(b));
        return b.build();
    }

    /**
     * Starts the outbox workers when the application context has started, stops them gracefully when it stops.
     *
     * @param mailroom the Mailroom
     * @return the lifecycle
     */
    @Bean
    @ConditionalOnMissingBean
    public MailroomLifecycle mailroomLifecycle(Mailroom mailroom) {
        return new MailroomLifecycle(mailroom);
    }

    /** The JDBC store on the application's one DataSource, unless the application builds its own Mailroom. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({JdbcStore.class, DataSource.class})
    @ConditionalOnSingleCandidate(DataSource.class)
    @ConditionalOnMissingBean(Mailroom.class)
    static class JdbcStoreConfiguration {
        /**
         * The store: migrations at start unless {@code mailroom.jdbc.migrate=false}; secrets sealed with the application's
         * {@link SecretCipher} bean or the keys of {@code mailroom.secret-keys}.
         */
        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean(MailStore.class)
        JdbcStore mailroomStore(DataSource dataSource, MailroomProperties properties, ObjectProvider<SecretCipher> cipher,
                                ObjectProvider<HostTransactions> hostTransactions) {
            JdbcStore.Builder b = JdbcStore.builder(dataSource)
                    .cipher(cipher.getIfAvailable(() -> cipher(properties)))
                    .migrate(properties.getJdbc().isMigrate());
            hostTransactions.ifAvailable(b::hostTransactions);
            if (properties.getJdbc().getChangePollInterval() != null) {
                b.changePollInterval(properties.getJdbc().getChangePollInterval());
            }
            return b.build();
        }

        /** The outbox joins Spring-managed transactions of the store's DataSource. */
        @Configuration(proxyBeanMethods = false)
        @ConditionalOnClass(name = "org.springframework.jdbc.datasource.DataSourceUtils")
        static class SpringTransactionsConfiguration {
            @Bean
            @ConditionalOnMissingBean
            HostTransactions mailroomHostTransactions(DataSource dataSource) {
                return new SpringTransactions(dataSource);
            }
        }
    }

    /** The cipher from {@code mailroom.secret-keys}; fails the start without a key (there is no default key). */
    static SecretCipher cipher(MailroomProperties properties) {
        Map<String, String> keys = properties.getSecretKeys();
        if (keys.isEmpty()) {
            throw new IllegalStateException("mailroom.secret-keys is empty: the JDBC store seals account secrets with AES-GCM and needs a key."
                    + " Set mailroom.secret-keys.<id>=<Base64 of 32 random bytes> from the environment or a secret manager"
                    + " (e.g. openssl rand -base64 32), or define a SecretCipher bean. Mailroom has no default key.");
        }
        AesGcmSecretCipher.Builder b = AesGcmSecretCipher.builder();
        keys.forEach((id, value) -> {
            byte[] key;
            try {
                key = Base64.getDecoder().decode(value.trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("mailroom.secret-keys." + id + " is not Base64: give the Base64 of 16 or 32 random bytes");
            }
            b.key(id, key);
        });
        if (properties.getActiveSecretKey() != null) {
            b.activeKey(properties.getActiveSecretKey());
        }
        return b.build();
    }
}
