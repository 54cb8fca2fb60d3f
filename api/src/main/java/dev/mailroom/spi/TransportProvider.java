package dev.mailroom.spi;

import dev.mailroom.FieldProblem;
import dev.mailroom.ResolvedAccount;

import java.util.List;

/**
 * A transport module's entry point, found through {@link java.util.ServiceLoader} (register the class in
 * {@code META-INF/services/dev.mailroom.spi.TransportProvider}) or registered explicitly on the builder.
 *
 * <p>Implementations need a public no-argument constructor for the service loader and must be
 * stateless until {@link #open(TransportContext)}. Two providers with the same {@link #id()} are a
 * configuration error that Mailroom reports at build time, naming both classes.
 *
 * <pre>{@code
 * public final class SmtpTransportProvider implements TransportProvider {
 *     public String id() { return "smtp"; }
 *     public boolean supports(ResolvedAccount a) { return a.smtpHost().isPresent(); }
 *     public List<FieldProblem> validate(ResolvedAccount a) { ... }
 *     public Transport open(TransportContext context) { return new SmtpTransport(context); }
 * }
 * }</pre>
 */
public interface TransportProvider {

    /**
     * The stable id, e.g. {@code smtp}, {@code gmail}, {@code graph}: lower-case letters, digits and '-'.
     *
     * @return the id
     */
    String id();

    /**
     * Whether this transport can send through an account whose {@code transport} field is unset. An
     * account that names a transport id is always sent by that transport.
     *
     * @param account the resolved account
     * @return true if supported
     */
    boolean supports(ResolvedAccount account);

    /**
     * What this transport needs of an account that it does not have: each problem names the field and
     * what to do. Mailroom asks before it sends, diagnoses or sends a test mail, and refuses an account
     * with problems ({@link dev.mailroom.MailErrorCode#ACCOUNT_INCOMPLETE}); checks that every transport
     * shares (login data present, secrets available) are made by Mailroom and need not be repeated. Must
     * not connect anywhere.
     *
     * @param account the resolved account
     * @return the problems, empty when the account can be used
     */
    default List<FieldProblem> validate(ResolvedAccount account) {
        return List.of();
    }

    /**
     * What this transport can do; Mailroom reads it instead of asking which class the transport is.
     *
     * @return the capabilities
     */
    default TransportCapabilities capabilities() {
        return TransportCapabilities.defaults();
    }

    /**
     * Opens the transport. Called once per {@code Mailroom}, at build time.
     *
     * @param context timeouts, trust, pooling, tokens
     * @return the transport
     */
    Transport open(TransportContext context);
}
