package dev.mailroom.spring.boot;

import dev.mailroom.inbound.InboundPoller;

/**
 * Adjusts the auto-configured inbound poller before it is built (threads, lease, node name, a report listener).
 * The starter runs every such bean, in order, each time the poller is built (when the application context starts).
 *
 * <pre>{@code
 * @Bean
 * InboundPollerCustomizer pollerNode() {
 *     return b -> b.node(System.getenv("HOSTNAME")).threads(4);
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
