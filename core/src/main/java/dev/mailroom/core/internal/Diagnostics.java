package dev.mailroom.core.internal;

import dev.mailroom.Account;
import dev.mailroom.AccountHealth;
import dev.mailroom.AccountId;
import dev.mailroom.Authentication;
import dev.mailroom.DeliveryLogEntry;
import dev.mailroom.DeliveryLogQuery;
import dev.mailroom.Diagnosis;
import dev.mailroom.DiagnosisStep;
import dev.mailroom.Email;
import dev.mailroom.FieldProblem;
import dev.mailroom.MailContext;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.Receipt;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Secret;
import dev.mailroom.SenderPolicy;
import dev.mailroom.OAuthStatus;
import dev.mailroom.spi.AccessTokens;
import dev.mailroom.spi.AccountRepository;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.BinaryOperator;
import java.util.function.Function;

/**
 * Trying settings and judging accounts: the staged connection test, the test mail (both for stored accounts
 * and unsaved drafts) and an account's health from its recent traffic. Thread-safe.
 */
public final class Diagnostics {
    private final AccountRepository repository;
    private final Resolver resolver;
    private final TransportRegistry transports;
    private final Delivery delivery;
    private final DeliveryRecords records;
    private final Lifecycle lifecycle;
    private final BinaryOperator<Account> withStoredSecrets;
    private final BiFunction<DeliveryLogQuery, Integer, List<DeliveryLogEntry>> traffic;
    private final AccessTokens tokens;
    private final Function<Account, java.util.Optional<OAuthStatus>> oauthStatus;
    private final BiFunction<java.util.Collection<AccountId>, java.time.Instant, java.util.Map<AccountId, List<DeliveryLogEntry>>> healthEntries;

    /**
     * @param repository the stored accounts
     * @param resolver resolves drafts
     * @param transports the open transports
     * @param delivery sends test mails
     * @param records the delivery log
     * @param lifecycle whether the Mailroom is open
     * @param withStoredSecrets (draft, stored or {@code null}) → the draft with its placeholder secrets replaced by the stored ones
     * @param traffic (query, wanted) → up to {@code wanted} entries that count for health, newest first
     * @param tokens where transports get access tokens, for the token stage
     * @param oauthStatus an OAuth 2.0 account's connection status (empty for other accounts)
     * @param healthEntries (accounts, since) → the newest entries that count for health of each account, in one read
     */
    public Diagnostics(AccountRepository repository, Resolver resolver, TransportRegistry transports, Delivery delivery,
                       DeliveryRecords records, Lifecycle lifecycle, BinaryOperator<Account> withStoredSecrets,
                       BiFunction<DeliveryLogQuery, Integer, List<DeliveryLogEntry>> traffic, AccessTokens tokens,
                       Function<Account, java.util.Optional<OAuthStatus>> oauthStatus,
                       BiFunction<java.util.Collection<AccountId>, java.time.Instant, java.util.Map<AccountId, List<DeliveryLogEntry>>> healthEntries) {
        this.repository = repository;
        this.resolver = resolver;
        this.transports = transports;
        this.delivery = delivery;
        this.records = records;
        this.lifecycle = lifecycle;
        this.withStoredSecrets = withStoredSecrets;
        this.traffic = traffic;
        this.tokens = tokens;
        this.oauthStatus = oauthStatus;
        this.healthEntries = healthEntries;
    }

    /**
     * Tests an account's settings stage by stage; never throws for a failed stage.
     *
     * @param account the account or draft
     * @return the diagnosis
     */
    public Diagnosis diagnose(Account account) {
        Objects.requireNonNull(account, "account");
        lifecycle.ensureOpen();
        ResolvedAccount resolved;
        try {
            resolved = resolveDraft(account);
        } catch (MailException e) {
            return settingsFailure(account, e.getMessage(), e.code(), e.hint());
        }
        List<FieldProblem> problems;
        try {
            problems = transports.problemsForSending(resolved);
        } catch (MailException e) {
            return settingsFailure(account, e.getMessage(), e.code(), e.hint());
        }
        if (!problems.isEmpty()) {
            MailException e = MailException.fieldProblems(MailErrorCode.ACCOUNT_INCOMPLETE, "incomplete settings", problems);
            return settingsFailure(account, e.getMessage(), e.code(), e.hint());
        }
        String transportId;
        try {
            transportId = transports.select(resolved);
        } catch (MailException e) {
            return settingsFailure(account, e.getMessage(), e.code(), e.hint());
        }
        DiagnosisStep token = tokenStage(resolved);
        Diagnosis d = token != null && token.outcome() == DiagnosisStep.Outcome.FAILED
                ? new Diagnosis(account.email(), transportId, List.of(token), List.of(), List.of())
                : withStep(transports.get(transportId).diagnose(resolved), token);
        DiagnosisStep failure = d.failure().orElse(null);
        records.record(new DeliveryLogEntry(records.clock().instant(), account.id(), account.email().address(), account.tenant().orElse(null),
                DeliveryLogEntry.Operation.DIAGNOSE, failure == null ? DeliveryLogEntry.Outcome.SUCCESS : DeliveryLogEntry.Outcome.FAILURE,
                failure == null ? null : failure.code(), failure == null ? null : failure.serverReply(), null, transportId,
                failure == null ? "connection test passed" : failure.stage() + ": " + failure.detail()));
        return d;
    }

