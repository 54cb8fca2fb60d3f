package dev.mailroom.core.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.mailroom.Account;
import dev.mailroom.EmailAddress;
import dev.mailroom.FieldProblem;
import dev.mailroom.MailContext;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Scope;
import dev.mailroom.Security;
import dev.mailroom.SenderPolicy;
import dev.mailroom.SystemMailSettings;
import dev.mailroom.TenantMailSettings;
import dev.mailroom.spi.AccountRepository;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Chooses the account for a context and an optional From address and fills its blanks.
 *
 * <p>Results, failures included, are cached per (generation, context, From). Every change the
 * repository reports bumps the generation, so an entry computed before a change can never be returned
 * after it, even if its computation raced with the change.
 */
public final class Resolver {
    /** A resolved account with the rule that chose it and the sender policy in force. */
    public record Choice(ResolvedAccount account, String rule, SenderPolicy policy) {
    }

    private record Key(long generation, MailContext context, String from) {
    }

    private record Outcome(Choice choice, MailException failure) {
    }

    /**
     * A stored account as the outbox needs it for each queued mail: the account (or {@code null} when it
     * was deleted), the system-wide mail switch, and the account resolved against its defaults account.
     */
    public record Stored(Account account, boolean mailEnabled, ResolvedAccount resolved) {
    }

    private record StoredKey(long generation, dev.mailroom.AccountId id) {
    }

    private final AccountRepository repository;
    private final java.util.function.Function<ResolvedAccount, List<FieldProblem>> sendingProblems;
    private final Security hostDefaultSecurity;
    private final AtomicLong generation = new AtomicLong();
    private final Cache<Key, Outcome> cache;
    private final Cache<StoredKey, Stored> stored;

    public Resolver(AccountRepository repository, Security hostDefaultSecurity, long cacheSize, Duration cacheTtl) {
        this(repository, hostDefaultSecurity, cacheSize, cacheTtl, r -> r.problemsForSending(r.account().copyToSent()));
    }

    /** @param sendingProblems what keeps a resolved account from sending: its transport's checks and the shared ones (issue #11) */
    public Resolver(AccountRepository repository, Security hostDefaultSecurity, long cacheSize, Duration cacheTtl,
                    java.util.function.Function<ResolvedAccount, List<FieldProblem>> sendingProblems) {
        this.sendingProblems = sendingProblems;
        this.repository = repository;
        this.hostDefaultSecurity = hostDefaultSecurity;
        this.cache = Caffeine.newBuilder().maximumSize(cacheSize).expireAfterWrite(cacheTtl).build();
        this.stored = Caffeine.newBuilder().maximumSize(cacheSize).expireAfterWrite(cacheTtl).build();
    }

    /**
     * @param account a resolved account
     * @return what keeps it from sending, field by field
     */
    public List<FieldProblem> problemsForSending(ResolvedAccount account) {
        return sendingProblems.apply(account);
    }

    /** Drops every cached result; called on each repository change. */
    public void invalidate() {
        generation.incrementAndGet();
        cache.invalidateAll();
        stored.invalidateAll();
    }

    /**
     * A stored account for the outbox, from the cache when possible: one repository read per account and
     * change instead of one per queued mail, and the same {@link ResolvedAccount} instance each time, so
     * that transports recognise their pooled connections.
     *
     * @param id the account id
     * @return the account, the mail switch and the resolution
     */
    public Stored stored(dev.mailroom.AccountId id) {
        return stored.get(new StoredKey(generation.get(), id), k -> {
            List<Account> all = repository.findAll();
            boolean enabled = repository.systemSettings().mailEnabled();
            Account account = first(all, a -> a.id().equals(id)).orElse(null);
            return new Stored(account, enabled, account == null ? null : resolve(all, account));
        });
    }

    public Security hostDefaultSecurity() {
        return hostDefaultSecurity;
    }

    /**
     * Resolves, from the cache when possible.
     *
     * @throws MailException when no account may send
     */
    public Choice resolve(MailContext context, EmailAddress from) {
        Key key = new Key(generation.get(), context, from == null ? null : from.address().toLowerCase(Locale.ROOT));
        Outcome o = cache.get(key, k -> {
            try {
                return new Outcome(compute(context, from), null);
            } catch (MailException e) {
                return new Outcome(null, e);
            }
        });
        if (o.failure() != null) {
            // a fresh exception per call: the cached one's stack trace would point at another caller
            MailException f = o.failure();
            throw new MailException(f.code(), f.getMessage(), f.serverReply().orElse(null), f.hint(), f.fieldProblems(), null);
        }
        return o.choice();
    }

