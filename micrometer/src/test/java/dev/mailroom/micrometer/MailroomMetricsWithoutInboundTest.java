package dev.mailroom.micrometer;

import dev.mailroom.AccountId;
import dev.mailroom.core.Mailroom;
import dev.mailroom.spi.OutboxRepository;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.LinkedHashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Hosts with mailroom-micrometer but without mailroom-inbound (an optional dependency). */
final class MailroomMetricsWithoutInboundTest {
    @Test
    @DisplayName("#15 meters: without mailroom-inbound on the class path MailroomMetrics' methods all resolve (Spring reflects over them)")
    void noInbound_methodsResolve() throws Exception {
        Set<URL> urls = new LinkedHashSet<>();
        for (Class<?> c : new Class<?>[] {MailroomMetrics.class, Mailroom.class, AccountId.class, OutboxRepository.class, MeterRegistry.class}) {
            urls.add(c.getProtectionDomain().getCodeSource().getLocation());
        }
        urls.remove(dev.mailroom.inbound.FetchReport.class.getProtectionDomain().getCodeSource().getLocation());
        try (URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
            assertThatThrownBy(() -> loader.loadClass("dev.mailroom.inbound.FetchReport")).isInstanceOf(ClassNotFoundException.class);
            Class<?> metrics = Class.forName(MailroomMetrics.class.getName(), false, loader);
            assertThat(metrics.getDeclaredMethods()).isNotEmpty();
            assertThat(Class.forName(MailroomMetrics.Builder.class.getName(), false, loader).getDeclaredMethods()).isNotEmpty();
        }
    }
}