    /**
     * Getting an access token is a stage of its own for an account that logs in with OAuth 2.0: a revoked grant
     * fails here with the provider's reply, before anything is connected.
     *
     * @return the step, or {@code null} for an account that does not log in with a token
     */
    private DiagnosisStep tokenStage(ResolvedAccount resolved) {
        if (resolved.authentication().map(a -> a.kind() != Authentication.Kind.OAUTH2 && a.kind() != Authentication.Kind.MICROSOFT_APP).orElse(true)) {
            return null;
        }
        long t0 = System.nanoTime();
        try {
            tokens.token(resolved);
            return new DiagnosisStep(DiagnosisStep.Stage.TOKEN, DiagnosisStep.Outcome.PASSED, "got an access token", null, null, null,
                    Duration.ofNanos(System.nanoTime() - t0));
        } catch (MailException e) {
            return new DiagnosisStep(DiagnosisStep.Stage.TOKEN, DiagnosisStep.Outcome.FAILED, e.getMessage(), e.serverReply().orElse(null),
                    e.code(), e.hint(), Duration.ofNanos(System.nanoTime() - t0));
        }
    }

    /** The transport's diagnosis with the token stage in front, unless the transport reports that stage itself. */
    private static Diagnosis withStep(Diagnosis d, DiagnosisStep token) {
        if (token == null || d.step(DiagnosisStep.Stage.TOKEN).isPresent()) {
            return d;
        }
        List<DiagnosisStep> steps = new java.util.ArrayList<>();
        steps.add(token);
        steps.addAll(d.steps());
        return new Diagnosis(d.account(), d.transport(), steps, d.capabilities(), d.transcript());
    }

    /**
     * Sends a test mail with the given settings, saved or not; the draft is not stored.
     *
     * @param account a stored account or an unsaved draft
     * @param to the recipient
     * @return the receipt
     * @throws MailException on failure, with the server's reply and a hint
     */
    public Receipt sendTestMail(Account account, String to) {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(to, "to");
        lifecycle.ensureOpen();
        long t0 = System.nanoTime();
        MailContext ctx = account.tenant().map(MailContext::tenant).orElse(MailContext.system());
        ResolvedAccount resolved;
        String transportId;
        Email email;
        try {
            resolved = resolveDraft(account);
            List<FieldProblem> problems = transports.problemsForSending(resolved);
            if (!problems.isEmpty()) {
                throw MailException.fieldProblems(MailErrorCode.ACCOUNT_INCOMPLETE, "account '" + account.description() + "' cannot send", problems);
            }
            transportId = transports.select(resolved);
            email = Email.builder().to(to)
                    .subject("Mailroom test mail: " + account.description())
                    .noSignature()
                    .text("This is a test mail sent by Mailroom with the settings of the account '" + account.description()
                            + "' (" + account.email().address() + ").\r\nServer: " + resolved.smtpHost().orElse("-") + ":"
                            + resolved.smtpPort() + " (" + resolved.smtpSecurity() + ")\r\n\r\nIf you can read this, sending works.\r\n")
                    .build();
        } catch (MailException e) {
            records.failure(DeliveryLogEntry.Operation.TEST_MAIL, account.id(), ctx, account.email().address(), null, e, null);
            throw e;
        }
        return delivery.deliver(DeliveryLogEntry.Operation.TEST_MAIL, ctx,
                new Resolver.Choice(resolved, "the account under test", SenderPolicy.OWNER_ACCOUNT), transportId, email, t0);
    }

    /**
     * How an account is doing, from its real traffic of the last 24 hours in the delivery log.
     *
     * @param id the account
     * @return the health
     * @throws MailException {@link MailErrorCode#INVALID_ACCOUNT} if the account does not exist
     */
    public AccountHealth health(AccountId id) {
        Objects.requireNonNull(id, "id");
        Account account = repository.find(id).orElseThrow(() -> new MailException(MailErrorCode.INVALID_ACCOUNT, "no account with id " + id));
        if (!account.enabled()) {
            return new AccountHealth(AccountHealth.State.DISABLED, "the account is disabled", null);
        }
        List<DeliveryLogEntry> recent = traffic.apply(DeliveryLogQuery.since(records.clock().instant().minus(Duration.ofHours(24)))
                .account(id), HEALTH_ENTRIES);
        return health(account, recent);
    }

