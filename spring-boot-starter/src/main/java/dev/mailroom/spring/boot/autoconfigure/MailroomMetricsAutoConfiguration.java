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

/**
 * Micrometer meters ({@link MailroomMetrics}) when mailroom-micrometer and a {@link MeterRegistry} bean are present:
 * the meters listen to the Mailroom, and the outbox gauges are bound once all beans exist.
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
}
