package dev.mailroom.core.internal;

import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.spi.AuthorizationServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The OAuth providers of one Mailroom: those the host registered, then those {@link ServiceLoader} finds (one that
 * fails to load is reported and skipped, as for transports); two for one provider id fail fast naming both.
 */
public final class AuthorizationServers {
    private static final Logger LOG = LoggerFactory.getLogger(AuthorizationServers.class);
    private final Map<String, AuthorizationServer> byProvider;

    private AuthorizationServers(Map<String, AuthorizationServer> byProvider) {
        this.byProvider = byProvider;
    }

    /**
     * @param explicit registered by the host
     * @param discover whether to use the service loader
     * @param loader the class loader to search
     * @return the registry
     * @throws IllegalStateException when two servers name the same provider, or one names an invalid provider
     */
    public static AuthorizationServers create(List<AuthorizationServer> explicit, boolean discover, ClassLoader loader) {
        Map<String, AuthorizationServer> byProvider = new LinkedHashMap<>();
        explicit.forEach(s -> add(byProvider, s));
        if (discover) {
            Iterator<AuthorizationServer> it = ServiceLoader.load(AuthorizationServer.class, loader).iterator();
            while (true) {
                AuthorizationServer s;
                try {
                    if (!it.hasNext()) {
                        break;
                    }
                    s = it.next();
                } catch (ServiceConfigurationError e) {
                    LOG.warn("A Mailroom OAuth authorization server failed to load and is skipped: {}", e.getMessage(), e);
                    continue;
                }
                boolean replaced = explicit.stream().anyMatch(x -> x.getClass() == s.getClass() || x.provider().equals(s.provider()));
                if (!replaced) { // the host's own server for a provider takes the place of a discovered one
                    add(byProvider, s);
                }
            }
        }
        return new AuthorizationServers(byProvider);
    }

    private static void add(Map<String, AuthorizationServer> byProvider, AuthorizationServer s) {
        String id = s.provider();
        if (id == null || !id.matches("[a-z0-9-]{1,40}")) {
            throw new IllegalStateException("OAuth authorization server " + s.getClass().getName() + " has an invalid provider id '" + id + "'");
        }
        AuthorizationServer existing = byProvider.putIfAbsent(id, s);
        if (existing != null) {
            throw new IllegalStateException("Two OAuth authorization servers serve the provider '" + id + "': " + existing.getClass().getName()
                    + " and " + s.getClass().getName() + ". Remove one from the class path, or register the one you want explicitly.");
        }
    }

    /**
     * @param provider e.g. {@code google}
     * @return the server, if a module serves the provider
     */
    public Optional<AuthorizationServer> find(String provider) {
        return Optional.ofNullable(byProvider.get(provider));
    }

    /**
     * @param provider e.g. {@code google}
     * @param what what needs it, for the message
     * @return the server
     * @throws MailException {@link MailErrorCode#OAUTH_CLIENT_MISSING} naming the module to add
     */
    public AuthorizationServer get(String provider, String what) {
        return find(provider).orElseThrow(() -> new MailException(MailErrorCode.OAUTH_CLIENT_MISSING, what + " needs the OAuth provider '"
                + provider + "', which no module on the class path serves" + (byProvider.isEmpty() ? " (none is installed)"
                : " (installed: " + String.join(", ", byProvider.keySet()) + ")"), null,
                "Add the provider's module to the class path (mailroom-transport-gmail for google, mailroom-transport-graph for microsoft),"
                        + " or register its AuthorizationServer with Mailroom.builder().authorizationServer(...).", List.of(), null));
    }

    /** @return the provider ids served */
    public List<String> providers() {
        return List.copyOf(byProvider.keySet());
    }

    /** @return the shortest {@link AuthorizationServer#idleRefresh()} of the servers, empty when none asks for one */
    public Optional<java.time.Duration> shortestIdleRefresh() {
        return byProvider.values().stream().flatMap(s -> s.idleRefresh().stream()).filter(d -> !d.isNegative() && !d.isZero()).min(java.util.Comparator.naturalOrder());
    }
}