    /**
     * The health of several accounts with one read of the delivery log; equal to {@link #health(AccountId)} of each.
     *
     * @param ids the accounts
     * @return account → health, in the order given; accounts that do not exist are left out
     */
    public java.util.Map<AccountId, AccountHealth> health(java.util.Collection<AccountId> ids) {
        Objects.requireNonNull(ids, "ids");
        java.util.Map<AccountId, Account> accounts = new java.util.LinkedHashMap<>();
        java.util.Map<AccountId, Account> stored = new java.util.HashMap<>();
        for (Account a : repository.findAll()) {
            stored.put(a.id(), a);
        }
        for (AccountId id : ids) {
            Account a = stored.get(Objects.requireNonNull(id, "ids contains null"));
            if (a != null) {
                accounts.put(id, a);
            }
        }
        List<AccountId> enabled = accounts.values().stream().filter(Account::enabled).map(Account::id).toList();
        java.util.Map<AccountId, List<DeliveryLogEntry>> entries = enabled.isEmpty() ? java.util.Map.of()
                : healthEntries.apply(enabled, records.clock().instant().minus(Duration.ofHours(24)));
        java.util.Map<AccountId, AccountHealth> out = new java.util.LinkedHashMap<>();
        accounts.forEach((id, a) -> out.put(id, health(a, entries.getOrDefault(id, List.of()))));
        return out;
    }

    /** The newest entries health looks at. */
    public static final int HEALTH_ENTRIES = 20;

    private AccountHealth health(Account account, List<DeliveryLogEntry> recent) {
        if (!account.enabled()) {
            return new AccountHealth(AccountHealth.State.DISABLED, "the account is disabled", null);
        }
        DeliveryLogEntry lastFailure = recent.stream().filter(DeliveryLogEntry::isFailure).findFirst().orElse(null);
        MailException secret = unopenableSecret(account);
        if (secret != null) {
            return new AccountHealth(AccountHealth.State.AUTH_REQUIRED, secret.code() + ": " + secret.getMessage() + " " + secret.hint(),
                    lastFailure);
        }
        OAuthStatus oauth = oauthStatus.apply(account).orElse(null);
        if (oauth != null && oauth.state() != OAuthStatus.State.CONNECTED) {
            return new AccountHealth(AccountHealth.State.AUTH_REQUIRED, (oauth.state() == OAuthStatus.State.CLIENT_BROKEN
                    ? "OAuth 2.0, the OAuth client registration, not the account, needs fixing: " : "OAuth 2.0: ") + oauth.reason(), lastFailure);
        }
        if (recent.isEmpty()) {
            return new AccountHealth(AccountHealth.State.OK, "no attempts in the last 24 hours", null);
        }
        DeliveryLogEntry latest = recent.get(0);
        if (latest.isFailure()) {
            boolean login = latest.errorCode() != null && latest.errorCode().category() == MailErrorCode.Category.AUTHENTICATION;
            return new AccountHealth(login ? AccountHealth.State.AUTH_REQUIRED : AccountHealth.State.DEGRADED,
                    (login ? "login failed: " : "the latest attempt failed: ") + latest.reply().orElse(latest.detail()), latest);
        }
        long failures = recent.stream().limit(5).filter(DeliveryLogEntry::isFailure).count();
        return failures > 0
                ? new AccountHealth(AccountHealth.State.DEGRADED, failures + " of the last 5 attempts failed", lastFailure)
                : new AccountHealth(AccountHealth.State.OK, "the latest attempts succeeded", null);
    }

    /** The failure to open the account's stored secret on this node, or {@code null} when it opens (or there is none). */
    private static MailException unopenableSecret(Account account) {
        Secret secret = account.authentication().flatMap(Authentication::secret).orElse(null);
        if (secret == null || secret.isPlaceholder()) {
            return null;
        }
        try {
            secret.reveal(); // opened and dropped: only whether it opens matters here
            return null;
        } catch (MailException e) {
            return e;
        }
    }

    private ResolvedAccount resolveDraft(Account account) {
        Account withSecrets = account;
        if (account.authentication().flatMap(a -> a.secret()).map(s -> s.isPlaceholder()).orElse(false)) {
            withSecrets = withStoredSecrets.apply(account, repository.find(account.id()).orElse(null));
        }
        return resolver.resolveDraft(withSecrets);
    }

    private Diagnosis settingsFailure(Account account, String message, MailErrorCode code, String hint) {
        records.record(new DeliveryLogEntry(records.clock().instant(), account.id(), account.email().address(), account.tenant().orElse(null),
                DeliveryLogEntry.Operation.DIAGNOSE, DeliveryLogEntry.Outcome.FAILURE, code, null, null, null, message));
        return new Diagnosis(account.email(), account.transport().orElse("-"), List.of(new DiagnosisStep(DiagnosisStep.Stage.SETTINGS,
                DiagnosisStep.Outcome.FAILED, message, null, code, hint, Duration.ZERO)), List.of(), List.of());
    }
}
