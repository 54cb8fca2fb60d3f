package dev.mailroom.jdbc;

import dev.mailroom.Account;
import dev.mailroom.AccountId;
import dev.mailroom.Authentication;
import dev.mailroom.FetchSettings;
import dev.mailroom.OAuthClientId;
import dev.mailroom.SendSettings;
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
import dev.mailroom.jdbc.internal.Sealing;
import dev.mailroom.jdbc.internal.StoreFailure;
import dev.mailroom.jdbc.internal.Transactions;
import dev.mailroom.spi.AccountRepository;
import dev.mailroom.spi.SecretCipher;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
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
    /**
     * The mapped columns. {@code auth_grant} is not among them: it keeps the grant key of accounts stored before
     * OAuth clients were referred to by id (docs/adr/016), for the token store to import.
     */
    private static final String COLUMNS = "id, position, description, display_name, email, auth_kind, auth_user,"
            + " auth_directory, auth_client, secret_key_id, secret_value, send_kind, smtp_host, smtp_port, smtp_security, client_alias,"
            + " fetch_protocol, imap_host, imap_port, imap_security, pop3_host, pop3_port, sent_folder, sender_address, sender_name,"
            + " transport, text_signature, html_signature, internal_note, scope, tenant, owner, debug, system_account, defaults_account,"
            + " enabled, local_relay, prevent_plain_text, prevent_ntlm, utf8_headers, copy_to_sent";
    private static final int COLUMN_COUNT = COLUMNS.split(",").length;

    /** Marks a sealed value bound to its owner (associated data); unmarked values were sealed before binding. */
    private static final String BOUND = Sealing.BOUND;

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
        return query("SELECT " + COLUMNS + ", auth_grant FROM mailroom_account ORDER BY position, id", null);
    }

    @Override
    public Optional<Account> find(AccountId id) {
        Objects.requireNonNull(id, "id");
        return query("SELECT " + COLUMNS + ", auth_grant FROM mailroom_account WHERE id = ?", id.value()).stream().findFirst();
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
                        + "?, ".repeat(COLUMN_COUNT - 1) + "?)")) {
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
            boolean deleted;
            try (PreparedStatement p = c.prepareStatement("DELETE FROM mailroom_account WHERE id = ?")) {
                p.setString(1, id.value());
                deleted = p.executeUpdate() > 0;
            }
            // Its OAuth grant and started consents go with it: no sealed refresh token is left without its account.
            for (String table : List.of("mailroom_oauth_grant", "mailroom_oauth_consent")) {
                try (PreparedStatement p = c.prepareStatement("DELETE FROM " + table + " WHERE account_id = ?")) {
                    p.setString(1, id.value());
                    p.executeUpdate();
                }
            }
            // The client V9 registered for the account's Microsoft app credentials (same id) goes with it, unless
            // another account refers to it: no sealed secret is left behind without an owner.
            try (PreparedStatement p = c.prepareStatement("DELETE FROM mailroom_oauth_client WHERE id = ?"
                    + " AND NOT EXISTS (SELECT 1 FROM mailroom_account a WHERE a.auth_client = mailroom_oauth_client.id)")) {
                p.setString(1, id.value());
                p.executeUpdate();
            }
            return deleted;
        });
    }

    /**
     * Moves an account to another place in the list (the system account and the defaults account are the first of their kind in it).
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
     * Sets or removes a project's signature.
     *
     * @param tenant the tenant, or {@code null}
     * @param project the project
     * @param signature the signature, or {@code null} to remove it
     */
    public void saveProjectSignature(String tenant, String project, Signature signature) {
        saveSignature("PROJECT", tenant, Objects.requireNonNull(project, "project"), signature);
    }

    /**
     * Sets or removes the central signature of a tenant, or the system-wide one for {@code null}.
     *
     * @param tenant the tenant, or {@code null}
     * @param signature the signature, or {@code null} to remove it
     */
    public void saveCentralSignature(String tenant, Signature signature) {
        saveSignature("CENTRAL", tenant, "", signature);
    }

    /**
     * Re-seals every stored secret with the cipher's active key (key rotation): passwords, OAuth client secrets,
     * and the OAuth store's refresh tokens, access tokens and consent verifiers; binds secrets stored before owner
     * binding to their owner. Run it after making a new key active; then the old key can be
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
            List<ClientSecret> clients = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("SELECT id, secret_key_id, secret_value, secret_binding FROM mailroom_oauth_client"
                    + " WHERE secret_value IS NOT NULL AND (secret_key_id IS NULL OR secret_key_id <> ? OR secret_value NOT LIKE ?"
                    + " OR secret_binding IS NULL) ORDER BY id")) {
                p.setString(1, cipher.activeKeyId());
                p.setString(2, BOUND + "%");
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        clients.add(new ClientSecret(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
                    }
                }
            }
            List<OAuthSecret> oauth = new ArrayList<>();
            for (String[] spec : OAUTH_SECRETS) {
                try (PreparedStatement p = c.prepareStatement("SELECT " + spec[3] + ", " + spec[1] + ", " + spec[2] + " FROM " + spec[0]
                        + " WHERE " + spec[2] + " IS NOT NULL AND (" + spec[1] + " <> ? OR " + spec[2] + " NOT LIKE ?) ORDER BY " + spec[3])) {
                    p.setString(1, cipher.activeKeyId());
                    p.setString(2, BOUND + "%");
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            oauth.add(new OAuthSecret(spec, rs.getString(1), rs.getString(2), rs.getString(3)));
                        }
                    }
                }
            }
            List<String[]> resealed = new ArrayList<>();
            List<String[]> resealedClients = new ArrayList<>();
            List<String[]> resealedOAuth = new ArrayList<>();
            List<String> unavailable = new ArrayList<>();
            for (StoredSecret r : rows) {
                try {
                    resealed.add(seal(r.accountId(), r.field(), r.open()));
                } catch (MailException e) {
                    unavailable.add("account " + r.accountId() + " (key '" + r.keyId() + "')");
                }
            }
            for (ClientSecret r : clients) {
                try {
                    String binding = r.binding() != null ? r.binding() : "oauth-client:" + r.id() + ":clientSecret";
                    String[] sealed = seal(binding, openSealed(cipher, r.keyId(), r.stored(), r.binding(), "client secret of OAuth client " + r.id()));
                    resealedClients.add(new String[] {sealed[0], sealed[1], binding});
                } catch (MailException e) {
                    unavailable.add("OAuth client " + r.id() + " (key '" + r.keyId() + "')");
                }
            }
            for (OAuthSecret r : oauth) {
                try {
                    resealedOAuth.add(seal(r.binding(), openSealed(cipher, r.keyId(), r.stored(), r.binding(), r.what())));
                } catch (MailException e) {
                    unavailable.add(r.what() + " (key '" + r.keyId() + "')");
                }
            }
            if (!unavailable.isEmpty()) {
                throw new MailException(MailErrorCode.SECRET_UNAVAILABLE, "re-encryption changed nothing: " + unavailable.size()
                        + " stored secret(s) cannot be opened with this node's keys: " + String.join(", ", unavailable), null,
                        "Add the keys named to this node's SecretCipher, or set those accounts' secrets again (or delete the accounts; a"
                                + " Microsoft app's client secret goes with its account),"
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
            try (PreparedStatement u = c.prepareStatement(
                    "UPDATE mailroom_oauth_client SET secret_key_id = ?, secret_value = ?, secret_binding = ? WHERE id = ?")) {
                for (int i = 0; i < clients.size(); i++) {
                    u.setString(1, resealedClients.get(i)[0]);
                    u.setString(2, resealedClients.get(i)[1]);
                    u.setString(3, resealedClients.get(i)[2]);
                    u.setString(4, clients.get(i).id());
                    u.addBatch();
                }
                u.executeBatch();
            }
            for (int i = 0; i < oauth.size(); i++) {
                String[] spec = oauth.get(i).spec();
                try (PreparedStatement u = c.prepareStatement("UPDATE " + spec[0] + " SET " + spec[1] + " = ?, " + spec[2] + " = ? WHERE "
                        + spec[3] + " = ?")) {
                    u.setString(1, resealedOAuth.get(i)[0]);
                    u.setString(2, resealedOAuth.get(i)[1]);
                    u.setString(3, oauth.get(i).id());
                    u.executeUpdate();
                }
            }
            return rows.size() + clients.size() + oauth.size();
        });
    }

    /** The OAuth store's sealed columns (V10): table, key id column, value column, row id column, binding prefix and suffix. */
    private static final String[][] OAUTH_SECRETS = {
        {"mailroom_oauth_grant", "refresh_key_id", "refresh_value", "account_id", "account:", ":refresh-token"},
        {"mailroom_oauth_grant", "access_key_id", "access_value", "account_id", "account:", ":access-token"},
        {"mailroom_oauth_consent", "verifier_key_id", "verifier_value", "state_hash", "oauth-consent:", ":verifier"},
    };

    /** One sealed value of the OAuth store as stored (always bound to its owner). */
    private record OAuthSecret(String[] spec, String id, String keyId, String stored) {
        String binding() {
            return spec[4] + id + spec[5];
        }

        String what() {
            return spec[2].replace("_value", "").replace('_', ' ') + " of " + (spec[3].equals("account_id") ? "account " + id : "a started consent");
        }
    }

    /** A registered OAuth client's sealed secret as stored; {@code binding} null: sealed before owner binding. */
    private record ClientSecret(String id, String keyId, String stored, String binding) {
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
        String kind = auth == null ? null : auth.kind().name();
        p.setString(i++, kind);
        p.setString(i++, auth == null ? null : auth.username().orElse(null));
        p.setString(i++, auth != null && auth.kind() == Authentication.Kind.MICROSOFT_APP ? ((Authentication.MicrosoftApp) auth).directoryId() : null);
        p.setString(i++, auth == null ? null : auth.oauthClient().map(OAuthClientId::value).orElse(null));
        Secret secret = auth == null ? null : auth.secret().orElse(null);
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
        SendSettings sending = a.sending().orElse(null);
        p.setString(i++, sending == null ? null : sending.kind().name());
        p.setString(i++, a.smtpHost().orElse(null));
        setInt(p, i++, a.smtpPort().orElse(null));
        p.setString(i++, a.smtpSecurity().map(Enum::name).orElse(null));
        p.setString(i++, a.clientAlias().orElse(null));
        FetchSettings fetching = a.fetching();
        p.setString(i++, fetching.protocol().name());
        p.setString(i++, fetching.imapHost().orElse(null));
        setInt(p, i++, fetching.imapPort().orElse(null));
        p.setString(i++, fetching.imapSecurity().map(Enum::name).orElse(null));
        p.setString(i++, fetching.pop3Host().orElse(null));
        setInt(p, i++, fetching.pop3Port().orElse(null));
        p.setString(i++, fetching.sentFolder().orElse(null));
        p.setString(i++, a.senderAddress().map(e -> e.address()).orElse(null));
        p.setString(i++, a.senderName().orElse(null));
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
        return i;
    }

    private Account map(ResultSet rs) throws SQLException {
        Account.Builder b = Account.builder().id(rs.getString("id")).description(rs.getString("description"))
                .displayName(rs.getString("display_name")).email(rs.getString("email"));
        String kind = rs.getString("auth_kind");
        if (kind != null) {
            b.authentication(switch (Authentication.Kind.valueOf(kind)) {
                case NONE -> Authentication.none();
                case PASSWORD -> {
                    // opened when used, so that one account's unreadable secret never fails reading the others
                    String sealed = rs.getString("secret_value");
                    if (sealed == null) {
                        throw new IllegalStateException("account " + rs.getString("id") + " has a password login without a stored password");
                    }
                    yield Authentication.password(rs.getString("auth_user"),
                            Secret.sealed(new StoredSecret(cipher, rs.getString("id"), field(kind), rs.getString("secret_key_id"), sealed)));
                }
                // a row a node of the version before V9 wrote has only the grant reference, which V9 turns into the client
                case OAUTH2 -> Authentication.oauth2(rs.getString("auth_user"), OAuthClientId.of(rs.getString("auth_client") != null
                        ? rs.getString("auth_client") : rs.getString("auth_grant")));
                case MICROSOFT_APP -> Authentication.microsoftApp(rs.getString("auth_directory"), OAuthClientId.of(rs.getString("auth_client")));
            });
        }
        String sendKind = rs.getString("send_kind");
        if (sendKind == null) { // a row written by a node of the version before V9: read as V9 migrated it
            sendKind = rs.getBoolean("local_relay") ? "LOCAL_RELAY"
                    : rs.getString("smtp_host") != null || intOrNull(rs, "smtp_port") != null || rs.getString("smtp_security") != null
                    || rs.getString("client_alias") != null ? "SMTP" : null;
        }
        if (sendKind != null) {
            SendSettings.Kind k = SendSettings.Kind.valueOf(sendKind);
            if (k.isSmtp()) {
                b.sending(SendSettings.smtp(null, null, null)); // the kind; the values follow, checked by build()
                if (k == SendSettings.Kind.LOCAL_RELAY) {
                    b.sending(SendSettings.localRelay(25));
                }
                b.smtpHost(rs.getString("smtp_host")).smtpPort(intOrNull(rs, "smtp_port"))
                        .smtpSecurity(security(rs.getString("smtp_security"))).clientAlias(rs.getString("client_alias"));
            } else {
                b.sending(k == SendSettings.Kind.GMAIL_API ? SendSettings.gmailApi() : SendSettings.graph());
            }
        }
        b.fetching(FetchSettings.none().withProtocol(FetchSettings.Protocol.valueOf(rs.getString("fetch_protocol"))))
                .imap(rs.getString("imap_host"), intOrNull(rs, "imap_port"), security(rs.getString("imap_security")))
                .pop3(rs.getString("pop3_host"), intOrNull(rs, "pop3_port"))
                .senderAddress(rs.getString("sender_address")).senderName(rs.getString("sender_name"))
                .transport(rs.getString("transport"))
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
        return seal("account:" + accountId + ":" + field, value);
    }

    private String[] seal(String binding, String value) {
        return Sealing.seal(cipher, binding, value);
    }

    /**
     * A secret as stored, opened on demand: bound values ({@code v2:}) with their owner as associated data,
     * older ones without. Failing, it names the account, the field and the key, never the value.
     */
    private record StoredSecret(SecretCipher cipher, String accountId, String field, String keyId, String stored) implements Secret.Opener {
        @Override
        public String open() {
            return openSealed(cipher, keyId, stored, "account:" + accountId + ":" + field, "stored " + field + " of account " + accountId);
        }

        @Override
        public String toString() {
            return "StoredSecret[account " + accountId + ", " + field + ", key " + keyId + "]";
        }
    }

    private static String openSealed(SecretCipher cipher, String keyId, String stored, String binding, String what) {
        return Sealing.open(cipher, keyId, stored, binding, what);
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

    private <T> T read(Transactions.OnConnection<T> work) {
        return Transactions.read(dataSource, "Mailroom account store", work);
    }

    /** Runs a write in one transaction, bumps the change stamp, then tells the listeners. */
    private <T> T inTransaction(Transactions.OnConnection<T> work) {
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
