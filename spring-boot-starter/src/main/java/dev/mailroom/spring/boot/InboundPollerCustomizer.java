package dev.mailroom.spring.boot;

import dev.mailroom.inbound.InboundPoller;

/**
 * Adjusts the auto-configured inbound poller before it is built (threads, lease, node name, a report listener).
 * The starter runs every such bean, in order, each time the poller is built (when the application context starts).
 * Report listeners add up: one added here receives every report next to the starter's meters.
 *
 * <pre>{@code
 * @Bean
 * InboundPollerCustomizer pollerNode(@Value("${HOSTNAME:local}") String host) {
 *     return b -> b.node(host).threads(4).reportListener(report -> audit.fetched(report));
 * }
 * }</pre>
 */
@FunctionalInterface
public interface InboundPollerCustomizer {
    /**
     * Adjusts the builder.
     *
     * @param builder the poller's builder, accounts and interval already set
     */
    void customize(InboundPoller.Builder builder);
}
