package dev.mailroom.spi;

import java.util.Optional;

/**
 * Internationalized domain names: the ASCII form that goes into DNS and onto the SMTP wire (IDNA), and a
 * warning for domains that may imitate another one (UTS #39: mixed scripts, look-alike letters).
 *
 * <p>Mailroom uses one implementation per JVM, {@link #installed()}: the first one that
 * {@link java.util.ServiceLoader} finds (the module {@code mailroom-idn-icu} provides UTS #46, that is
 * IDNA2008, with ICU4J), else a built-in one on the JDK's {@link java.net.IDN}. The JDK implements
 * IDNA2003, which maps some names to a different domain ({@code faß.example} to {@code fass.example}); the
 * built-in implementation therefore refuses every label where IDNA2003 and IDNA2008 could disagree, so
 * that mail never goes to a domain other than the one written.
 *
 * <p>Implementations are stateless and thread-safe; their methods are pure functions of the input.
 *
 * <pre>{@code
 * String ehloName = DomainNames.installed().toAscii("büro.example"); // xn--bro-hoa.example
 * }</pre>
 */
public interface DomainNames {
    /**
     * The domain in ASCII: every non-ASCII label as an IDNA A-label ({@code xn--…}), ASCII labels as they are.
     * The result must be a host name: labels of 1 to 63 letters, digits and inner hyphens, at most 253
     * octets in all ({@link #installed()} checks this for every implementation).
     *
     * @param domain the domain as written, e.g. {@code bücher.example}
     * @return the ASCII form, e.g. {@code xn--bcher-kva.example}
     * @throws IllegalArgumentException if the domain cannot be used, with a reason a person can act on
     */
    String toAscii(String domain);

    /**
     * Why a domain may imitate another one: labels that mix scripts (a Cyrillic "а" in {@code pаypal.com}),
     * or consist of letters that look like Latin ones.
     *
     * @param domain the domain as written or in ASCII (A-labels are decoded first)
     * @return the reason, or empty when the domain looks like what it is
     */
    Optional<String> spoofWarning(String domain);

    /**
     * What this implementation follows, for logs and diagnostics.
     *
     * @return e.g. {@code "UTS #46 (ICU4J 77.1)"}
     */
    String description();

    /**
     * The implementation Mailroom uses in this JVM: the first one found by {@link java.util.ServiceLoader}
     * (a provider that fails to load is skipped), else the built-in one on the JDK. Looked up once.
     *
     * @return the implementation
     */
    static DomainNames installed() {
        return DomainNamesLoader.INSTALLED;
    }
}
