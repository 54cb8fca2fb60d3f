package dev.mailroom.spring.boot.autoconfigure;

import dev.mailroom.core.Mailroom;
import dev.mailroom.inbound.Inbound;
import dev.mailroom.inbound.InboundHandler;
import dev.mailroom.jdbc.JdbcStore;
import dev.mailroom.micrometer.InboundMetrics;
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
 * by {@code mailroom.inbound.*}. The fetcher connects with the Mailroom's transport context
 * ({@link Mailroom#transportContext()}: its timeouts, TLS and OAuth tokens). Off with
 * {@code mailroom.inbound.enabled=false}; every bean backs off for the application's own (the poller also when the
 * application defines its own {@code InboundPoller} bean).
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
     * @param mailroom whose transport context (timeouts, TLS, OAuth tokens) the fetcher connects with
     * @return the fetcher
     */
    @Bean
    @ConditionalOnMissingBean
    public Inbound mailroomInbound(ObjectProvider<InboundStateRepository> state, InboundHandler handler, Mailroom mailroom) {
        return Inbound.builder(state(state), handler).context(mailroom.transportContext()).build();
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
    @ConditionalOnMissingBean({MailroomInboundLifecycle.class, dev.mailroom.inbound.InboundPoller.class})
    public MailroomInboundLifecycle mailroomInboundLifecycle(Mailroom mailroom, Inbound inbound, ObjectProvider<InboundStateRepository> state,
                                                             ObjectProvider<MailStore> store, MailroomProperties properties,
                                                             ObjectProvider<InboundPollerCustomizer> customizers) {
        MailStore s = store.getIfAvailable();
        return new MailroomInboundLifecycle(mailroom, inbound, state(state), s == null ? null : s.deliveryLog(), properties.getInbound(),
                customizers.orderedStream().toList());
    }

    /** Inbound counters in the meters, when mailroom-micrometer and its inbound counters are there (in addition to the application's listeners). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "dev.mailroom.micrometer.InboundMetrics")
    @ConditionalOnBean(type = "dev.mailroom.micrometer.InboundMetrics")
    static class InboundMetricsConfiguration {
        @Bean
        @org.springframework.core.annotation.Order(0) // before the application's customizers: the meters count before its listeners run
        @ConditionalOnMissingBean(name = "mailroomInboundMetricsListener")
        InboundPollerCustomizer mailroomInboundMetricsListener(InboundMetrics metrics) {
            return b -> b.reportListener(metrics);
        }
    }
}
