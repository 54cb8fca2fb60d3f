package dev.mailroom.jdbc;

import dev.mailroom.Account;
import dev.mailroom.AccountId;
import dev.mailroom.Authentication;
import dev.mailroom.Scope;
import dev.mailroom.Secret;
import dev.mailroom.Security;
import dev.mailroom.SenderPolicy;
import dev.mailroom.Signature;
import dev.mailroom.SystemMailSettings;
import dev.mailroom.EmailAddress;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.SupportSettings;
import dev.mailroom.TenantMailSettings;
import dev.mailroom.jdbc.internal.StoreFailure;
import dev.mailroom.jdbc.internal.Transactions;
import dev.mailroom.spi.AccountRepository;
import dev.mailroom.spi.SecretCipher;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * {@link AccountRepository} over JDBC: accounts in list order, the system and tenant mail settings,
 * project and central signatures. Thread-safe; every write runs in its own transaction and bumps the
 * change stamp. Obtained from {@link JdbcStore#accounts()}.
 *
 * <p>Secrets are sealed with the store's {@link SecretCipher} (key id stored with each value) and never
 * written in plain text. Each is bound to its owner ({@code "account:<id>:password"} as associated data),
 * so a value copied into another row does not open; values stored before that binding carry no
 * {@code v2:} marker, still open, and are bound by {@link #reencryptSecrets()}. Reading accounts opens no
 * secret: each is {@linkplain Secret#sealed sealed} until used, and one that cannot be opened on this
 * node fails only its own account, with {@link MailErrorCode#SECRET_UNAVAILABLE} naming the key.
 */
public final class JdbcAccountRepository implements AccountRepository {
    private static final String COLUMNS = "id, position, description, display_name, email, auth_kind, auth_user, auth_grant,"
            + " auth_directory, auth_client, secret_key_id, secret_value, smtp_host, smtp_port, smtp_security, imap_host, imap_port,"
            + " imap_security, pop3_host, pop3_port, sender_address, sender_name, client_alias, transport, text_signature,"
            + " html_signature, internal_note, scope, tenant, owner, debug, system_account, defaults_account, enabled, local_relay,"
            + " prevent_plain_text, prevent_ntlm, utf8_headers, copy_to_sent, sent_folder";

    /** Marks a sealed value bound to its owner (associated data); unmarked values were sealed before binding. */
    private static final String BOUND = "v2:";

    private final DataSource dataSource;
    private final SecretCipher cipher;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong seenVersion = new AtomicLong(-1);

    JdbcAccountRepository(DataSource dataSource, SecretCipher cipher) {
        this.dataSource = dataSource;
        this.cipher = cipher;
    }

    @Override
    public List<Account> findAll() {
        return query("SELECT " + COLUMNS + " FROM mailroom_account ORDER BY position, id", null);
    }

    @Override
    public Optional<Account> find(AccountId id) {
        Objects.requireNonNull(id, "id");
        return query("SELECT " + COLUMNS + " FROM mailroom_account WHERE id = ?", id.value()).stream().findFirst();
    }

    @Override
    public void save(Account account) {
        Objects.requireNonNull(account, "account");
        inTransaction(c -> {
            int updated;
            try (PreparedStatement p = c.prepareStatement("UPDATE mailroom_account SET " + COLUMNS.replace("id, position, ", "")
                    .replace(", ", " = ?, ") + " = ? WHERE id = ?")) {
                int i = bind(p, account, 1);
                p.setString(i, account.id().value());
                updated = p.executeUpdate();
            }
            if (updated == 0) {
                long position;
                try (PreparedStatement p = c.prepareStatement("SELECT COALESCE(MAX(position), 0) + 1 FROM mailroom_account");
                     ResultSet rs = p.executeQuery()) {
                    rs.next();
                    position = rs.getLong(1);
                }
                try (PreparedStatement p = c.prepareStatement("INSERT INTO mailroom_account (" + COLUMNS + ") VALUES ("
                        + "?, ".repeat(39) + "?)")) {
                    p.setString(1, account.id().value());
                    p.setLong(2, position);
                    bind(p, account, 3);
                    p.executeUpdate();
                }
            }
            return null;
        });
    }

    @Override
    public boolean delete(AccountId id) {
        Objects.requireNonNull(id, "id");
        return inTransaction(c -> {
            try (PreparedStatement p = c.prepareStatement("DELETE FROM mailroom_account WHERE id = ?")) {
                p.setString(1, id.value());
                return p.executeUpdate() > 0;
            }
        });
    }

    /**
     * Moves an account to another place in the list (A2/A3 depend on the order).
     *
     * @param id the account
     * @param index the new index, 0 for first
     */
    public void move(AccountId id, int index) {
        List<Account> all = new ArrayList<>(findAll());
        Account a = all.stream().filter(x -> x.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no account " + id));
        if (index < 0 || index >= all.size()) {
            throw new IllegalArgumentException("index must be between 0 and " + (all.size() - 1));
        }
        all.remove(a);
        all.add(index, a);
        inTransaction(c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE mailroom_account SET position = ? WHERE id = ?")) {
                for (int i = 0; i < all.size(); i++) {
                    p.setLong(1, i + 1L);
                    p.setString(2, all.get(i).id().value());
                    p.addBatch();
                }
                p.executeBatch();
            }
            return null;
        });
    }

    @Override
    public SystemMailSettings systemSettings() {
        return read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT mail_enabled, sender_policy, support_address, support_tenant_allowed,"
                    + " support_attach_info FROM mailroom_system_settings WHERE id = 1");
                 ResultSet rs = p.executeQuery()) {
                if (!rs.next()) {
                    return SystemMailSettings.defaults();
                }
                String support = rs.getString(3);
                return new SystemMailSettings(rs.getBoolean(1), SenderPolicy.valueOf(rs.getString(2)),
                        new SupportSettings(support == null ? null : EmailAddress.parse(support), rs.getBoolean(4), rs.getBoolean(5)));
            }
        });
    }

    @Override
    public void saveSystemSettings(SystemMailSettings settings) {
        Objects.requireNonNull(settings, "settings");
        inTransaction(c -> {
            try (PreparedStatement d = c.prepareStatement("DELETE FROM mailroom_system_settings WHERE id = 1")) {
                d.executeUpdate();
            }
            try (PreparedStatement i = c.prepareStatement("INSERT INTO mailroom_system_settings (id, mail_enabled, sender_policy,"
                    + " support_address, support_tenant_allowed, support_attach_info) VALUES (1, ?, ?, ?, ?, ?)")) {
                i.setBoolean(1, settings.mailEnabled());
                i.setString(2, settings.senderPolicy().name());
                i.setString(3, settings.support().supportAddress().map(EmailAddress::toString).orElse(null));
                i.setBoolean(4, settings.support().tenantAddressAllowed());
                i.setBoolean(5, settings.support().attachSystemInfo());
                i.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public TenantMailSettings tenantSettings(String tenant) {
        Objects.requireNonNull(tenant, "tenant");
        return read(c -> {
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT system_server_allowed, own_server_allowed, sender_policy, support_address FROM mailroom_tenant_settings WHERE tenant = ?")) {
                p.setString(1, tenant);
                try (ResultSet rs = p.executeQuery()) {
                    if (!rs.next()) {
                        return TenantMailSettings.defaults();
                    }
                    String policy = rs.getString(3);
                    String support = rs.getString(4);
                    return new TenantMailSettings(rs.getBoolean(1), rs.getBoolean(2), policy == null ? null : SenderPolicy.valueOf(policy),
                            support == null ? null : EmailAddress.parse(support));
                }
            }
        });
    }

    @Override
    public void saveTenantSettings(String tenant, TenantMailSettings settings) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(settings, "settings");
        inTransaction(c -> {
            try (PreparedStatement d = c.prepareStatement("DELETE FROM mailroom_tenant_settings WHERE tenant = ?")) {
                d.setString(1, tenant);
                d.executeUpdate();
            }
            try (PreparedStatement p = c.prepareStatement("INSERT INTO mailroom_tenant_settings"
                    + " (tenant, system_server_allowed, own_server_allowed, sender_policy, support_address) VALUES (?, ?, ?, ?, ?)")) {
                p.setString(1, tenant);
                p.setBoolean(2, settings.systemServerAllowed());
                p.setBoolean(3, settings.ownServerAllowed());
                p.setString(4, settings.ownSenderPolicy().map(Enum::name).orElse(null));
                p.setString(5, settings.ownSupportAddress().map(EmailAddress::toString).orElse(null));
                p.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Optional<Signature> projectSignature(String tenant, String project) {
        return signature("PROJECT", tenant, Objects.requireNonNull(project, "project"));
    }

    @Override
    public Optional<Signature> centralSignature(String tenant) {
        return signature("CENTRAL", tenant, "");
    }

    /**
     * Sets or removes a project's signature (B5).
     *
     * @param tenant the tenant, or {@code null}
     * @param project the project
     * @param signature the signature, or {@code null} to remove it
     */
    public void saveProjectSignature(String tenant, String project, Signature signature) {
        saveSignature("PROJECT", tenant, Objects.requireNonNull(project, "project"), signature);
    }

    /**
     * Sets or removes the central signature of a tenant, or the system-wide one for {@code null} (B5).
     *
     * @param tenant the tenant, or {@code null}
     * @param signature the signature, or {@code null} to remove it
     */
    public void saveCentralSignature(String tenant, Signature signature) {
        saveSignature("CENTRAL", tenant, "", signature);
    }

    /**
     * Re-seals every stored secret with the cipher's active key (key rotation) and binds secrets stored
     * before owner binding to their account. Run it after making a new key active; then the old key can be
     * retired. All or nothing: while any secret cannot be opened with this node's keys, nothing changes.
     *
     * @return how many secrets were re-sealed
     * @throws MailException {@link MailErrorCode#SECRET_UNAVAILABLE} naming each account and key id whose
     *         secret cannot be opened: add those keys, or set those secrets again (or delete the accounts)
     */
    public int reencryptSecrets() {
        return inTransaction(c -> {
            List<StoredSecret> rows = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("SELECT id, auth_kind, secret_key_id, secret_value FROM mailroom_account"
                    + " WHERE secret_value IS NOT NULL AND (secret_key_id IS NULL OR secret_key_id <> ? OR secret_value NOT LIKE ?)"
                    + " ORDER BY id")) {
                p.setString(1, cipher.activeKeyId());
                p.setString(2, BOUND + "%");
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new StoredSecret(cipher, rs.getString(1), field(rs.getString(2)), rs.getString(3), rs.getString(4)));
                    }
                }
            }
            List<String[]> resealed = new ArrayList<>();
            List<String> unavailable = new ArrayList<>();
            for (StoredSecret r : rows) {
                try {
                    resealed.add(seal(r.accountId(), r.field(), r.open()));
                } catch (MailException e) {
                    unavailable.add("account " + r.accountId() + " (key '" + r.keyId() + "')");
                }
            }
            if (!unavailable.isEmpty()) {
                throw new MailException(MailErrorCode.SECRET_UNAVAILABLE, "re-encryption changed nothing: " + unavailable.size()
                        + " stored secret(s) cannot be opened with this node's keys: " + String.join(", ", unavailable), null,
                        "Add the keys named to this node's SecretCipher, or set those accounts' secrets again (or delete the accounts),"
                                + " then re-encrypt.", List.of(), null);
            }
            try (PreparedStatement u = c.prepareStatement("UPDATE mailroom_account SET secret_key_id = ?, secret_value = ? WHERE id = ?")) {
                for (int i = 0; i < rows.size(); i++) {
                    u.setString(1, resealed.get(i)[0]);
                    u.setString(2, resealed.get(i)[1]);
                    u.setString(3, rows.get(i).accountId());
                    u.addBatch();
                }
                u.executeBatch();
            }
            return rows.size();
        });
    }

    @Override
    public AutoCloseable addChangeListener(Runnable listener) {
        Objects.requireNonNull(listener, "listener");
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Called at construction and by the store's poller: tells the listeners when another node changed something. */
    void pollChanges() {
        long v = read(this::version);
        long before = seenVersion.getAndSet(v);
        if (before >= 0 && before != v) {
            fire();
        }
    }

    // ------------------------------------------------------------------ mapping

    private int bind(PreparedStatement p, Account a, int i) throws SQLException {
        p.setString(i++, a.description());
        p.setString(i++, a.displayName().orElse(null));
        p.setString(i++, a.email().address());
        Authentication auth = a.authentication().orElse(null);
        String kind = null;
        String user = null;
        String grant = null;
        String directory = null;
        String client = null;
        Secret secret = null;
        if (auth instanceof Authentication.None) {
            kind = "NONE";
        } else if (auth instanceof Authentication.Password pw) {
            kind = "PASSWORD";
            user = pw.user();
            secret = pw.password();
        } else if (auth instanceof Authentication.OAuth2 o) {
            kind = "OAUTH2";
            user = o.user();
            grant = o.grantReference();
        } else if (auth instanceof Authentication.MicrosoftApp m) {
            kind = "MICROSOFT_APP";
            directory = m.directoryId();
            client = m.clientId();
            secret = m.clientSecret();
        }
        p.setString(i++, kind);
        p.setString(i++, user);
        p.setString(i++, grant);
        p.setString(i++, directory);
        p.setString(i++, client);
        if (secret != null) {
            if (secret.isPlaceholder()) {
                throw new IllegalArgumentException("account " + a.id() + " carries a secret placeholder; the store needs the secret itself");
            }
            String[] sealed = sealed(a.id().value(), field(kind), secret);
            p.setString(i++, sealed[0]);
            p.setString(i++, sealed[1]);
        } else {
            p.setNull(i++, Types.VARCHAR);
            p.setNull(i++, Types.VARCHAR);
        }
        p.setString(i++, a.smtpHost().orElse(null));
        setInt(p, i++, a.smtpPort().orElse(null));
        p.setString(i++, a.smtpSecurity().map(Enum::name).orElse(null));
        p.setString(i++, a.imapHost().orElse(null));
        setInt(p, i++, a.imapPort().orElse(null));
        p.setString(i++, a.imapSecurity().map(Enum::name).orElse(null));
        p.setString(i++, a.pop3Host().orElse(null));
        setInt(p, i++, a.pop3Port().orElse(null));
        p.setString(i++, a.senderAddress().map(e -> e.address()).orElse(null));
        p.setString(i++, a.senderName().orElse(null));
        p.setString(i++, a.clientAlias().orElse(null));
        p.setString(i++, a.transport().orElse(null));
        p.setString(i++, a.textSignature().orElse(null));
        p.setString(i++, a.htmlSignature().orElse(null));
        p.setString(i++, a.internalNote().orElse(null));
        p.setString(i++, a.scope().name());
        p.setString(i++, a.tenant().orElse(null));
        p.setString(i++, a.owner().orElse(null));
        p.setBoolean(i++, a.debug());
        p.setBoolean(i++, a.systemAccount());
        p.setBoolean(i++, a.defaultsAccount());
        p.setBoolean(i++, a.enabled());
        p.setBoolean(i++, a.localRelay());
        p.setBoolean(i++, a.preventPlainTextLogin());
        p.setBoolean(i++, a.preventNtlm());
        p.setBoolean(i++, a.utf8Headers());
        p.setBoolean(i++, a.copyToSent());
        p.setString(i++, a.sentFolder().orElse(null));
        return i;
    }

    private Account map(ResultSet rs) throws SQLException {
        Account.Builder b = Account.builder().id(rs.getString("id")).description(rs.getString("description"))
                .displayName(rs.getString("display_name")).email(rs.getString("email"));
        String kind = rs.getString("auth_kind");
        Secret secret = null;
        String sealed = rs.getString("secret_value");
        if (sealed != null) { // opened when used, so that one account's unreadable secret never fails reading the others
            secret = Secret.sealed(new StoredSecret(cipher, rs.getString("id"), field(kind), rs.getString("secret_key_id"), sealed));
        }
        if (kind != null) {
            b.authentication(switch (kind) {
                case "NONE" -> Authentication.none();
                case "PASSWORD" -> Authentication.password(rs.getString("auth_user"), secret);
                case "OAUTH2" -> Authentication.oauth2(rs.getString("auth_user"), rs.getString("auth_grant"));
                case "MICROSOFT_APP" -> Authentication.microsoftApp(rs.getString("auth_directory"), rs.getString("auth_client"), secret);
                default -> throw new IllegalStateException("unknown authentication kind " + kind);
            });
        }
        b.smtp(rs.getString("smtp_host"), intOrNull(rs, "smtp_port"), security(rs.getString("smtp_security")))
                .imap(rs.getString("imap_host"), intOrNull(rs, "imap_port"), security(rs.getString("imap_security")))
                .pop3(rs.getString("pop3_host"), intOrNull(rs, "pop3_port"))
                .senderAddress(rs.getString("sender_address")).senderName(rs.getString("sender_name"))
                .clientAlias(rs.getString("client_alias")).transport(rs.getString("transport"))
                .signature(rs.getString("text_signature"), rs.getString("html_signature"))
                .internalNote(rs.getString("internal_note"));
        Scope scope = Scope.valueOf(rs.getString("scope"));
        String tenant = rs.getString("tenant");
        String owner = rs.getString("owner");
        switch (scope) {
            case SYSTEM -> b.systemWide();
            case TENANT -> b.tenant(tenant);
            case DEPARTMENT -> b.department(owner);
            case USER -> b.user(owner);
            default -> throw new IllegalStateException(scope.name());
        }
        if (scope != Scope.TENANT && tenant != null) {
            b.tenant(tenant);
        }
        boolean localRelay = rs.getBoolean("local_relay");
        if (localRelay) {
            Integer port = intOrNull(rs, "smtp_port");
            b.localRelay(port == null ? 25 : port);
        }
        return b.debug(rs.getBoolean("debug")).systemAccount(rs.getBoolean("system_account"))
                .defaultsAccount(rs.getBoolean("defaults_account")).enabled(rs.getBoolean("enabled"))
                .preventPlainTextLogin(rs.getBoolean("prevent_plain_text")).preventNtlm(rs.getBoolean("prevent_ntlm"))
                .utf8Headers(rs.getBoolean("utf8_headers")).copyToSent(rs.getBoolean("copy_to_sent"), rs.getString("sent_folder"))
                .build();
    }

    /** The secret's name in its owner binding and in messages. */
    private static String field(String authKind) {
        return "PASSWORD".equals(authKind) ? "password" : "MICROSOFT_APP".equals(authKind) ? "clientSecret" : "secret";
    }

    /** Who owns a sealed value: the associated data it is bound to. */
    private static byte[] owner(String accountId, String field) {
        return ("account:" + accountId + ":" + field).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The key id and stored text of a secret: this store's own sealed value for the same account and field as
     * it is (not opened, so an account whose key is missing here can still be edited), anything else sealed anew.
     */
    private String[] sealed(String accountId, String field, Secret secret) {
        if (secret.opener().orElse(null) instanceof StoredSecret s && s.cipher() == cipher
                && s.accountId().equals(accountId) && s.field().equals(field)) {
            return new String[] {s.keyId(), s.stored()};
        }
        return seal(accountId, field, secret.reveal());
    }

    private String[] seal(String accountId, String field, String value) {
        byte[] plain = value.getBytes(StandardCharsets.UTF_8);
        try {
            SecretCipher.Sealed sealed = cipher.seal(plain, owner(accountId, field));
            return new String[] {sealed.keyId(), BOUND + Base64.getEncoder().encodeToString(sealed.ciphertext())};
        } finally {
            java.util.Arrays.fill(plain, (byte) 0);
        }
    }

    /**
     * A secret as stored, opened on demand: bound values ({@code v2:}) with their owner as associated data,
     * older ones without. Failing, it names the account, the field and the key, never the value.
     */
    private record StoredSecret(SecretCipher cipher, String accountId, String field, String keyId, String stored) implements Secret.Opener {
        @Override
        public String open() {
            byte[] plain = null;
            try {
                boolean bound = stored.startsWith(BOUND);
                SecretCipher.Sealed sealed = new SecretCipher.Sealed(keyId,
                        Base64.getDecoder().decode(bound ? stored.substring(BOUND.length()) : stored));
                plain = bound ? cipher.open(sealed, owner(accountId, field)) : cipher.open(sealed);
                return new String(plain, StandardCharsets.UTF_8);
            } catch (RuntimeException e) {
                throw new MailException(MailErrorCode.SECRET_UNAVAILABLE, "the stored " + field + " of account " + accountId
                        + " cannot be opened on this node (sealed with key '" + keyId + "'): " + e.getMessage(), null,
                        "Add key '" + keyId + "' to this node's SecretCipher, or set the " + field + " of account " + accountId + " again.",
                        List.of(), e);
            } finally {
                if (plain != null) {
                    java.util.Arrays.fill(plain, (byte) 0);
                }
            }
        }

        @Override
        public String toString() {
            return "StoredSecret[account " + accountId + ", " + field + ", key " + keyId + "]";
        }
    }

    private static Security security(String s) {
        return s == null ? null : Security.valueOf(s);
    }

    private static Integer intOrNull(ResultSet rs, String column) throws SQLException {
        int v = rs.getInt(column);
        return rs.wasNull() ? null : v;
    }

    private static void setInt(PreparedStatement p, int i, Integer v) throws SQLException {
        if (v == null) {
            p.setNull(i, Types.INTEGER);
        } else {
            p.setInt(i, v);
        }
    }

    // ------------------------------------------------------------------ plumbing

    private List<Account> query(String sql, String id) {
        return read(c -> {
            try (PreparedStatement p = c.prepareStatement(sql)) {
                if (id != null) {
                    p.setString(1, id);
                }
                List<Account> out = new ArrayList<>();
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        out.add(map(rs));
                    }
                }
                return out;
            }
        });
    }

    private Optional<Signature> signature(String kind, String tenant, String project) {
        return read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT text_signature, html_signature FROM mailroom_signature"
                    + " WHERE kind = ? AND tenant = ? AND project = ?")) {
                p.setString(1, kind);
                p.setString(2, tenant == null ? "" : tenant);
                p.setString(3, project);
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next() ? Optional.of(new Signature(rs.getString(1), rs.getString(2))) : Optional.<Signature>empty();
                }
            }
        });
    }

    private void saveSignature(String kind, String tenant, String project, Signature signature) {
        inTransaction(c -> {
            try (PreparedStatement d = c.prepareStatement("DELETE FROM mailroom_signature WHERE kind = ? AND tenant = ? AND project = ?")) {
                d.setString(1, kind);
                d.setString(2, tenant == null ? "" : tenant);
                d.setString(3, project);
                d.executeUpdate();
            }
            if (signature != null) {
                try (PreparedStatement p = c.prepareStatement("INSERT INTO mailroom_signature"
                        + " (kind, tenant, project, text_signature, html_signature) VALUES (?, ?, ?, ?, ?)")) {
                    p.setString(1, kind);
                    p.setString(2, tenant == null ? "" : tenant);
                    p.setString(3, project);
                    p.setString(4, signature.text());
                    p.setString(5, signature.html());
                    p.executeUpdate();
                }
            }
            return null;
        });
    }

    private long version(Connection c) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT version FROM mailroom_change WHERE id = 1");
             ResultSet rs = p.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T read(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw StoreFailure.of("Mailroom account store", e);
        }
    }

    /** Runs a write in one transaction, bumps the change stamp, then tells the listeners. */
    private <T> T inTransaction(Work<T> work) {
        T result;
        try (Connection c = dataSource.getConnection()) {
            long[] version = new long[1];
            result = Transactions.inTransaction(c, () -> {
                T r = work.run(c);
                try (PreparedStatement p = c.prepareStatement("UPDATE mailroom_change SET version = version + 1 WHERE id = 1")) {
                    p.executeUpdate();
                }
                version[0] = version(c);
                return r;
            });
            seenVersion.set(version[0]);
        } catch (SQLException e) {
            throw StoreFailure.of("Mailroom account store", e);
        }
        fire();
        return result;
    }

    private void fire() {
        for (Runnable l : listeners) {
            l.run();
        }
    }
}
