package dev.mailroom.jdbc;

import dev.mailroom.AccountId;
import dev.mailroom.MailErrorCode;
import dev.mailroom.OAuthClient;
import dev.mailroom.OAuthClientId;
import dev.mailroom.Secret;
import dev.mailroom.jdbc.internal.Sealing;
import dev.mailroom.jdbc.internal.Transactions;
import dev.mailroom.spi.AccessToken;
import dev.mailroom.spi.OAuthStore;
import dev.mailroom.spi.SecretCipher;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The JDBC store's {@link OAuthStore}: OAuth clients, started consents and accounts' grants in the tables of
 * migrations V9 and V10, shared by every node on the database. Client secrets, refresh tokens, cached access tokens
 * and PKCE verifiers are sealed with the store's {@link SecretCipher} and bound to their owner
 * ({@code oauth-client:<id>:clientSecret}, {@code account:<id>:refresh-token}, {@code account:<id>:access-token},
 * {@code oauth-consent:<state hash>:verifier}); a consent's state is stored only as its SHA-256. Reading opens no
 * secret: each is {@linkplain Secret#sealed sealed} until used. Refresh leases and grant versions are judged on
 * the database's clock. Registering a client and storing or deleting a grant bump the store's change stamp, so
 * other nodes release held mail within the change poll interval. Thread-safe; each method is one transaction.
 */
public final class JdbcOAuthStore implements OAuthStore {
    private static final String NOW = "CAST(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) * 1000 AS BIGINT)";
    private static final String GRANT_COLUMNS = "account_id, client_ref, identity, scopes, granted_at, refresh_key_id, refresh_value,"
            + " access_key_id, access_value, access_expires_at, access_issued_at, version, problem_code, problem_detail, problem_since";

    /** Releases the lease when the given holder (two parameters) holds it; another node's lease stays. */
    private static final String RELEASE_OWN_LEASE = "lease_until = CASE WHEN lease_owner = ? THEN NULL ELSE lease_until END,"
            + " lease_owner = CASE WHEN lease_owner = ? THEN NULL ELSE lease_owner END";
    /** How often a grant is stored again when a concurrent consent for the same account inserted its row first. */
    private static final int SAVE_GRANT_ATTEMPTS = 5;

    private final DataSource dataSource;
    private final SecretCipher cipher;

    JdbcOAuthStore(DataSource dataSource, SecretCipher cipher) {
        this.dataSource = dataSource;
        this.cipher = cipher;
    }

    // ------------------------------------------------------------------ clients

    @Override
    public void saveClient(OAuthClient client) {
        Objects.requireNonNull(client, "client");
        write(c -> {
            String[] secret;
            String binding;
            if (client.clientSecret().isPlaceholder()) {
                try (PreparedStatement p = c.prepareStatement("SELECT secret_key_id, secret_value, secret_binding FROM mailroom_oauth_client"
                        + " WHERE id = ?")) {
                    p.setString(1, client.id().value());
                    try (ResultSet rs = p.executeQuery()) {
                        if (!rs.next()) {
                            throw new IllegalArgumentException("OAuth client " + client.id()
                                    + " is not registered yet: give its client secret, not a placeholder");
                        }
                        secret = new String[] {rs.getString(1), rs.getString(2)};
                        binding = rs.getString(3);
                    }
                }
            } else {
                binding = clientBinding(client.id().value());
                secret = Sealing.seal(cipher, binding, client.clientSecret().reveal());
            }
            try (PreparedStatement d = c.prepareStatement("DELETE FROM mailroom_oauth_client WHERE id = ?")) {
                d.setString(1, client.id().value());
                d.executeUpdate();
            }
            try (PreparedStatement p = c.prepareStatement("INSERT INTO mailroom_oauth_client (id, name, provider, client_id, directory_id,"
                    + " redirect_uri, secret_key_id, secret_value, secret_binding, scopes, authorization_endpoint, token_endpoint)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                p.setString(1, client.id().value());
                p.setString(2, client.name());
                p.setString(3, client.provider());
                p.setString(4, client.clientId());
                p.setString(5, client.directory().orElse(null));
                p.setString(6, client.redirectUri().toString());
                p.setString(7, secret[0]);
                p.setString(8, secret[1]);
                p.setString(9, binding);
                p.setString(10, String.join(" ", client.scopes()));
                p.setString(11, client.authorizationEndpoint().map(URI::toString).orElse(null));
                p.setString(12, client.tokenEndpoint().map(URI::toString).orElse(null));
                p.executeUpdate();
            }
            bumpChangeStamp(c);
            return null;
        });
    }

    @Override
    public Optional<OAuthClient> findClient(OAuthClientId id) {
        Objects.requireNonNull(id, "id");
        List<OAuthClient> found = clients("WHERE id = ?", id.value());
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    @Override
    public List<OAuthClient> findClients() {
        return clients("ORDER BY id", null);
    }

    private List<OAuthClient> clients(String where, String id) {
        return read(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT id, name, provider, client_id, directory_id, redirect_uri, secret_key_id,"
                    + " secret_value, secret_binding, scopes, authorization_endpoint, token_endpoint FROM mailroom_oauth_client " + where)) {
                if (id != null) {
                    p.setString(1, id);
                }
                List<OAuthClient> out = new ArrayList<>();
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        out.add(client(rs));
                    }
                }
                return out;
            }
        });
    }

    private OAuthClient client(ResultSet rs) throws SQLException {
        String id = rs.getString("id");
        String keyId = rs.getString("secret_key_id");
        String stored = rs.getString("secret_value");
        String binding = rs.getString("secret_binding");
        OAuthClient.Builder b = OAuthClient.builder(OAuthClientId.of(id), rs.getString("provider")).name(rs.getString("name"))
                .clientId(rs.getString("client_id")).redirectUri(URI.create(rs.getString("redirect_uri")))
                .scopes(words(rs.getString("scopes")).stream().toList())
                .clientSecret(stored == null ? Secret.stored()
                        : Secret.sealed(() -> Sealing.open(cipher, keyId, stored, binding, "client secret of OAuth client " + id)));
        String directory = rs.getString("directory_id");
        if (directory != null) {
            b.directory(directory);
        }
        String auth = rs.getString("authorization_endpoint");
        String token = rs.getString("token_endpoint");
        if (auth != null && token != null) {
            b.endpoints(URI.create(auth), URI.create(token));
        }
        return b.build();
    }

    @Override
    public boolean deleteClient(OAuthClientId id) {
        Objects.requireNonNull(id, "id");
        return write(c -> {
            try (PreparedStatement p = c.prepareStatement("DELETE FROM mailroom_oauth_client WHERE id = ?")) {
                p.setString(1, id.value());
                return p.executeUpdate() > 0;
            }
        });
    }

    // ------------------------------------------------------------------ consents

    @Override
    public void savePendingConsent(PendingConsent consent) {
        Objects.requireNonNull(consent, "consent");
        String hash = hash(consent.state());
        String[] verifier = Sealing.seal(cipher, "oauth-consent:" + hash + ":verifier", consent.codeVerifier().reveal());
        write(c -> {
            try (PreparedStatement d = c.prepareStatement("DELETE FROM mailroom_oauth_consent WHERE expires_at <= ?")) {
                d.setLong(1, consent.createdAt().toEpochMilli());
                d.executeUpdate();
            }
            try (PreparedStatement p = c.prepareStatement("INSERT INTO mailroom_oauth_consent (state_hash, account_id, client_ref,"
                    + " verifier_key_id, verifier_value, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                p.setString(1, hash);
                p.setString(2, consent.account().value());
                p.setString(3, consent.client().value());
                p.setString(4, verifier[0]);
                p.setString(5, verifier[1]);
                p.setLong(6, consent.createdAt().toEpochMilli());
                p.setLong(7, consent.expiresAt().toEpochMilli());
                p.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Optional<PendingConsent> takePendingConsent(String state, Instant now) {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(now, "now");
        String hash = hash(state);
        return write(c -> {
            PendingConsent found = null;
            try (PreparedStatement p = c.prepareStatement("SELECT account_id, client_ref, verifier_key_id, verifier_value, created_at,"
                    + " expires_at FROM mailroom_oauth_consent WHERE state_hash = ?")) {
                p.setString(1, hash);
                try (ResultSet rs = p.executeQuery()) {
                    if (rs.next()) {
                        String keyId = rs.getString(3);
                        String stored = rs.getString(4);
                        found = new PendingConsent(state, AccountId.of(rs.getString(1)), OAuthClientId.of(rs.getString(2)),
                                Secret.sealed(() -> Sealing.open(cipher, keyId, stored, "oauth-consent:" + hash + ":verifier",
                                        "PKCE verifier of a started consent")),
                                Instant.ofEpochMilli(rs.getLong(5)), Instant.ofEpochMilli(rs.getLong(6)));
                    }
                }
            }
            // The delete decides: of concurrent takers (on any node) only one deletes the row.
            try (PreparedStatement d = c.prepareStatement("DELETE FROM mailroom_oauth_consent WHERE state_hash = ?")) {
                d.setString(1, hash);
                if (d.executeUpdate() != 1 || found == null) {
                    return Optional.<PendingConsent>empty();
                }
            }
            return now.isBefore(found.expiresAt()) ? Optional.of(found) : Optional.<PendingConsent>empty();
        });
    }

    // ------------------------------------------------------------------ grants

    @Override
    public Optional<Grant> findGrant(AccountId account) {
        Objects.requireNonNull(account, "account");
        return read(c -> grant(c, account));
    }

    @Override
    public Grant saveGrant(Grant grant) {
        Objects.requireNonNull(grant, "grant");
        String id = grant.account().value();
        String[] refresh = Sealing.seal(cipher, refreshBinding(id), grant.refreshToken().reveal());
        String[] access = grant.accessToken() == null ? new String[2] : Sealing.seal(cipher, accessBinding(id), grant.accessToken().reveal());
        for (int attempt = 1; ; attempt++) {
            try {
                return writeGrant(grant, refresh, access);
            } catch (dev.mailroom.MailException e) {
                // Two consents for one account at once: both found no row and inserted; the later insert hit the key. Its
                // transaction was rolled back; storing it again replaces the other (it then reads the committed version).
                if (attempt >= SAVE_GRANT_ATTEMPTS || !duplicateKey(e)) {
                    throw e;
                }
            }
        }
    }

    private static boolean duplicateKey(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLIntegrityConstraintViolationException
                    || t instanceof SQLException q && "23505".equals(q.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Replaces the account's row in place (the row lock orders concurrent consents, each version computed from the
     * committed one), or inserts it when there is none.
     */
    private Grant writeGrant(Grant grant, String[] refresh, String[] access) {
        String id = grant.account().value();
        return write(c -> {
            int updated;
            try (PreparedStatement p = c.prepareStatement("UPDATE mailroom_oauth_grant SET client_ref = ?, identity = ?, scopes = ?,"
                    + " granted_at = ?, refresh_key_id = ?, refresh_value = ?, access_key_id = ?, access_value = ?, access_expires_at = ?,"
                    + " access_issued_at = ?, problem_code = ?, problem_detail = ?, problem_since = ?,"
                    + " version = GREATEST(version + 1, " + NOW + "), lease_owner = NULL, lease_until = NULL WHERE account_id = ?")) {
                setGrant(p, 1, grant, refresh, access);
                p.setString(14, id);
                updated = p.executeUpdate();
            }
            if (updated == 0) {
                try (PreparedStatement p = c.prepareStatement("INSERT INTO mailroom_oauth_grant (client_ref, identity, scopes, granted_at,"
                        + " refresh_key_id, refresh_value, access_key_id, access_value, access_expires_at, access_issued_at, problem_code,"
                        + " problem_detail, problem_since, account_id, version) VALUES (" + "?, ".repeat(14) + NOW + ")")) {
                    setGrant(p, 1, grant, refresh, access);
                    p.setString(14, id);
                    p.executeUpdate();
                }
            }
            bumpChangeStamp(c);
            return grant(c, grant.account()).orElseThrow();
        });
    }

    /** Sets the 13 values of a grant from {@code i} on: client, identity, scopes, granted, refresh, access, problem. */
    private static void setGrant(PreparedStatement p, int i, Grant grant, String[] refresh, String[] access) throws SQLException {
        p.setString(i++, grant.client().value());
        p.setString(i++, grant.identity());
        p.setString(i++, String.join(" ", grant.scopes()));
        p.setLong(i++, grant.grantedAt().toEpochMilli());
        p.setString(i++, refresh[0]);
        p.setString(i++, refresh[1]);
        p.setString(i++, access[0]);
        p.setString(i++, access[1]);
        setLong(p, i++, grant.accessToken() == null ? null : grant.accessToken().expiresAt().map(Instant::toEpochMilli).orElse(null));
        setLong(p, i++, grant.accessTokenIssuedAt() == null ? null : grant.accessTokenIssuedAt().toEpochMilli());
        p.setString(i++, grant.problem() == null ? null : grant.problem().code().name());
        p.setString(i++, grant.problem() == null ? null : grant.problem().detail());
        setLong(p, i, grant.problem() == null ? null : grant.problem().since().toEpochMilli());
    }

    @Override
    public boolean deleteGrant(AccountId account) {
        Objects.requireNonNull(account, "account");
        return write(c -> {
            try (PreparedStatement p = c.prepareStatement("DELETE FROM mailroom_oauth_grant WHERE account_id = ?")) {
                p.setString(1, account.value());
                boolean deleted = p.executeUpdate() > 0;
                bumpChangeStamp(c);
                return deleted;
            }
        });
    }

    @Override
    public boolean tryLease(AccountId account, String holder, Duration lease) {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(holder, "holder");
        Objects.requireNonNull(lease, "lease");
        return write(c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE mailroom_oauth_grant SET lease_owner = ?, lease_until = " + NOW + " + ?"
                    + " WHERE account_id = ? AND (lease_owner IS NULL OR lease_owner = ? OR lease_until <= " + NOW + ")")) {
                p.setString(1, holder);
                p.setLong(2, lease.toMillis());
                p.setString(3, account.value());
                p.setString(4, holder);
                return p.executeUpdate() == 1;
            }
        });
    }

    @Override
    public Optional<Grant> saveTokens(AccountId account, String holder, long expectedVersion, AccessToken accessToken, Instant issuedAt,
                                      Optional<Secret> rotatedRefreshToken) {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(holder, "holder");
        Objects.requireNonNull(accessToken, "accessToken");
        Objects.requireNonNull(issuedAt, "issuedAt");
        Objects.requireNonNull(rotatedRefreshToken, "rotatedRefreshToken");
        String id = account.value();
        String[] access = Sealing.seal(cipher, accessBinding(id), accessToken.reveal());
        String[] refresh = rotatedRefreshToken.map(r -> Sealing.seal(cipher, refreshBinding(id), r.reveal())).orElse(null);
        return write(c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE mailroom_oauth_grant SET access_key_id = ?, access_value = ?,"
                    + " access_expires_at = ?, access_issued_at = ?"
                    + (refresh != null ? ", refresh_key_id = ?, refresh_value = ?" : "")
                    + ", version = GREATEST(version + 1, " + NOW + "), " + RELEASE_OWN_LEASE + ", problem_code = NULL,"
                    + " problem_detail = NULL, problem_since = NULL WHERE account_id = ? AND version = ?")) {
                int i = 1;
                p.setString(i++, access[0]);
                p.setString(i++, access[1]);
                setLong(p, i++, accessToken.expiresAt().map(Instant::toEpochMilli).orElse(null));
                p.setLong(i++, issuedAt.toEpochMilli());
                if (refresh != null) {
                    p.setString(i++, refresh[0]);
                    p.setString(i++, refresh[1]);
                }
                p.setString(i++, holder);
                p.setString(i++, holder);
                p.setString(i++, id);
                p.setLong(i, expectedVersion);
                if (p.executeUpdate() != 1) {
                    return Optional.<Grant>empty();
                }
            }
            return grant(c, account);
        });
    }

    @Override
    public boolean markProblem(AccountId account, String holder, long expectedVersion, Problem problem) {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(holder, "holder");
        Objects.requireNonNull(problem, "problem");
        return write(c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE mailroom_oauth_grant SET problem_code = ?, problem_detail = ?,"
                    + " problem_since = ?, access_key_id = NULL, access_value = NULL, access_expires_at = NULL, access_issued_at = NULL,"
                    + " version = GREATEST(version + 1, " + NOW + "), " + RELEASE_OWN_LEASE
                    + " WHERE account_id = ? AND version = ?")) {
                p.setString(1, problem.code().name());
                String detail = problem.detail();
                p.setString(2, detail.length() > 2000 ? detail.substring(0, 2000) : detail);
                p.setLong(3, problem.since().toEpochMilli());
                p.setString(4, holder);
                p.setString(5, holder);
                p.setString(6, account.value());
                p.setLong(7, expectedVersion);
                return p.executeUpdate() == 1;
            }
        });
    }

    @Override
    public void releaseLease(AccountId account, String holder) {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(holder, "holder");
        write(c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE mailroom_oauth_grant SET lease_owner = NULL, lease_until = NULL"
                    + " WHERE account_id = ? AND lease_owner = ?")) {
                p.setString(1, account.value());
                p.setString(2, holder);
                p.executeUpdate();
            }
            return null;
        });
    }

    private Optional<Grant> grant(Connection c, AccountId account) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT " + GRANT_COLUMNS + " FROM mailroom_oauth_grant WHERE account_id = ?")) {
            p.setString(1, account.value());
            try (ResultSet rs = p.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                String id = account.value();
                String refreshKey = rs.getString("refresh_key_id");
                String refreshValue = rs.getString("refresh_value");
                Secret refresh = Secret.sealed(() -> Sealing.open(cipher, refreshKey, refreshValue, refreshBinding(id),
                        "refresh token of account " + id));
                AccessToken access = null;
                Instant issued = null;
                String accessValue = rs.getString("access_value");
                String plain = null;
                if (accessValue != null) {
                    try {
                        plain = Sealing.open(cipher, rs.getString("access_key_id"), accessValue, accessBinding(id), "access token of account " + id);
                    } catch (dev.mailroom.MailException e) { // this node lacks the key: no cached token here, the refresh token decides
                        plain = null;
                    }
                }
                if (plain != null) {
                    long expires = rs.getLong("access_expires_at");
                    access = rs.wasNull() ? AccessToken.of(plain) : AccessToken.of(plain, Instant.ofEpochMilli(expires));
                    issued = Instant.ofEpochMilli(rs.getLong("access_issued_at"));
                }
                String code = rs.getString("problem_code");
                Problem problem = code == null ? null : new Problem(MailErrorCode.valueOf(code), rs.getString("problem_detail"),
                        Instant.ofEpochMilli(rs.getLong("problem_since")));
                return Optional.of(new Grant(account, OAuthClientId.of(rs.getString("client_ref")), rs.getString("identity"),
                        words(rs.getString("scopes")), Instant.ofEpochMilli(rs.getLong("granted_at")), refresh, access, issued,
                        rs.getLong("version"), problem));
            }
        }
    }

    // ------------------------------------------------------------------ plumbing

    private static String clientBinding(String id) {
        return "oauth-client:" + id + ":clientSecret";
    }

    private static String refreshBinding(String accountId) {
        return "account:" + accountId + ":refresh-token";
    }

    private static String accessBinding(String accountId) {
        return "account:" + accountId + ":access-token";
    }

    private static Set<String> words(String s) {
        Set<String> out = new LinkedHashSet<>();
        if (s != null) {
            Arrays.stream(s.split(" ")).filter(w -> !w.isEmpty()).forEach(out::add);
        }
        return out;
    }

    /** The state as stored: its SHA-256, base64url, so the table alone does not allow completing a consent. */
    private static String hash(String state) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(state.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static void setLong(PreparedStatement p, int i, Long v) throws SQLException {
        if (v == null) {
            p.setNull(i, Types.BIGINT);
        } else {
            p.setLong(i, v);
        }
    }

    /** Other nodes poll this stamp: a new grant or client may release held mail there too. */
    private static void bumpChangeStamp(Connection c) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("UPDATE mailroom_change SET version = version + 1 WHERE id = 1")) {
            p.executeUpdate();
        }
    }

    private <T> T read(Transactions.OnConnection<T> work) {
        return Transactions.read(dataSource, "Mailroom OAuth store", work);
    }

    private <T> T write(Transactions.OnConnection<T> work) {
        return Transactions.write(dataSource, "Mailroom OAuth store", work);
    }

    @Override
    public String toString() {
        return "JdbcOAuthStore";
    }
}
