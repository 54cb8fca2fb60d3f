package dev.mailroom.jdbc;

import dev.mailroom.Account;
import dev.mailroom.AccountField;
import dev.mailroom.AccountId;
import dev.mailroom.Authentication;
import dev.mailroom.FetchSettings;
import dev.mailroom.OAuthClientId;
import dev.mailroom.Origin;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Secret;
import dev.mailroom.Security;
import dev.mailroom.SendSettings;
import dev.mailroom.Signature;
import dev.mailroom.core.AesGcmSecretCipher;
import dev.mailroom.jdbc.internal.Migrations;
import dev.mailroom.spi.SecretCipher;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * V9 (typed account parts, OAuth clients by reference) carries existing rows forward: the store is filled at
 * V8 with rows as the previous version wrote them, then opened, and every account must read and resolve as
 * before. Run on H2 and on PostgreSQL.
 */
abstract class AccountMigrationContract {
    /** @return a fresh, empty database */
    abstract DataSource database();

    private static final AesGcmSecretCipher CIPHER = TestKeys.cipher();

    /** A secret as the previous version sealed it: bound to {@code account:<id>:<field>}, marked {@code v2:}. */
    private static String[] sealedV2(String accountId, String field, String value) {
        SecretCipher.Sealed s = CIPHER.seal(value.getBytes(StandardCharsets.UTF_8),
                ("account:" + accountId + ":" + field).getBytes(StandardCharsets.UTF_8));
        return new String[] {s.keyId(), "v2:" + Base64.getEncoder().encodeToString(s.ciphertext())};
    }

    /** A secret sealed before owner binding (no marker). */
    private static String[] sealedUnbound(String value) {
        SecretCipher.Sealed s = CIPHER.seal(value.getBytes(StandardCharsets.UTF_8));
        return new String[] {s.keyId(), Base64.getEncoder().encodeToString(s.ciphertext())};
    }

    private static final String V8_COLUMNS = "id, position, description, display_name, email, auth_kind, auth_user, auth_grant,"
            + " auth_directory, auth_client, secret_key_id, secret_value, smtp_host, smtp_port, smtp_security, imap_host, imap_port,"
            + " imap_security, pop3_host, pop3_port, sender_address, sender_name, client_alias, transport, text_signature,"
            + " html_signature, internal_note, scope, tenant, owner, debug, system_account, defaults_account, enabled, local_relay,"
            + " prevent_plain_text, prevent_ntlm, utf8_headers, copy_to_sent, sent_folder";

    /** One account row of the V8 schema; unnamed columns are NULL or false. */
    private static void insertV8(Connection c, long position, Map<String, Object> values) throws Exception {
        String[] columns = V8_COLUMNS.split(",\\s*");
        try (PreparedStatement p = c.prepareStatement("INSERT INTO mailroom_account (" + V8_COLUMNS + ") VALUES ("
                + "?, ".repeat(columns.length - 1) + "?)")) {
            for (int i = 0; i < columns.length; i++) {
                String col = columns[i];
                Object v = col.equals("position") ? position : values.get(col);
                if (v == null && List.of("debug", "system_account", "defaults_account", "enabled", "local_relay", "prevent_plain_text",
                        "prevent_ntlm", "utf8_headers", "copy_to_sent").contains(col)) {
                    v = col.equals("enabled");
                }
                p.setObject(i + 1, v);
            }
            p.executeUpdate();
        }
    }

