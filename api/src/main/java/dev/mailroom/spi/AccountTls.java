package dev.mailroom.spi;

import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * How the TLS connections of one account are checked: which trust material (a tenant's own CA, or the
 * Mailroom-wide context) and, optionally, the name the server's certificate must carry when it is not
 * the host connected to (a relay reached by IP address or through a tunnel). Verification is never
 * switched off: with a name, the certificate must be issued for that name instead of the connect host.
 *
 * <p>The {@link #key()} names the trust material. Transports that keep connections (SMTP) reuse them
 * while the key stays the same, so a host may build a new {@link SSLContext} on every call without
 * opening new connections; give a new key when the trust material changes. Two values are equal when
 * their keys, their verification names and whether they have an own context are. Immutable.
 */
public final class AccountTls {
    private static final AccountTls MAILROOM_WIDE = new AccountTls("", null, null);

    private final String key;
    private final SSLContext context;
    private final String serverName;

    private AccountTls(String key, SSLContext context, String serverName) {
        this.key = key;
        this.context = context;
        this.serverName = serverName;
    }

    /** @return the Mailroom-wide trust material, verified against the connect host */
    public static AccountTls mailroomWide() {
        return MAILROOM_WIDE;
    }

    /**
     * The account's own trust material.
     *
     * @param key a stable name of this trust material (e.g. the tenant and the version of its CA); the same
     *     key means the same material
     * @param context the TLS context whose trust managers check the servers
     * @return the settings, verified against the connect host
     * @throws IllegalArgumentException if the key is blank
     */
    public static AccountTls trust(String key, SSLContext context) {
        Objects.requireNonNull(key, "key");
        if (key.isBlank()) {
            throw new IllegalArgumentException("the key of an account's trust material must not be blank");
        }
        return new AccountTls(key, Objects.requireNonNull(context, "context"), null);
    }

    /**
     * A copy whose certificates must be issued for the given name instead of the connect host.
     *
     * @param name a DNS name or an IP address literal
     * @return the copy
     * @throws IllegalArgumentException if the name is blank or contains white space
     */
    public AccountTls verifyAs(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank() || name.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
            throw new IllegalArgumentException("a TLS verification name must be a host name without spaces, was \""
                    + name.replaceAll("[\\r\\n]", "?") + "\"");
        }
        return new AccountTls(key, context, name);
    }

    /** @return the name of the trust material; empty for the Mailroom-wide one */
    public String key() {
        return key;
    }

    /** @return the account's own TLS context; empty for the Mailroom-wide one */
    public Optional<SSLContext> context() {
        return Optional.ofNullable(context);
    }

    /** @return the name the certificate must carry, if not the connect host */
    public Optional<String> serverName() {
        return Optional.ofNullable(serverName);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AccountTls t && key.equals(t.key) && (context == null) == (t.context == null) && Objects.equals(serverName, t.serverName);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, serverName);
    }

    @Override
    public String toString() {
        return "AccountTls[" + (context == null ? "Mailroom-wide trust" : "trust " + key)
                + (serverName == null ? "" : ", verify as " + serverName) + "]";
    }
}
