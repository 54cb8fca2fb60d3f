package dev.mailroom.core.internal;

import dev.mailroom.AccountField;
import dev.mailroom.Authentication;
import dev.mailroom.FieldProblem;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.SendSettings;
import dev.mailroom.spi.Transport;
import dev.mailroom.spi.TransportProvider;
import dev.mailroom.spi.TransportCapabilities;
import dev.mailroom.spi.TransportContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The transports of one Mailroom: explicitly registered providers first, then those found with
 * {@link ServiceLoader}, the way SLF4J binds providers: a provider that fails to load is reported and
 * skipped; two providers with one id fail fast, naming both classes.
 */
public final class TransportRegistry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TransportRegistry.class);

    private final Map<String, TransportProvider> providers;
    private final Map<String, Transport> transports = new LinkedHashMap<>();
    private final List<String> loadFailures;

    private TransportRegistry(Map<String, TransportProvider> providers, List<String> loadFailures, TransportContext context) {
        this.providers = providers;
        this.loadFailures = List.copyOf(loadFailures);
        for (Map.Entry<String, TransportProvider> e : providers.entrySet()) {
            transports.put(e.getKey(), e.getValue().open(context));
        }
    }

    /**
     * Builds the registry.
     *
     * @param explicit providers the host registered itself
     * @param discover whether to load providers with the service loader
     * @param loader the class loader to search
     * @param context what each transport is opened with
     * @return the registry
     * @throws IllegalStateException if two providers share an id
     */
    public static TransportRegistry create(List<TransportProvider> explicit, boolean discover, ClassLoader loader,
                                           TransportContext context) {
        Map<String, TransportProvider> byId = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        for (TransportProvider p : explicit) {
            add(byId, p);
        }
        if (discover) {
            Iterator<TransportProvider> it = ServiceLoader.load(TransportProvider.class, loader).iterator();
            while (true) {
                TransportProvider p;
                try {
                    if (!it.hasNext()) {
                        break;
                    }
                    p = it.next();
                } catch (ServiceConfigurationError e) {
                    String msg = "A Mailroom transport provider failed to load and is skipped: " + e.getMessage();
                    LOG.warn(msg, e);
                    failures.add(msg);
                    continue;
                }
                if (explicit.stream().anyMatch(x -> x.getClass() == p.getClass())) {
                    continue; // registered explicitly and also on the class path: one instance is enough
                }
                add(byId, p);
            }
        }
        if (byId.isEmpty()) {
            LOG.warn("No Mailroom transport found: add a transport module (e.g. mailroom-transport-smtp) to the class path"
                    + " or register a TransportProvider on the builder. Sending will fail with NO_TRANSPORT.");
        }
        return new TransportRegistry(byId, failures, context);
    }

    private static void add(Map<String, TransportProvider> byId, TransportProvider p) {
        String id = p.id();
        if (id == null || !id.matches("[a-z][a-z0-9-]{0,31}")) {
            throw new IllegalStateException("Transport provider " + p.getClass().getName() + " has an invalid id '" + id + "'");
        }
        TransportProvider existing = byId.putIfAbsent(id, p);
        if (existing != null) {
            throw new IllegalStateException("Two Mailroom transport providers have the id '" + id + "': "
                    + existing.getClass().getName() + " and " + p.getClass().getName()
                    + ". Remove one from the class path, or register the one you want explicitly and turn discovery off.");
        }
    }

    /**
     * The transport id for an account: the one it names, else the one of its send kind
     * ({@link SendSettings.Kind#transport()}) when installed, else the first provider that supports it. The
     * provider must find the account complete ({@link TransportProvider#validate}) and must support the
     * account's kind of login ({@link TransportCapabilities#authentication()}).
     *
     * @param account the account
     * @return the id
     * @throws MailException {@link MailErrorCode#NO_TRANSPORT} naming the module to add, or
     *         {@link MailErrorCode#ACCOUNT_INCOMPLETE} naming the fields (an unsupported login is a problem of
     *         the authentication field: refused before anything is stored, it never holds the account's queue)
     */
    public String select(ResolvedAccount account) {
        if (account.transport().isPresent()) {
            String id = account.transport().get();
            TransportProvider p = providers.get(id);
            if (p == null) {
                throw new MailException(MailErrorCode.NO_TRANSPORT, "account " + account.account().email().address()
                        + " uses transport '" + id + "', which is not available (have: " + providers.keySet()
                        + "); add mailroom-transport-" + id + " to the class path");
            }
            return valid(id, p, account);
        }
        SendSettings.Kind kind = account.sending().map(SendSettings::kind).orElse(null);
        if (kind != null && providers.containsKey(kind.transport())) {
            return valid(kind.transport(), providers.get(kind.transport()), account);
        }
        for (Map.Entry<String, TransportProvider> e : providers.entrySet()) {
            if (e.getValue().supports(account)) {
                return valid(e.getKey(), e.getValue(), account);
            }
        }
        // An API kind whose module is missing: another transport's missing fields would be the wrong advice.
        if (kind != null && !kind.isSmtp()) {
            throw new MailException(MailErrorCode.NO_TRANSPORT, "account " + account.account().email().address()
                    + " sends with " + kind + ", whose transport '" + kind.transport() + "' is not available (have: "
                    + providers.keySet() + "); add mailroom-transport-" + kind.transport() + " to the class path");
        }
        // None supports it: what the transports miss tells the administrator which field to fill in.
        List<FieldProblem> missing = new ArrayList<>();
        for (TransportProvider p : providers.values()) {
            missing.addAll(p.validate(account));
        }
        if (!missing.isEmpty()) {
            throw MailException.fieldProblems(MailErrorCode.ACCOUNT_INCOMPLETE, "account '" + account.account().description() + "' ("
                    + account.account().email().address() + ") cannot send", missing.stream().distinct().toList());
        }
        throw new MailException(MailErrorCode.NO_TRANSPORT, "no transport supports account " + account.account().email().address()
                + " (available: " + providers.keySet() + ")" + (kind == null ? ""
                : "; add mailroom-transport-" + kind.transport() + " to the class path"));
    }

    private static String valid(String id, TransportProvider p, ResolvedAccount account) {
        List<FieldProblem> problems = new ArrayList<>(p.validate(account));
        Authentication.Kind login = account.authentication().map(Authentication::kind).orElse(Authentication.Kind.NONE);
        TransportCapabilities caps = p.capabilities();
        boolean loginSupported = caps.supports(TransportCapabilities.AuthenticationKind.of(login));
        if (!loginSupported) {
            problems.add(new FieldProblem(AccountField.AUTHENTICATION, "transport '" + id + "' cannot log in with "
                    + (account.authentication().isEmpty() ? "no authentication (NONE)" : login.toString())
                    + "; it supports " + new java.util.TreeSet<>(caps.authentication())
                    + ". Choose one of those, or another transport"));
        }
        if (!problems.isEmpty()) {
            throw MailException.fieldProblems(MailErrorCode.ACCOUNT_INCOMPLETE, "account '" + account.account().description() + "' ("
                    + account.account().email().address() + ") cannot send with transport '" + id + "'", problems);
        }
        return id;
    }

    /**
     * What the account's transport needs of it and does not have ({@link TransportProvider#validate}); when
     * no transport can be chosen, what each available one misses.
     *
     * @param account the account
     * @return the problems, empty when the account can be used
     * @throws MailException {@link MailErrorCode#NO_TRANSPORT} when the account names a transport that is not available
     */
    public List<FieldProblem> problems(ResolvedAccount account) {
        try {
            select(account);
            return List.of();
        } catch (MailException e) {
            if (e.code() == MailErrorCode.ACCOUNT_INCOMPLETE) {
                return e.fieldProblems();
            }
            throw e;
        }
    }

    /**
     * What keeps an account from sending: what its transport misses ({@link TransportProvider#validate}),
     * then the checks every transport shares; an IMAP server only where the Sent copy is made over IMAP.
     *
     * @param account the account
     * @return the problems, empty when the account can send
     * @throws MailException {@link MailErrorCode#NO_TRANSPORT} when the account names a transport that is not available
     */
    public List<FieldProblem> problemsForSending(ResolvedAccount account) {
        List<FieldProblem> problems = new java.util.ArrayList<>(problems(account));
        boolean sentCopyOverImap = account.account().copyToSent() && !capabilitiesFor(account).sentCopyByProvider();
        problems.addAll(account.problemsForSending(sentCopyOverImap));
        return problems;
    }

    /**
     * What the transport an account would use can do, without checking the account.
     *
     * @param account the account
     * @return the capabilities of its transport, or the defaults when none can be chosen
     */
    public TransportCapabilities capabilitiesFor(ResolvedAccount account) {
        TransportProvider p = account.transport().map(providers::get)
                .or(() -> account.sending().map(x -> providers.get(x.kind().transport())))
                .orElseGet(() -> providers.values().stream().filter(x -> x.supports(account)).findFirst().orElse(null));
        return p == null ? TransportCapabilities.defaults() : p.capabilities();
    }

    /**
     * @param id a transport id returned by {@link #select}
     * @return what the transport can do
     */
    public TransportCapabilities capabilities(String id) {
        TransportProvider p = providers.get(id);
        if (p == null) {
            throw new MailException(MailErrorCode.NO_TRANSPORT, "no transport '" + id + "'");
        }
        return p.capabilities();
    }

    /**
     * @param id a transport id returned by {@link #select}
     * @return the open transport
     */
    public Transport get(String id) {
        Transport t = transports.get(id);
        if (t == null) {
            throw new MailException(MailErrorCode.NO_TRANSPORT, "no transport '" + id + "'");
        }
        return t;
    }

    /** @return the ids of the available transports, in selection order */
    public List<String> ids() {
        return List.copyOf(providers.keySet());
    }

    /** @return messages of providers that failed to load */
    public List<String> loadFailures() {
        return loadFailures;
    }

    @Override
    public void close() {
        for (Transport t : transports.values()) {
            try {
                t.close();
            } catch (RuntimeException e) {
                LOG.warn("closing transport failed", e);
            }
        }
    }
}
