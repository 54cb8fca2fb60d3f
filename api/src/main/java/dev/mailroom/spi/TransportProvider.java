package dev.mailroom.spi;

import dev.mailroom.ResolvedAccount;

/**
 * A transport module's entry point, found through {@link java.util.ServiceLoader} (register the class in
 * {@code META-INF/services/dev.mailroom.spi.TransportProvider}) or registered explicitly on the builder.
 *
 * <p>Implementations need a public no-argument constructor for the service loader and must be
 * stateless until {@link #open(TransportSettings)}. Two providers with the same {@link #id()} are a
 * configuration error that Mailroom reports at build time, naming both classes.
 *
 * <pre>{@code
 * public final class SmtpTransportProvider implements TransportProvider {
 *     public String id() { return "smtp"; }
 *     public boolean supports(ResolvedAccount a) { return a.smtpHost().isPresent(); }
 *     public Transport open(TransportSettings s) { return new SmtpTransport(s); }
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
     * Opens the transport. Called once per {@code Mailroom}, at build time.
     *
     * @param settings timeouts, trust, pooling
     * @return the transport
     */
    Transport open(TransportSettings settings);
}
