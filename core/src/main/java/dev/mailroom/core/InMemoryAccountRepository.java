package dev.mailroom.core;

import dev.mailroom.Account;
import dev.mailroom.AccountId;
import dev.mailroom.Signature;
import dev.mailroom.SystemMailSettings;
import dev.mailroom.TenantMailSettings;
import dev.mailroom.spi.AccountRepository;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An {@link AccountRepository} in memory: for tests, demos and hosts that load their accounts from
 * elsewhere at start-up. Thread-safe; list order is insertion order; listeners run after each change.
 */
public final class InMemoryAccountRepository implements AccountRepository {
    private final List<Account> accounts = new ArrayList<>();
    private final Map<String, TenantMailSettings> tenants = new ConcurrentHashMap<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private volatile SystemMailSettings system = SystemMailSettings.defaults();
    private final Map<String, Signature> projectSignatures = new ConcurrentHashMap<>();
    private final Map<String, Signature> centralSignatures = new ConcurrentHashMap<>();

    /** Creates an empty repository with default settings. */
    public InMemoryAccountRepository() {
    }

    @Override
    public synchronized List<Account> findAll() {
        return List.copyOf(accounts);
    }

    @Override
    public synchronized Optional<Account> find(AccountId id) {
        Objects.requireNonNull(id, "id");
        return accounts.stream().filter(a -> a.id().equals(id)).findFirst();
    }

    @Override
    public void save(Account account) {
        Objects.requireNonNull(account, "account");
        synchronized (this) {
            int i = indexOf(account.id());
            if (i >= 0) {
                accounts.set(i, account);
            } else {
                accounts.add(account);
            }
        }
        fire();
    }

    @Override
    public boolean delete(AccountId id) {
        Objects.requireNonNull(id, "id");
        boolean removed;
        synchronized (this) {
            int i = indexOf(id);
            removed = i >= 0;
            if (removed) {
                accounts.remove(i);
            }
        }
        if (removed) {
            fire();
        }
        return removed;
    }

    /**
     * Moves an account to another place in the list (list order decides which system account and
     * which defaults account win).
     *
     * @param id the account
     * @param index the new index, 0 for first
     * @throws IllegalArgumentException if the account is unknown or the index out of range
     */
    public void move(AccountId id, int index) {
        synchronized (this) {
            int i = indexOf(id);
            if (i < 0) {
                throw new IllegalArgumentException("no account " + id);
            }
            if (index < 0 || index >= accounts.size()) {
                throw new IllegalArgumentException("index must be between 0 and " + (accounts.size() - 1));
            }
            accounts.add(index, accounts.remove(i));
        }
        fire();
    }

    @Override
    public SystemMailSettings systemSettings() {
        return system;
    }

    @Override
    public void saveSystemSettings(SystemMailSettings settings) {
        system = Objects.requireNonNull(settings, "settings");
        fire();
    }

    @Override
    public TenantMailSettings tenantSettings(String tenant) {
        return tenants.getOrDefault(Objects.requireNonNull(tenant, "tenant"), TenantMailSettings.defaults());
    }

    @Override
    public void saveTenantSettings(String tenant, TenantMailSettings settings) {
        tenants.put(Objects.requireNonNull(tenant, "tenant"), Objects.requireNonNull(settings, "settings"));
        fire();
    }

    @Override
    public Optional<Signature> projectSignature(String tenant, String project) {
        return Optional.ofNullable(projectSignatures.get(tenant + "\u0000" + Objects.requireNonNull(project, "project")));
    }

    /**
     * Sets or removes a project's signature.
     *
     * @param tenant the tenant, or {@code null}
     * @param project the project id
     * @param signature the signature, or {@code null} to remove it
     */
    public void saveProjectSignature(String tenant, String project, Signature signature) {
        String key = tenant + "\u0000" + Objects.requireNonNull(project, "project");
        if (signature == null) {
            projectSignatures.remove(key);
        } else {
            projectSignatures.put(key, signature);
        }
        fire();
    }

    @Override
    public Optional<Signature> centralSignature(String tenant) {
        return Optional.ofNullable(centralSignatures.get(String.valueOf(tenant)));
    }

    /**
     * Sets or removes the central signature of a tenant, or the system-wide one for {@code tenant == null}.
     *
     * @param tenant the tenant, or {@code null}
     * @param signature the signature, or {@code null} to remove it
     */
    public void saveCentralSignature(String tenant, Signature signature) {
        if (signature == null) {
            centralSignatures.remove(String.valueOf(tenant));
        } else {
            centralSignatures.put(String.valueOf(tenant), signature);
        }
        fire();
    }

    @Override
    public AutoCloseable addChangeListener(Runnable listener) {
        Objects.requireNonNull(listener, "listener");
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    private int indexOf(AccountId id) {
        for (int i = 0; i < accounts.size(); i++) {
            if (accounts.get(i).id().equals(id)) {
                return i;
            }
        }
        return -1;
    }

    private void fire() {
        for (Runnable l : listeners) {
            l.run();
        }
    }
}
