package dev.mailroom.smtp;

import dev.mailroom.ResolvedAccount;
import dev.mailroom.smtp.internal.SmtpTransport;
import dev.mailroom.spi.Transport;
import dev.mailroom.spi.TransportProvider;
import dev.mailroom.spi.TransportSettings;

import java.util.Objects;

/**
 * The SMTP transport, id {@code smtp}. Registered for {@link java.util.ServiceLoader}; supports every
 * account with an SMTP host. Password and no authentication are supported; OAuth 2.0 (XOAUTH2) and
 * Microsoft app credentials fail with {@link dev.mailroom.MailErrorCode#AUTH_METHOD_NOT_SUPPORTED}
 * until their modules land.
 *
 * <p>Each opened transport keeps a small pool of connections per account (see
 * {@link TransportSettings#maxConnectionsPerAccount()}), validates idle connections before reuse,
 * closes them after {@link TransportSettings#connectionIdleTimeout()}, sets TCP_NODELAY, and applies
 * finite connect, read and write timeouts. Thread-safe.
 */
public final class SmtpTransportProvider implements TransportProvider {
    /** The transport id. */
    public static final String ID = "smtp";

    /** For the service loader. */
    public SmtpTransportProvider() {
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public boolean supports(ResolvedAccount account) {
        return account.smtpHost().isPresent();
    }

    @Override
    public Transport open(TransportSettings settings) {
        return new SmtpTransport(Objects.requireNonNull(settings, "settings"));
    }
}