    private static Map<String, Object> row(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static final String[] DEFAULTS_PW = sealedV2("defaults", "password", "pw-defaults");
    private static final String[] SYS_PW = sealedV2("sys", "password", "pw-sys");
    private static final String[] LEGACY_PW = sealedUnbound("pw-legacy");
    private static final String[] MS_SECRET = sealedV2("msapp", "clientSecret", "ms-client-secret");
    private static final String[] MS_LEGACY_SECRET = sealedUnbound("ms-old-secret");

    /** The store at V8 with accounts of every kind, settings and signatures, as the previous version wrote them. */
    private void fillV8(DataSource ds) throws Exception {
        Migrations.migrate(ds, 8);
        try (Connection c = ds.getConnection()) {
            insertV8(c, 1, row("id", "defaults", "description", "Company defaults", "email", "postmaster@acme.test",
                    "auth_kind", "PASSWORD", "auth_user", "postmaster@acme.test", "secret_key_id", DEFAULTS_PW[0], "secret_value", DEFAULTS_PW[1],
                    "smtp_host", "smtp.acme.test", "smtp_port", 587, "smtp_security", "STARTTLS",
                    "imap_host", "imap.acme.test", "imap_port", 993, "imap_security", "TLS", "pop3_host", "pop.acme.test",
                    "client_alias", "app.acme.test", "scope", "SYSTEM", "defaults_account", true));
            insertV8(c, 2, row("id", "sys", "description", "System", "email", "noreply@acme.test", "display_name", "ACME",
                    "auth_kind", "PASSWORD", "auth_user", "noreply@acme.test", "secret_key_id", SYS_PW[0], "secret_value", SYS_PW[1],
                    "smtp_security", "TLS", "scope", "SYSTEM", "system_account", true, "copy_to_sent", true, "sent_folder", "Gesendet",
                    "prevent_plain_text", true, "utf8_headers", true));
            insertV8(c, 3, row("id", "relay", "description", "Local MTA", "email", "relay@acme.test",
                    "auth_kind", "NONE", "smtp_host", "localhost", "smtp_port", 2525, "smtp_security", "NONE",
                    "scope", "SYSTEM", "local_relay", true));
            insertV8(c, 4, row("id", "oauth", "description", "Google", "email", "team@acme.test",
                    "auth_kind", "OAUTH2", "auth_user", "team@acme.test", "auth_grant", "google-grant-1",
                    "smtp_host", "smtp.gmail.com", "smtp_port", 587, "smtp_security", "STARTTLS", "scope", "TENANT", "tenant", "acme"));
            insertV8(c, 5, row("id", "msapp", "description", "Microsoft 365", "email", "sales@acme.test",
                    "auth_kind", "MICROSOFT_APP", "auth_directory", "dir-1", "auth_client", "app-1",
                    "secret_key_id", MS_SECRET[0], "secret_value", MS_SECRET[1], "transport", "graph", "scope", "SYSTEM"));
            insertV8(c, 6, row("id", "msold", "description", "Microsoft 365 (old secret)", "email", "old@acme.test",
                    "auth_kind", "MICROSOFT_APP", "auth_directory", "dir-2", "auth_client", "app-2",
                    "secret_key_id", MS_LEGACY_SECRET[0], "secret_value", MS_LEGACY_SECRET[1], "scope", "SYSTEM"));
            insertV8(c, 7, row("id", "user", "description", "Jane", "email", "jane@acme.test", "display_name", "Jane Doe",
                    "sender_address", "support@acme.test", "sender_name", "ACME Support", "text_signature", "-- \nJane",
                    "html_signature", "<p>Jane</p>", "internal_note", "sales team", "pop3_port", 995, "imap_security", "TLS",
                    "scope", "USER", "tenant", "acme", "owner", "u1", "debug", true, "prevent_ntlm", true));
            insertV8(c, 8, row("id", "legacy", "description", "Old password", "email", "legacy@acme.test",
                    "auth_kind", "PASSWORD", "auth_user", "legacy@acme.test", "secret_key_id", LEGACY_PW[0], "secret_value", LEGACY_PW[1],
                    "client_alias", "legacy.acme.test", "transport", "smtp", "scope", "DEPARTMENT", "owner", "sales", "enabled", false));
            try (Statement s = c.createStatement()) {
                s.execute("INSERT INTO mailroom_signature (kind, tenant, project, text_signature, html_signature)"
                        + " VALUES ('CENTRAL', '', '', 'Central', '<p>Central</p>')");
                s.execute("INSERT INTO mailroom_signature (kind, tenant, project, text_signature, html_signature)"
                        + " VALUES ('PROJECT', 'acme', 'p1', 'Project', NULL)");
            }
        }
    }

    /** The accounts exactly as the previous version read those rows, in the new types. */
    private static List<Account> expected() {
        return List.of(
                Account.builder().id("defaults").description("Company defaults").email("postmaster@acme.test").defaultsAccount(true)
                        .authentication(Authentication.password("postmaster@acme.test", Secret.of("pw-defaults")))
                        .smtp("smtp.acme.test", 587, Security.STARTTLS).clientAlias("app.acme.test")
                        .imap("imap.acme.test", 993, Security.TLS).pop3("pop.acme.test", null).build(),
                Account.builder().id("sys").description("System").email("noreply@acme.test").displayName("ACME").systemAccount(true)
                        .authentication(Authentication.password("noreply@acme.test", Secret.of("pw-sys")))
                        .smtpSecurity(Security.TLS).copyToSent(true, "Gesendet").preventPlainTextLogin(true).utf8Headers(true).build(),
                Account.builder().id("relay").description("Local MTA").email("relay@acme.test").localRelay(2525).build(),
                Account.builder().id("oauth").description("Google").email("team@acme.test").tenant("acme")
                        .authentication(Authentication.oauth2("team@acme.test", OAuthClientId.of("google-grant-1")))
                        .smtp("smtp.gmail.com", 587, Security.STARTTLS).build(),
                Account.builder().id("msapp").description("Microsoft 365").email("sales@acme.test").transport("graph")
                        .authentication(Authentication.microsoftApp("dir-1", OAuthClientId.of("msapp"))).build(),
                Account.builder().id("msold").description("Microsoft 365 (old secret)").email("old@acme.test")
                        .authentication(Authentication.microsoftApp("dir-2", OAuthClientId.of("msold"))).build(),
                Account.builder().id("user").description("Jane").email("jane@acme.test").displayName("Jane Doe").tenant("acme").user("u1")
                        .senderAddress("support@acme.test").senderName("ACME Support").signature("-- \nJane", "<p>Jane</p>")
                        .internalNote("sales team").pop3(null, 995).imap(null, null, Security.TLS).debug(true).preventNtlm(true).build(),
                Account.builder().id("legacy").description("Old password").email("legacy@acme.test").department("sales").enabled(false)
                        .authentication(Authentication.password("legacy@acme.test", Secret.of("pw-legacy")))
                        .clientAlias("legacy.acme.test").transport("smtp").build());
    }

    /** Every effective value and its origin, as a comparable text. */
    private static String view(ResolvedAccount r) {
        StringBuilder s = new StringBuilder(r.id().value()).append(": auth=").append(r.authentication().orElse(null))
                .append(" smtp=").append(r.smtpHost().orElse(null)).append(':').append(r.smtpPort()).append(' ').append(r.smtpSecurity())
                .append(" imap=").append(r.imapHost().orElse(null)).append(':').append(r.imapPort()).append(' ').append(r.imapSecurity())
                .append(" pop3=").append(r.pop3Host().orElse(null)).append(':').append(r.pop3Port())
                .append(" alias=").append(r.clientAlias().orElse(null)).append(" transport=").append(r.transport().orElse(null))
                .append(" sender=").append(r.sender()).append(" local=").append(r.account().localRelay())
                .append(" sent=").append(r.account().copyToSent()).append('/').append(r.account().sentFolder().orElse(null))
                .append(" defaults=").append(r.defaultsAccountId().orElse(null));
        r.authentication().flatMap(Authentication::secret).ifPresent(secret -> s.append(" secret=").append(secret.reveal()));
        for (AccountField f : AccountField.values()) {
            if (f != AccountField.SENDING && f != AccountField.FETCHING) { // new with V9: not part of the old view
                s.append(' ').append(f.property()).append('=').append(r.origin(f));
            }
        }
        return s.toString();
    }

    private static Account defaultsOf(List<Account> all) {
        return all.stream().filter(Account::defaultsAccount).findFirst().orElseThrow();
    }

    @Test
    @DisplayName("#11: V9 carries every account of the V8 schema forward: same values, secrets and resolution (origin per field)")
    void v9_everyAccountResolvesAsBefore() throws Exception {
        DataSource ds = database();
        fillV8(ds);
        List<Account> expected = expected();
        try (JdbcStore store = JdbcStore.builder(ds).cipher(CIPHER).build()) {
            List<Account> migrated = store.accounts().findAll();
            assertThat(migrated).extracting(a -> a.id().value())
                    .containsExactly("defaults", "sys", "relay", "oauth", "msapp", "msold", "user", "legacy");
            assertThat(migrated).containsExactlyElementsOf(expected);
            for (Account a : migrated) {
                String before = view(ResolvedAccount.of(expected.get(migrated.indexOf(a)), defaultsOf(expected), Security.STARTTLS));
                assertThat(view(ResolvedAccount.of(a, defaultsOf(migrated), Security.STARTTLS))).as(a.id().value()).isEqualTo(before);
            }
            ResolvedAccount sys = ResolvedAccount.of(migrated.get(1), migrated.get(0), Security.STARTTLS);
            assertThat(sys.smtpHost()).contains("smtp.acme.test");
            assertThat(sys.origin(AccountField.SMTP_HOST)).isEqualTo(Origin.DEFAULTS_ACCOUNT);
            assertThat(sys.smtpPort()).as("own TLS: the conventional port, not the defaults' 587").isEqualTo(465);
            assertThat(sys.authentication().orElseThrow().secret().orElseThrow().reveal()).isEqualTo("pw-sys");
            assertThat(sys.sending()).hasValueSatisfying(s -> assertThat(s.kind()).isEqualTo(SendSettings.Kind.SMTP));
            assertThat(sys.fetching().protocol()).as("nothing fetched before V9").isEqualTo(FetchSettings.Protocol.NONE);
            assertThat(migrated.get(2).sending()).contains(SendSettings.localRelay(2525));
            assertThat(migrated.get(6).sending()).as("no SMTP value of its own: sends as the defaults account does").isEmpty();
            assertThat(ResolvedAccount.of(migrated.get(6), migrated.get(0), Security.STARTTLS).origin(AccountField.SENDING))
                    .isEqualTo(Origin.DEFAULTS_ACCOUNT);

            assertThat(store.accounts().centralSignature(null)).contains(new Signature("Central", "<p>Central</p>"));
            assertThat(store.accounts().projectSignature("acme", "p1")).contains(new Signature("Project", null));
        }
    }

    @Test
    @DisplayName("#11: V9 moves each Microsoft app's sealed client secret into the OAuth client registry under the account's id,"
            + " unchanged and still sealed; key rotation re-seals it there")
    void v9_microsoftClientSecret_movesToRegistry() throws Exception {
        DataSource ds = database();
        fillV8(ds);
        try (JdbcStore store = JdbcStore.builder(ds).cipher(CIPHER).build()) {
            assertThat(store.accounts().find(AccountId.of("msapp")).orElseThrow().authentication().orElseThrow().secret())
                    .as("the account carries no client secret").isEmpty();
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery("SELECT id, provider, client_id, directory_id, secret_key_id, secret_value, secret_binding"
                        + " FROM mailroom_oauth_client ORDER BY id")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(List.of(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6)))
                            .containsExactly("msapp", "microsoft", "app-1", "dir-1", MS_SECRET[0], MS_SECRET[1]); // V10: lower case
                    assertThat(rs.getString(7)).isEqualTo("account:msapp:clientSecret");
                    assertThat(open(rs.getString(5), rs.getString(6), rs.getString(7))).isEqualTo("ms-client-secret");
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("msold");
                    assertThat(rs.getString(7)).as("sealed before binding").isNull();
                    assertThat(rs.next()).isFalse();
                }
                try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM mailroom_account WHERE auth_kind = 'MICROSOFT_APP'"
                        + " AND (secret_value IS NOT NULL OR secret_key_id IS NOT NULL)")) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("no client secret left on an account row").isZero();
                }
            }
        }
        AesGcmSecretCipher rotated = AesGcmSecretCipher.builder().key("k1", TestKeys.key(1)).key("k2", TestKeys.key(2)).activeKey("k2").build();
        try (JdbcStore store = JdbcStore.builder(ds).cipher(rotated).build()) {
            assertThat(store.accounts().reencryptSecrets()).as("3 passwords and 2 client secrets").isEqualTo(5);
            assertThat(store.accounts().reencryptSecrets()).isZero();
        }
        AesGcmSecretCipher onlyNew = AesGcmSecretCipher.builder().key("k2", TestKeys.key(2)).build();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, secret_key_id, secret_value, secret_binding FROM mailroom_oauth_client ORDER BY id")) {
            assertThat(rs.next()).isTrue();
            assertThat(openWith(onlyNew, rs.getString(2), rs.getString(3), rs.getString(4))).isEqualTo("ms-client-secret");
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(4)).as("bound on re-encryption").isEqualTo("oauth-client:msold:clientSecret");
            assertThat(openWith(onlyNew, rs.getString(2), rs.getString(3), rs.getString(4))).isEqualTo("ms-old-secret");
        }
        try (JdbcStore store = JdbcStore.builder(ds).cipher(onlyNew).build()) {
            assertThat(store.accounts().find(AccountId.of("sys")).orElseThrow().authentication().orElseThrow()
                    .secret().orElseThrow().reveal()).isEqualTo("pw-sys");
            assertThat(store.accounts().delete(AccountId.of("msapp"))).isTrue();
        }
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id FROM mailroom_oauth_client ORDER BY id")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).as("the deleted account's client secret went with it; the other stays").isEqualTo("msold");
            assertThat(rs.next()).isFalse();
        }
    }

    @Test
    @DisplayName("D1: V10 carries V9's registry forward: the Microsoft clients read through the OAuth store with their sealed secrets,"
            + " bound or not, a lower-case provider and a placeholder redirect URL; re-registering with a placeholder keeps the secret")
    void v10_registryReadsThroughOAuthStore() throws Exception {
        DataSource ds = database();
        fillV8(ds);
        try (JdbcStore store = JdbcStore.builder(ds).cipher(CIPHER).build()) {
            dev.mailroom.spi.OAuthStore oauth = store.oauth().orElseThrow();
            assertThat(oauth.findClients()).extracting(c -> c.id().value()).containsExactly("msapp", "msold");
            dev.mailroom.OAuthClient ms = oauth.findClient(dev.mailroom.OAuthClientId.of("msapp")).orElseThrow();
            assertThat(ms.provider()).isEqualTo("microsoft");
            assertThat(ms.clientId()).isEqualTo("app-1");
            assertThat(ms.directory()).contains("dir-1");
            assertThat(ms.redirectUri()).hasToString("http://localhost/");
            assertThat(ms.scopes()).isEmpty();
            assertThat(ms.clientSecret().reveal()).isEqualTo("ms-client-secret");
            assertThat(oauth.findClient(dev.mailroom.OAuthClientId.of("msold")).orElseThrow().clientSecret().reveal()).isEqualTo("ms-old-secret");
            oauth.saveClient(ms.toBuilder().clientSecret(dev.mailroom.Secret.stored()).redirectUri(java.net.URI.create("https://erp.acme.test/cb"))
                    .scopes(List.of("https://graph.microsoft.com/.default")).build());
            dev.mailroom.OAuthClient saved = oauth.findClient(ms.id()).orElseThrow();
            assertThat(saved.clientSecret().reveal()).as("kept, with its V9 binding").isEqualTo("ms-client-secret");
            assertThat(saved.scopes()).containsExactly("https://graph.microsoft.com/.default");
        }
    }

    @Test
    @DisplayName("#11: a row written after V9 by a node of the previous version (no send kind) reads as V9 migrated it")
    void rowFromPreviousVersionNode_readsAsMigrated() throws Exception {
        DataSource ds = database();
        try (JdbcStore store = JdbcStore.builder(ds).cipher(CIPHER).build()) {
            try (Connection c = ds.getConnection()) {
                insertV8(c, 1, row("id", "smtp", "description", "Old node", "email", "old@acme.test", "auth_kind", "NONE",
                        "smtp_host", "smtp.acme.test", "scope", "SYSTEM"));
                insertV8(c, 2, row("id", "relay", "description", "Old relay", "email", "relay@acme.test", "auth_kind", "NONE",
                        "smtp_host", "localhost", "smtp_port", 25, "smtp_security", "NONE", "scope", "SYSTEM", "local_relay", true));
                insertV8(c, 3, row("id", "bare", "description", "Old bare", "email", "bare@acme.test", "scope", "SYSTEM"));
                insertV8(c, 4, row("id", "oauth", "description", "Old OAuth", "email", "oauth@acme.test", "auth_kind", "OAUTH2",
                        "auth_user", "oauth@acme.test", "auth_grant", "google-main", "smtp_host", "smtp.gmail.com", "scope", "SYSTEM"));
            }
            assertThat(store.accounts().find(AccountId.of("oauth")).orElseThrow().authentication().orElseThrow().oauthClient())
                    .as("an old node's OAuth 2.0 row: the grant reference is the client").contains(dev.mailroom.OAuthClientId.of("google-main"));
            assertThat(store.accounts().find(AccountId.of("smtp")).orElseThrow().sending())
                    .contains(SendSettings.smtp("smtp.acme.test", null, null));
            assertThat(store.accounts().find(AccountId.of("relay")).orElseThrow().sending()).contains(SendSettings.localRelay(25));
            assertThat(store.accounts().find(AccountId.of("bare")).orElseThrow().sending()).isEmpty();
        }
    }

    private static String open(String keyId, String stored, String binding) {
        return openWith(CIPHER, keyId, stored, binding);
    }

    private static String openWith(SecretCipher cipher, String keyId, String stored, String binding) {
        if (binding == null) {
            return new String(cipher.open(new SecretCipher.Sealed(keyId, Base64.getDecoder().decode(stored))), StandardCharsets.UTF_8);
        }
        assertThat(stored).startsWith("v2:");
        return new String(cipher.open(new SecretCipher.Sealed(keyId, Base64.getDecoder().decode(stored.substring(3))),
                binding.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }
}
