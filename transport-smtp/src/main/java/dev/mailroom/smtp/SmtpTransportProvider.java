package dev.mailroom.smtp;

import dev.mailroom.AccountField;
import dev.mailroom.FieldProblem;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.smtp.internal.SmtpTransport;
import dev.mailroom.spi.Transport;
import dev.mailroom.spi.TransportProvider;
import dev.mailroom.spi.TransportCapabilities;
import dev.mailroom.spi.TransportContext;

import java.util.List;
import java.util.Objects;

/**
 * The SMTP transport, id {@code smtp}. Registered for {@link java.util.ServiceLoader}; supports every
 * account with an SMTP host. Password, OAuth 2.0, Microsoft app credentials (app-only XOAUTH2 with
 * {@code SMTP.SendAsApp}, the account's address as the user) and no authentication are supported.
 *
 * <p>OAuth 2.0 accounts log in with XOAUTH2. Each new connection takes its access token from
 * {@link TransportContext#accessTokens()}; a token the server refuses ({@code 535}) is refreshed once with
 * {@link dev.mailroom.spi.AccessTokens#refresh} and the login tried once more, a second refusal fails with
 * {@link dev.mailroom.MailErrorCode#AUTH_FAILED}. A failure of the token source keeps its own code and
 * nothing is sent. Connections that are logged in stay usable after their token expires; the token is
 * never part of a pool key, a protocol log, an exception or a {@code toString}. The copy to the IMAP Sent
 * folder logs in the same way.
 *
 * <p>Each opened transport keeps a small pool of connections per account (see
 * {@link dev.mailroom.spi.PoolLimits#maxConnectionsPerAccount()}), validates idle connections before reuse,
 * closes them after {@link dev.mailroom.spi.PoolLimits#idleTimeout()}, sets TCP_NODELAY, and applies
 * finite connect, read and write timeouts. Messages are written to the connection in large writes; where the
 * server offers them, MAIL FROM, RCPT TO and DATA are pipelined (RFC 2920) and BDAT replaces DATA (RFC 3030).
 * A server that breaks an extension it advertised is sent to with the plain sequence from then on; a message
 * that cannot have been delivered yet goes once more on a fresh connection, one that may have been is reported
 * as {@link dev.mailroom.MailErrorCode#DELIVERY_UNCERTAIN}. Thread-safe.
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

    /** An account sent over SMTP needs an SMTP host. */
    @Override
    public List<FieldProblem> validate(ResolvedAccount account) {
        if (account.smtpHost().isEmpty()) {
            return List.of(new FieldProblem(AccountField.SMTP_HOST, "is missing, on the account and on the defaults account"));
        }
        return List.of();
    }

    /**
     * The Sent copy over IMAP (not by the server), no fixed size limit (the server's SIZE is checked per connection), SMTPUTF8
     * where offered; no login, password or OAuth 2.0.
     */
    @Override
    public TransportCapabilities capabilities() {
        return CAPABILITIES;
    }

    private static final TransportCapabilities CAPABILITIES = TransportCapabilities.builder()
            .sentCopyByProvider(false).smtpUtf8(true)
            .authentication(TransportCapabilities.AuthenticationKind.NONE, TransportCapabilities.AuthenticationKind.PASSWORD,
                    TransportCapabilities.AuthenticationKind.OAUTH2, TransportCapabilities.AuthenticationKind.APP_CREDENTIALS)
            .build();

    @Override
    public Transport open(TransportContext context) {
        return new SmtpTransport(Objects.requireNonNull(context, "context"));
    }
}
