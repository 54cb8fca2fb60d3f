/**
 * The SMTP transport (Angus Mail), found by {@link java.util.ServiceLoader} with the id {@code smtp}. Only
 * {@code dev.mailroom.smtp} is exported; {@code dev.mailroom.smtp.internal} is not reachable from other modules.
 */
module dev.mailroom.smtp {
    requires transitive dev.mailroom;
    requires jakarta.mail;
    requires org.eclipse.angus.mail;
    requires org.slf4j;

    exports dev.mailroom.smtp;

    provides dev.mailroom.spi.TransportProvider with dev.mailroom.smtp.SmtpTransportProvider;
}
