package dev.mailroom.spi;

import dev.mailroom.Account;
import dev.mailroom.AccountId;
import dev.mailroom.Signature;
import dev.mailroom.SystemMailSettings;
import dev.mailroom.TenantMailSettings;

import java.util.List;
import java.util.Optional;

/**
 * Where accounts and mail settings live: the host's own storage, Mailroom's JDBC store, or the
 * in-memory implementation in core.
 *
 * <p><b>Order matters.</b> {@link #findAll()} returns accounts in the administrator's list order: the
 * first system account in that order sends system mail, the first defaults account fills
 * blanks. A new account goes to the end of the list; an update keeps its place.
 *
 * <p><b>Secrets.</b> The repository stores what it is given, secrets included, and returns them: it
 * is below the write-only boundary, which the facade enforces. A {@link dev.mailroom.Secret#stored()}
 * placeholder never reaches {@link #save(Account)}: the facade replaces it with the stored secret.
 *
 * <p><b>Changes.</b> Mailroom caches resolutions. A repository must call its listeners after every
 * change it makes, and should call them when it learns of changes made elsewhere (another node, the
 * host's own admin UI writing the tables directly). A host that cannot notify can call
 * {@code Mailroom#invalidateCaches()} instead.
 *
 * <p><b>Threading.</b> Implementations must be thread-safe; methods may be called concurrently from
 * any thread. They may throw unchecked exceptions on storage failure; Mailroom passes them on.
 *
 * <pre>{@code
 * Mailroom mailroom = Mailroom.builder().accountRepository(new MyJpaAccountRepository(em)).build();
 * }</pre>
 */
public interface AccountRepository {

    /**
     * All accounts, in list order.
     *
     * @return the accounts, never null
     */
    List<Account> findAll();

    /**
     * One account.
     *
     * @param id the id
     * @return the account, if stored
     */
    default Optional<Account> find(AccountId id) {
        return findAll().stream().filter(a -> a.id().equals(id)).findFirst();
    }

    /**
     * Inserts (at the end of the list) or replaces (in place) an account, then notifies listeners.
     *
     * @param account the account, with real secrets
     */
    void save(Account account);

    /**
     * Deletes an account, then notifies listeners.
     *
     * @param id the id
     * @return whether an account was deleted
     */
    boolean delete(AccountId id);

    /**
     * The system-wide settings.
     *
     * @return the settings; {@link SystemMailSettings#defaults()} when none are stored
     */
    SystemMailSettings systemSettings();

    /**
     * Stores the system-wide settings, then notifies listeners.
     *
     * @param settings the settings
     */
    void saveSystemSettings(SystemMailSettings settings);

    /**
     * What the administrator allows a tenant.
     *
     * @param tenant the tenant id
     * @return the settings; {@link TenantMailSettings#defaults()} when none are stored
     */
    TenantMailSettings tenantSettings(String tenant);

    /**
     * Stores a tenant's settings, then notifies listeners.
     *
     * @param tenant the tenant id
     * @param settings the settings
     */
    void saveTenantSettings(String tenant, TenantMailSettings settings);

    /**
     * The signature of a project, used when the sending account has none. Default: none.
     *
     * @param tenant the tenant, or {@code null}
     * @param project the project id
     * @return the signature, if the project has one
     */
    default Optional<Signature> projectSignature(String tenant, String project) {
        return Optional.empty();
    }

    /**
     * The central signature of a tenant, or the system-wide one for {@code tenant == null}, used
     * when neither the account nor the project has one. Default: none.
     *
     * @param tenant the tenant, or {@code null} for the system-wide signature
     * @return the signature, if one is configured
     */
    default Optional<Signature> centralSignature(String tenant) {
        return Optional.empty();
    }

    /**
     * Registers a listener called after each change. Listeners are called on the thread that made the
     * change, must be fast and must not throw.
     *
     * @param listener the listener
     * @return a handle that removes the listener when closed
     */
    AutoCloseable addChangeListener(Runnable listener);
}
