package dev.mailroom.spring.boot;

import dev.mailroom.core.Mailroom;

/**
 * A bean that adjusts the {@link Mailroom.Builder} the starter configured, before it builds: for options that
 * properties cannot express (an {@code SSLContext}, per-account TLS, a protocol log, the clock, system
 * information). Runs after the properties and the host beans were applied; setting an option twice fails, as the
 * builder always does. Customizers run in {@code @Order}.
 *
 * <pre>{@code
 * @Bean
 * MailroomBuilderCustomizer privateCa(SSLContext companyCa) {
 *     return builder -> builder.sslContext(companyCa);
 * }
 * }</pre>
 */
@FunctionalInterface
public interface MailroomBuilderCustomizer {
    /**
     * Adjusts the builder.
     *
     * @param builder the builder, with properties and host beans applied
     */
    void customize(Mailroom.Builder builder);
}