    /** Resolves a draft (or any account) against the stored defaults account, uncached. */
    public ResolvedAccount resolveDraft(Account draft) {
        return ResolvedAccount.of(draft, defaultsFor(repository.findAll(), draft.tenant().orElse(null)), hostDefaultSecurity);
    }

    private Choice compute(MailContext ctx, EmailAddress from) {
        List<Account> all = repository.findAll();
        SystemMailSettings system = repository.systemSettings();

        // Without an enabled, configured system-wide server no mail is sent at all.
        if (!system.mailEnabled()) {
            throw new MailException(MailErrorCode.MAIL_DISABLED, "mail is disabled: the system-wide mail server is switched off");
        }
        Account systemAccount = first(all, a -> a.scope() == Scope.SYSTEM && a.systemAccount()).orElseThrow(() ->
                new MailException(MailErrorCode.MAIL_DISABLED, "mail is disabled: no system-wide account is flagged as system account"));
        if (!systemAccount.enabled()) {
            throw new MailException(MailErrorCode.MAIL_DISABLED, "mail is disabled: the system account '"
                    + systemAccount.description() + "' (" + systemAccount.email().address() + ") is disabled");
        }
        ResolvedAccount systemResolved = resolve(all, systemAccount);
        List<FieldProblem> systemProblems = problemsForSending(systemResolved);
        if (!systemProblems.isEmpty()) {
            throw MailException.fieldProblems(MailErrorCode.ACCOUNT_INCOMPLETE, "mail is disabled: the system account '"
                    + systemAccount.description() + "' (" + systemAccount.email().address() + ") is incomplete", systemProblems);
        }

        String tenant = ctx.tenant().orElse(null);
        boolean systemAllowed = true;
        boolean ownAllowed = true;
        SenderPolicy policy = system.senderPolicy();
        if (tenant != null) {
            TenantMailSettings ts = repository.tenantSettings(tenant);
            systemAllowed = ts.systemServerAllowed();
            ownAllowed = ts.ownServerAllowed();
            policy = ts.ownSenderPolicy().orElse(policy);
            if (!systemAllowed && !ownAllowed) {
                throw new MailException(MailErrorCode.TENANT_MAIL_FORBIDDEN, "mail is unavailable for tenant " + tenant
                        + ": the administrator forbade both the system-wide server and an own server");
            }
        }
        final boolean mayUseSystem = systemAllowed;
        final boolean mayUseOwn = ownAllowed;
        final SenderPolicy senderPolicy = policy;
        // Everything goes through the default account; the From address does not route.
        final boolean defaultSenderOnly = policy != SenderPolicy.OWNER_ACCOUNT;
        // Accounts this context may use at all.
        Predicate<Account> usable = a -> switch (a.scope()) {
            case SYSTEM -> mayUseSystem;
            case TENANT -> mayUseOwn && Objects.equals(a.tenant().orElse(null), tenant);
            case USER -> !ctx.isSystemMail() && (tenant == null || mayUseOwn)
                    && Objects.equals(a.tenant().orElse(null), tenant) && a.owner().equals(ctx.user());
            case DEPARTMENT -> !ctx.isSystemMail() && (tenant == null || mayUseOwn)
                    && Objects.equals(a.tenant().orElse(null), tenant) && a.owner().equals(ctx.department());
        };

        // The account that owns the From address; most specific first.
        if (from != null && !defaultSenderOnly) {
            Account owner = mostSpecific(all, a -> usable.test(a) && a.owns(from));
            if (owner == null) {
                throw new MailException(MailErrorCode.SENDER_NOT_ALLOWED, "no account in " + describe(ctx)
                        + " may send as " + from.address() + (anyOwns(all, from) ? " (an account owns it, but this context may not use it)" : ""));
            }
            return choose(all, owner, "the account that owns " + from.address() + " (A6)", senderPolicy);
        }
        if (ctx.incomingAddress().isPresent() && !defaultSenderOnly) {
            EmailAddress in = ctx.incomingAddress().get();
            Account owner = mostSpecific(all, a -> usable.test(a) && a.owns(in));
            if (owner != null) {
                return choose(all, owner, "the account the replied-to mail came in on, " + in.address() + " (A6)", senderPolicy);
            }
        }
        // Users and departments that send in their own name.
        if (!ctx.isSystemMail() && !defaultSenderOnly) {
            Optional<Account> own = ctx.user().flatMap(u -> first(all, a -> a.scope() == Scope.USER && a.enabled() && usable.test(a)));
            if (own.isPresent()) {
                return choose(all, own.get(), "user " + ctx.user().get() + "'s own account (A5)", senderPolicy);
            }
            Optional<Account> dept = ctx.department().flatMap(d -> first(all, a -> a.scope() == Scope.DEPARTMENT && a.enabled() && usable.test(a)));
            if (dept.isPresent()) {
                return choose(all, dept.get(), "department " + ctx.department().get() + "'s account (A5)", senderPolicy);
            }
        }
        // The tenant's own system account, else the system-wide one.
        if (tenant != null && mayUseOwn) {
            Optional<Account> tenantSystem = first(all, a -> a.scope() == Scope.TENANT && a.systemAccount()
                    && tenant.equals(a.tenant().orElse(null)));
            if (tenantSystem.isPresent()) {
                return choose(all, tenantSystem.get(), "tenant " + tenant + "'s system account (A4)"
                        + (defaultSenderOnly ? ", the default sender by policy " + senderPolicy : ""), senderPolicy);
            }
        }
        if (!mayUseSystem) {
            throw new MailException(MailErrorCode.TENANT_MAIL_FORBIDDEN, "mail is unavailable for tenant " + tenant
                    + ": it has no own server and the administrator forbade the system-wide one");
        }
        String why = tenant == null ? "the system account (A2)"
                : !mayUseOwn ? "the system-wide system account: tenant " + tenant + "'s own server is forbidden by the administrator (A4)"
                : "the system-wide system account: tenant " + tenant + " has none of its own (A4)";
        return new Choice(systemResolved, why
                + (defaultSenderOnly ? ", the default sender by policy " + senderPolicy : ""), senderPolicy);
    }

