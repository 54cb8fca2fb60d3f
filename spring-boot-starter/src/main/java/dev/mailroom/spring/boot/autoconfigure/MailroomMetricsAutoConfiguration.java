package dev.mailroom.spring.boot.autoconfigure;

import dev.mailroom.core.Mailroom;
import dev.mailroom.micrometer.MailroomMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Micrometer meters ({@link MailroomMetrics}) when mailroom-micrometer and a {@link MeterRegistry} bean are present:
 * the meters listen to the Mailroom, and the outbox gauges are bound once all beans exist. With mailroom-inbound on
 * the class path also the inbound counters ({@code InboundMetrics}), which the inbound poller feeds; without it no
 * class of mailroom-inbound is loaded.
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration"})
@ConditionalOnClass(name = {"io.micrometer.core.instrument.MeterRegistry", "dev.mailroom.micrometer.MailroomMetrics"})
@ConditionalOnBean(MeterRegistry.class)
public class MailroomMetricsAutoConfiguration {
    /** Created by Spring. */
    public MailroomMetricsAutoConfiguration() {
    }

    /**
     * The meters, a listener the Mailroom picks up.
     *
     * @param registry the application's registry
     * @param properties {@code mailroom.metrics.*}
     * @return the meters
     */
    @Bean
    @ConditionalOnMissingBean
    public MailroomMetrics mailroomMetrics(MeterRegistry registry, MailroomProperties properties) {
        return MailroomMetrics.builder(registry).accountTag(properties.getMetrics().isAccountTag()).build();
    }

    /**
     * Binds the outbox gauges to the Mailroom once every bean exists.
     *
     * @param metrics the meters
     * @param mailroom the Mailroom, if there is one
     * @return the binder
     */
    @Bean
    public SmartInitializingSingleton mailroomOutboxGauges(MailroomMetrics metrics, ObjectProvider<Mailroom> mailroom) {
        return () -> mailroom.ifAvailable(metrics::bindTo);
    }

    /** The inbound counters, only when mailroom-inbound is on the class path. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"dev.mailroom.inbound.FetchReport", "dev.mailroom.micrometer.InboundMetrics"})
    static class InboundMetricsConfiguration {
        @Bean
        @ConditionalOnMissingBean
        dev.mailroom.micrometer.InboundMetrics mailroomInboundMetrics(MeterRegistry registry, MailroomProperties properties) {
            return dev.mailroom.micrometer.InboundMetrics.create(registry, properties.getMetrics().isAccountTag());
        }
    }
}
