package dev.mailroom.spring.boot.autoconfigure;

import dev.mailroom.micrometer.InboundMetrics;
import dev.mailroom.micrometer.MailroomMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.util.Base64;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** mailroom-micrometer without mailroom-inbound: the meters work, no inbound class is needed. */
final class MailroomMetricsWithoutInboundTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, MailroomAutoConfiguration.class,
                    MailroomMetricsAutoConfiguration.class, MailroomInboundAutoConfiguration.class))
            .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
            .withPropertyValues("spring.datasource.url=jdbc:h2:mem:noinbound-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
                    "mailroom.secret-keys.k1=" + Base64.getEncoder().encodeToString(new byte[32]));

    @Test
    @DisplayName("#15 meters: with mailroom-inbound hidden the application starts with MailroomMetrics and without the inbound counters;"
            + " with it, the inbound counters are a bean")
    void inboundHidden_startsWithoutInboundMetrics() {
        runner.withClassLoader(new FilteredClassLoader("dev.mailroom.inbound")).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(MailroomMetrics.class).doesNotHaveBean(InboundMetrics.class)
                    .doesNotHaveBean(MailroomInboundLifecycle.class);
        });
        runner.run(context -> assertThat(context).hasNotFailed().hasSingleBean(MailroomMetrics.class).hasSingleBean(InboundMetrics.class));
    }
}
