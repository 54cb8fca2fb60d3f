package dev.mailroom.core;

import dev.mailroom.Account;
import dev.mailroom.AccountField;
import dev.mailroom.AccountId;
import dev.mailroom.Authentication;
import dev.mailroom.FieldProblem;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Secret;
import dev.mailroom.SystemMailSettings;
import dev.mailroom.TenantMailSettings;
import dev.mailroom.core.internal.Resolver;
import dev.mailroom.spi.AccountRepository;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Account administration: create, update, delete and list accounts, and the system/tenant mail
 * settings. Obtained from {@link Mailroom#accounts()}; thread-safe.
 *
 * <p><b>Secrets are write-only.</b> Every account this class returns carries
 * {@link dev.mailroom.Secret#stored()} placeholders instead of secrets, with one exception:
 * {@link #resolvedForConnection(AccountId)} returns the secrets, for code of the host that connects to the account's
 * servers itself (such as the inbound poller); it is never for showing or returning to a client. Passing a redacted
 * account back to {@link #update(Account)} keeps the stored secret; to change it, set a new one.
 *
 * <p>Invalid input fails with {@link MailErrorCode#INVALID_ACCOUNT} and the problems per field, before
 * anything is stored. Changes invalidate Mailroom's resolution cache at once.
 */
public final class AccountAdmin {
    private final AccountRepository repository;
    private final Resolver resolver;
    private final Consumer<AccountId> evict;

    AccountAdmin(AccountRepository repository, Resolver resolver, Consumer<AccountId> evict) {
        this.repository = repository;
        this.resolver = resolver;
        this.evict = evict;
    }

    /**
     * Stores a new account at the end of the list.
     *
     * @param account the account, with its secret
     * @return the stored account, secrets redacted
     * @throws MailException {@link MailErrorCode#INVALID_ACCOUNT} if the id exists or a secret is missing
     */
    public Account create(Account account) {
        Objects.requireNonNull(account, "account");
        if (repository.find(account.id()).isPresent()) {
            throw invalid(account, new FieldProblem(AccountField.ID, "an account with id " + account.id() + " exists; use update"));
        }
        if (account.authentication().flatMap(Authentication::secret).map(s -> s.isPlaceholder()).orElse(false)) {
            throw invalid(account, new FieldProblem(AccountField.AUTHENTICATION, "a new account needs the secret itself, not a placeholder"));
        }
        repository.save(account);
        return account.redacted();
    }

    /**
     * Replaces an account, keeping its place in the list. A {@link dev.mailroom.Secret#stored()}
     * placeholder keeps the stored secret.
     *
     * @param account the new values
     * @return the stored account, secrets redacted
     * @throws MailException {@link MailErrorCode#INVALID_ACCOUNT} if the account does not exist
     */
    public Account update(Account account) {
        Objects.requireNonNull(account, "account");
        Account stored = repository.find(account.id()).orElseThrow(() ->
                invalid(account, new FieldProblem(AccountField.ID, "no account with id " + account.id() + "; use create")));
        Account merged = withStoredSecrets(account, stored);
        repository.save(merged);
        evict.accept(account.id());
        return merged.redacted();
    }

    /**
     * Deletes an account and closes its pooled connections.
     *
     * @param id the account
     * @return whether it existed
     */
    public boolean delete(AccountId id) {
        Objects.requireNonNull(id, "id");
        boolean deleted = repository.delete(id);
        evict.accept(id);
        return deleted;
    }

    /**
     * All accounts in list order, secrets redacted.
     *
     * @return the accounts
     */
    public List<Account> list() {
        return repository.findAll().stream().map(Account::redacted).toList();
    }

    /**
     * One account, secrets redacted.
     *
     * @param id the account
     * @return the account, if it exists
     */
    public Optional<Account> get(AccountId id) {
        return repository.find(Objects.requireNonNull(id, "id")).map(Account::redacted);
    }

    /**
     * What keeps a stored account from sending, field by field, after blanks are filled from the
     * defaults account. Empty when it can send.
     *
     * @param id the account
     * @return the problems
     * @throws MailException {@link MailErrorCode#INVALID_ACCOUNT} if the account does not exist
     */
    public List<FieldProblem> check(AccountId id) {
        Account a = repository.find(Objects.requireNonNull(id, "id")).orElseThrow(() ->
                new MailException(MailErrorCode.INVALID_ACCOUNT, "no account with id " + id));
        return resolver.problemsForSending(resolve(a));
    }

    /**
     * How a stored account resolves: effective values and where each came from. Secrets redacted.
     *
     * @param id the account
     * @return the resolved account
     */
    public ResolvedAccount resolved(AccountId id) {
        Account a = repository.find(Objects.requireNonNull(id, "id")).orElseThrow(() ->
                new MailException(MailErrorCode.INVALID_ACCOUNT, "no account with id " + id));
        return resolve(a).redacted();
    }

    /**
     * How a stored account resolves, with its secrets, for connecting to its servers outside the Mailroom (the
     * inbound poller fetches its mail with it, resolved again before each fetch). Never show, log or return it to a
     * client: {@link #resolved} is the redacted view for that.
     *
     * @param id the account
     * @return the resolved account, secrets included
     * @throws MailException {@link MailErrorCode#INVALID_ACCOUNT} if the account does not exist
     */
    public ResolvedAccount resolvedForConnection(AccountId id) {
        Account a = repository.find(Objects.requireNonNull(id, "id")).orElseThrow(() ->
                new MailException(MailErrorCode.INVALID_ACCOUNT, "no account with id " + id));
        return resolve(a);
    }

    /** @return the system-wide settings */
    public SystemMailSettings systemSettings() {
        return repository.systemSettings();
    }

    /**
     * Stores the system-wide settings.
     *
     * @param settings the settings
     */
    public void updateSystemSettings(SystemMailSettings settings) {
        repository.saveSystemSettings(Objects.requireNonNull(settings, "settings"));
    }

    /**
     * @param tenant the tenant
     * @return what the tenant is allowed
     */
    public TenantMailSettings tenantSettings(String tenant) {
        return repository.tenantSettings(Objects.requireNonNull(tenant, "tenant"));
    }

    /**
     * Stores what a tenant is allowed.
     *
     * @param tenant the tenant
     * @param settings the settings
     */
    public void updateTenantSettings(String tenant, TenantMailSettings settings) {
        repository.saveTenantSettings(Objects.requireNonNull(tenant, "tenant"), Objects.requireNonNull(settings, "settings"));
    }

    ResolvedAccount resolve(Account a) {
        return resolver.resolveDraft(a);
    }

    /** Replaces placeholder secrets by the stored ones (an update without a new secret keeps the old). */
    static Account withStoredSecrets(Account account, Account stored) {
        Authentication auth = account.authentication().orElse(null);
        if (auth == null || auth.secret().isEmpty() || !auth.secret().get().isPlaceholder()) {
            return account;
        }
        Authentication old = stored == null ? null : stored.authentication().orElse(null);
        // only a password is a secret of the account itself; OAuth clients keep theirs in the client registry
        if (auth.kind() != Authentication.Kind.PASSWORD || old == null || old.kind() != Authentication.Kind.PASSWORD
                || old.secret().map(Secret::isPlaceholder).orElse(true)) {
            throw invalid(account, new FieldProblem(AccountField.AUTHENTICATION,
                    "no password is stored for this account; enter the password"));
        }
        Authentication merged = Authentication.password(auth.username().orElseThrow(), old.secret().orElseThrow());
        return account.toBuilder().authentication(merged).build();
    }

    private static MailException invalid(Account a, FieldProblem p) {
        return MailException.fieldProblems(MailErrorCode.INVALID_ACCOUNT, "account '" + a.description() + "'", List.of(p));
    }
}