    private Choice choose(List<Account> all, Account account, String rule, SenderPolicy policy) {
        if (!account.enabled()) {
            throw new MailException(MailErrorCode.ACCOUNT_DISABLED, "account '" + account.description() + "' ("
                    + account.email().address() + ") is disabled");
        }
        ResolvedAccount r = resolve(all, account);
        List<FieldProblem> problems = problemsForSending(r);
        if (!problems.isEmpty()) {
            throw MailException.fieldProblems(MailErrorCode.ACCOUNT_INCOMPLETE, "account '" + account.description()
                    + "' (" + account.email().address() + ") cannot send", problems);
        }
        return new Choice(r, rule, policy);
    }

    private ResolvedAccount resolve(List<Account> all, Account account) {
        return ResolvedAccount.of(account, defaultsFor(all, account.tenant().orElse(null)), hostDefaultSecurity);
    }

    /** The first defaults account of the same tenant, else the first system-wide one. */
    static Account defaultsFor(List<Account> all, String tenant) {
        if (tenant != null) {
            Optional<Account> own = first(all, a -> a.defaultsAccount() && tenant.equals(a.tenant().orElse(null)));
            if (own.isPresent()) {
                return own.get();
            }
        }
        return first(all, a -> a.defaultsAccount() && a.scope() == Scope.SYSTEM).orElse(null);
    }

    private static Account mostSpecific(List<Account> all, Predicate<Account> p) {
        for (Scope s : new Scope[] {Scope.USER, Scope.DEPARTMENT, Scope.TENANT, Scope.SYSTEM}) {
            Optional<Account> enabled = first(all, a -> a.scope() == s && a.enabled() && p.test(a));
            if (enabled.isPresent()) {
                return enabled.get();
            }
        }
        return first(all, p).orElse(null); // only disabled ones: choose() reports ACCOUNT_DISABLED
    }

    private static boolean anyOwns(List<Account> all, EmailAddress from) {
        return all.stream().anyMatch(a -> a.owns(from));
    }

    private static Optional<Account> first(List<Account> all, Predicate<Account> p) {
        for (Account a : all) {
            if (p.test(a)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    private static String describe(MailContext ctx) {
        List<String> parts = new ArrayList<>();
        parts.add(ctx.tenant().map(t -> "tenant " + t).orElse("the system"));
        ctx.user().ifPresent(u -> parts.add("user " + u));
        ctx.department().ifPresent(d -> parts.add("department " + d));
        return String.join(", ", parts);
    }
}
