package dev.mailroom.spring.boot.autoconfigure;

import dev.mailroom.core.Mailroom;
import dev.mailroom.inbound.Inbound;
import dev.mailroom.inbound.InboundHandler;
import dev.mailroom.jdbc.JdbcStore;
import dev.mailroom.micrometer.MailroomMetrics;
import dev.mailroom.spi.InboundStateRepository;
import dev.mailroom.spi.MailStore;
import dev.mailroom.spring.boot.InboundPollerCustomizer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Incoming mail when mailroom-inbound is on the class path and the application defines an {@link InboundHandler}
 * bean: an {@link Inbound} with that handler, its state in the JDBC store ({@link JdbcStore#inbound()}), and an
 * inbound poller started and stopped with the application context ({@link MailroomInboundLifecycle}), configured
 * by {@code mailroom.inbound.*}. Off with {@code mailroom.inbound.enabled=false}; every bean backs off for the
 * application's own.
 */
@AutoConfiguration(after = {MailroomAutoConfiguration.class, MailroomMetricsAutoConfiguration.class})
@ConditionalOnClass(name = "dev.mailroom.inbound.InboundPoller")
@ConditionalOnBean(type = {"dev.mailroom.inbound.InboundHandler", "dev.mailroom.core.Mailroom"})
@ConditionalOnProperty(prefix = "mailroom.inbound", name = "enabled", matchIfMissing = true)
public class MailroomInboundAutoConfiguration {
    /** Created by Spring. */
    public MailroomInboundAutoConfiguration() {
    }

    /** The fetch state in the JDBC store, so that a restart or another node knows what was stored and acknowledged. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "dev.mailroom.jdbc.JdbcStore")
    @ConditionalOnBean(type = "dev.mailroom.jdbc.JdbcStore")
    static class JdbcInboundStateConfiguration {
        @Bean
        @ConditionalOnMissingBean
        InboundStateRepository mailroomInboundState(JdbcStore store) {
            return store.inbound();
        }
    }

    /**
     * The fetcher with the application's handler (the only place the handler is used).
     *
     * @param state the fetch state
     * @param handler the application's handler, which stores each mail durably
     * @return the fetcher, with Mailroom's default timeouts
     */
    @Bean
    @ConditionalOnMissingBean
    public Inbound mailroomInbound(ObjectProvider<InboundStateRepository> state, InboundHandler handler) {
        return Inbound.builder(state(state), handler).build();
    }

    private static InboundStateRepository state(ObjectProvider<InboundStateRepository> state) {
        InboundStateRepository s = state.getIfAvailable();
        if (s == null) {
            throw new IllegalStateException("Mailroom inbound needs a durable place for its fetch state (what was stored and acknowledged):"
                    + " add mailroom-store-jdbc with a DataSource, define an InboundStateRepository bean, or set mailroom.inbound.enabled=false");
        }
        return s;
    }

    /**
     * The poller in the context's lifecycle.
     *
     * @param mailroom resolves the accounts
     * @param inbound the fetcher
     * @param state the fetch state and leases
     * @param store the store whose delivery log records fetches, if any
     * @param properties {@code mailroom.inbound.*}
     * @param customizers the application's adjustments
     * @return the lifecycle
     */
    @Bean
    @ConditionalOnMissingBean
    public MailroomInboundLifecycle mailroomInboundLifecycle(Mailroom mailroom, Inbound inbound, ObjectProvider<InboundStateRepository> state,
                                                             ObjectProvider<MailStore> store, MailroomProperties properties,
                                                             ObjectProvider<InboundPollerCustomizer> customizers) {
        MailStore s = store.getIfAvailable();
        return new MailroomInboundLifecycle(mailroom, inbound, state(state), s == null ? null : s.deliveryLog(), properties.getInbound(),
                customizers.orderedStream().toList());
    }

    /** Inbound counters in the meters, when mailroom-micrometer and its meters are there. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "dev.mailroom.micrometer.MailroomMetrics")
    @ConditionalOnBean(type = "dev.mailroom.micrometer.MailroomMetrics")
    static class InboundMetricsConfiguration {
        @Bean
        @ConditionalOnMissingBean(name = "mailroomInboundMetrics")
        InboundPollerCustomizer mailroomInboundMetrics(MailroomMetrics metrics) {
            return b -> b.reportListener(metrics::fetched);
        }
    }
}
