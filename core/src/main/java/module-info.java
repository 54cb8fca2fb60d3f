/**
 * Mailroom's engine: the {@code Mailroom} facade, resolution, rendering, the outbox workers and notifications.
 * Only {@code dev.mailroom.core} is exported; {@code dev.mailroom.core.internal} is not reachable from other modules.
 */
module dev.mailroom.core {
    requires transitive dev.mailroom;
    requires jakarta.mail;
    requires org.eclipse.angus.mail;
    requires org.slf4j;
    requires com.github.benmanes.caffeine;

    exports dev.mailroom.core;

    uses dev.mailroom.spi.TransportProvider;
    uses dev.mailroom.spi.AuthorizationServer;
}
