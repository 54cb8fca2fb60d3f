package dev.mailroom.jdbc;

import dev.mailroom.Account;
import dev.mailroom.AccountId;
import dev.mailroom.Authentication;
import dev.mailroom.DeliveryLogEntry;
import dev.mailroom.DeliveryLogQuery;
import dev.mailroom.Email;
import dev.mailroom.MailContext;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.AccountHealth;
import dev.mailroom.Queued;
import dev.mailroom.Receipt;
import dev.mailroom.spi.OutboxRepository;
import dev.mailroom.EmailAddress;
import dev.mailroom.NotificationEvent;
import dev.mailroom.NotificationPreference;
import dev.mailroom.NotificationResult;
import dev.mailroom.NotificationType;
import dev.mailroom.Person;
import dev.mailroom.spi.SecretCipher;
import dev.mailroom.testkit.SmtpTestServer;
import dev.mailroom.Secret;
import dev.mailroom.Security;
import dev.mailroom.Signature;
import dev.mailroom.core.AesGcmSecretCipher;
import dev.mailroom.core.Mailroom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the JDBC store must do on every database; run on H2 and on PostgreSQL. */
abstract class JdbcStoreContract {
    /** @return a fresh, empty database */
    abstract DataSource database();

    private static Account account(String id, String password) {
        return Account.builder().id(id).description("Support " + id).email(id + "@acme.test").systemAccount(true)
                .smtp("smtp.acme.test", 587, Security.STARTTLS)
                .authentication(Authentication.password(id + "@acme.test", Secret.of(password))).build();
    }

    private static String dump(DataSource ds) throws Exception {
        StringBuilder all = new StringBuilder();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            for (String table : List.of("mailroom_account", "mailroom_system_settings", "mailroom_tenant_settings",
                    "mailroom_signature", "mailroom_change", "mailroom_delivery_log", "mailroom_schema_version", "mailroom_outbox",
                    "mailroom_oauth_client")) {
                try (ResultSet rs = s.executeQuery("SELECT * FROM " + table)) {
                    ResultSetMetaData md = rs.getMetaData();
                    while (rs.next()) {
                        for (int i = 1; i <= md.getColumnCount(); i++) {
                            all.append(rs.getString(i)).append('|');
                        }
                        all.append('\n');
                    }
                }
            }
        }
        return all.toString();
    }

    @Test
    @DisplayName("Secrets at rest: a dump of every table holds no plaintext password, in any encoding")
    void secrets_neverInPlainText() throws Exception {
        DataSource ds = database();
        String password = "Correct-Horse-Battery-Staple-42";
        try (JdbcStore store = JdbcStore.builder(ds).cipher(TestKeys.cipher()).build();
             Mailroom mailroom = Mailroom.builder().accountRepository(store.accounts()).deliveryLogRepository(store.deliveryLog()).build()) {
            mailroom.accounts().create(account("a1", password));
            store.accounts().saveCentralSignature(null, new Signature("Gruß", null));
            try {
                mailroom.send(MailContext.system(), Email.builder().to("x@example.test").text("x").build());
            } catch (dev.mailroom.MailException expected) {
                // smtp.acme.test does not resolve here: the failure lands in the log, which must hold no secret either
            }
            assertThat(store.accounts().find(AccountId.of("a1")).orElseThrow().authentication().orElseThrow()
                    .secret().orElseThrow().reveal()).isEqualTo(password);
        }
        String dump = dump(ds);
        assertThat(dump).contains("a1@acme.test")
                .doesNotContain(password)
                .doesNotContain(Base64.getEncoder().encodeToString(password.getBytes(StandardCharsets.UTF_8)))
                .doesNotContain(new StringBuilder(password).reverse());
    }

    @Test
    @DisplayName("Key rotation: add a key, make it active, re-encrypt; then the old key can go")
    void keyRotation() {
        DataSource ds = database();
        try (JdbcStore old = JdbcStore.builder(ds).cipher(TestKeys.cipher()).build()) {
            old.accounts().save(account("a1", "pw-1"));
            old.accounts().save(account("a2", "pw-2"));
        }
        AesGcmSecretCipher both = AesGcmSecretCipher.builder().key("k1", TestKeys.key(1)).key("k2", TestKeys.key(2)).activeKey("k2").build();
        try (JdbcStore rotating = JdbcStore.builder(ds).cipher(both).build()) {
            assertThat(rotating.accounts().reencryptSecrets()).isEqualTo(2);
            assertThat(rotating.accounts().reencryptSecrets()).isZero();
        }
        AesGcmSecretCipher onlyNew = AesGcmSecretCipher.builder().key("k2", TestKeys.key(2)).build();
        try (JdbcStore store = JdbcStore.builder(ds).cipher(onlyNew).build()) {
            assertThat(store.accounts().find(AccountId.of("a2")).orElseThrow().authentication().orElseThrow()
                    .secret().orElseThrow().reveal()).isEqualTo("pw-2");
        }
        try (JdbcStore wrong = JdbcStore.builder(ds).cipher(AesGcmSecretCipher.builder().key("k3", TestKeys.key(3)).build()).build()) {
            Account a2 = wrong.accounts().findAll().stream().filter(a -> a.id().value().equals("a2")).findFirst().orElseThrow();
            assertThatThrownBy(() -> a2.authentication().orElseThrow().secret().orElseThrow().reveal())
                    .isInstanceOfSatisfying(MailException.class, e -> assertThat(e.code()).isEqualTo(MailErrorCode.SECRET_UNAVAILABLE))
                    .hasMessageContaining("key 'k2'");
        }
    }

    @Test
    @DisplayName("Migrations are idempotent and recorded; a second store on the same database changes nothing")
    void migrations_idempotent() throws Exception {
        DataSource ds = database();
        JdbcStore.builder(ds).cipher(TestKeys.cipher()).build().close();
        JdbcStore.builder(ds).cipher(TestKeys.cipher()).build().close();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version FROM mailroom_schema_version ORDER BY version")) {
            java.util.List<Integer> applied = new java.util.ArrayList<>();
            while (rs.next()) {
                applied.add(rs.getInt(1));
            }
            assertThat(applied).as("each script once, in order").isEqualTo(dev.mailroom.jdbc.internal.Migrations.SCRIPTS.stream()
                    .map(script -> Integer.parseInt(script.substring(1, script.indexOf("__")))).toList());
        }
    }

    @Test
    @DisplayName("Several nodes: a save on one node reaches the other node's listeners within the poll interval")
    void otherNode_notifiedWithinPollInterval() throws Exception {
        DataSource ds = database();
        try (JdbcStore nodeA = JdbcStore.builder(ds).cipher(TestKeys.cipher()).changePollInterval(Duration.ofMillis(50)).build();
             JdbcStore nodeB = JdbcStore.builder(ds).cipher(TestKeys.cipher()).changePollInterval(Duration.ofMillis(50)).build();
             Mailroom mailroomB = Mailroom.builder().accountRepository(nodeB.accounts()).build()) {
            nodeA.accounts().save(account("sys", "pw"));
            CountDownLatch changed = new CountDownLatch(1);
            nodeB.accounts().addChangeListener(changed::countDown);
            assertThat(mailroomB.resolve(MailContext.system()).account().smtpHost()).contains("smtp.acme.test");
            nodeA.accounts().save(account("sys", "pw").toBuilder().smtpHost("smtp2.acme.test").build());
            assertThat(changed.await(10, TimeUnit.SECONDS)).as("node B heard of node A's change").isTrue();
            assertThat(mailroomB.resolve(MailContext.system()).account().smtpHost()).contains("smtp2.acme.test");
        }
    }

    @Test
    @DisplayName("A2/A3 through the store: list order, the defaults account, settings; the facade never returns a secret")
    void resolutionThroughTheStore() {
        DataSource ds = database();
        try (JdbcStore store = JdbcStore.builder(ds).cipher(TestKeys.cipher()).build();
             Mailroom mailroom = Mailroom.builder().accountRepository(store.accounts()).deliveryLogRepository(store.deliveryLog()).build()) {
            mailroom.accounts().create(Account.builder().id("defaults").description("Company").email("it@acme.test")
                    .defaultsAccount(true).smtp("smtp.acme.test", 2525, Security.NONE).build());
            mailroom.accounts().create(account("second", "pw").toBuilder().smtpHost(null).smtpPort(null).smtpSecurity(null).build());
            mailroom.accounts().create(account("first", "pw").toBuilder().smtpHost(null).smtpPort(null).smtpSecurity(null).build());
            store.accounts().move(AccountId.of("first"), 0);
            var r = mailroom.resolve(MailContext.system());
            assertThat(r.account().id().value()).isEqualTo("first");
            assertThat(r.account().smtpPort()).isEqualTo(2525);
            assertThat(r.account().authentication().orElseThrow().secret().orElseThrow().isPlaceholder()).isTrue();
            Account edited = mailroom.accounts().get(AccountId.of("first")).orElseThrow().toBuilder().description("renamed").build();
            mailroom.accounts().update(edited);
            assertThat(store.accounts().find(AccountId.of("first")).orElseThrow().authentication().orElseThrow()
                    .secret().orElseThrow().reveal()).as("the stored secret survived an update without one").isEqualTo("pw");
        }
    }

    // ------------------------------------------------------------------ #10.1: secrets that cannot be opened

    private static final AesGcmSecretCipher K9 = AesGcmSecretCipher.builder().key("k9", TestKeys.key(9)).build();

    /** A bounded wait for something the outbox workers bring about (they signal nothing a test could wait on). */
    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    private static Account.Builder localAccount(String id, String password, int port) {
        return Account.builder().id(id).description("Account " + id).email(id + "@acme.test").systemAccount(true)
                .smtp("127.0.0.1", port, Security.NONE).authentication(Authentication.password(id + "@acme.test", Secret.of(password)));
    }

    private static String column(DataSource ds, String id, String column) throws Exception {
        try (Connection c = ds.getConnection();
             java.sql.PreparedStatement p = c.prepareStatement("SELECT " + column + " FROM mailroom_account WHERE id = ?")) {
            p.setString(1, id);
            try (ResultSet rs = p.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getString(1);
            }
        }
    }

    private static void setSecretColumns(DataSource ds, String id, String keyId, String value) throws Exception {
        try (Connection c = ds.getConnection();
             java.sql.PreparedStatement p = c.prepareStatement("UPDATE mailroom_account SET secret_key_id = ?, secret_value = ? WHERE id = ?")) {
            p.setString(1, keyId);
            p.setString(2, value);
            p.setString(3, id);
            assertThat(p.executeUpdate()).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("#11: Mailroom.builder().store(store) takes accounts, delivery log, outbox and preferences from the store:"
            + " it sends, enqueues and delivers through it, and notifications read the stored preferences")
    void store_wiresEverythingInOneCall() throws Exception {
        DataSource ds = database();
        java.util.Map<String, Person> people = java.util.Map.of(
                "u-anna", Person.of("u-anna", "Anna Berg", EmailAddress.of("anna@example.test"), java.util.Locale.GERMANY),
                "u-bob", Person.of("u-bob", "Bob Miller", EmailAddress.of("bob@example.test"), java.util.Locale.US));
        try (SmtpTestServer server = SmtpTestServer.builder().user("sys@acme.test", "pw-sys").build().start();
             JdbcStore store = JdbcStore.builder(ds).cipher(TestKeys.cipher()).build();
             Mailroom m = Mailroom.builder().store(store).directory((tenant, user) -> java.util.Optional.ofNullable(people.get(user)))
                     .outboxWorkers(1).outboxPollInterval(Duration.ofMillis(20)).readTimeout(Duration.ofSeconds(5)).build()) {
            m.accounts().create(localAccount("sys", "pw-sys", server.port()).build());
            assertThat(store.accounts().find(AccountId.of("sys"))).as("accounts go to the store").isPresent();
            store.preferences().save(null, "u-bob", NotificationType.APPOINTMENT, NotificationPreference.NONE);
            Email mail = Email.builder().to("kunde@example.test").subject("Rechnung").text("Hallo").build();

            Receipt direct = m.send(MailContext.system(), mail);
            Queued queued = m.enqueue(MailContext.system(), mail);
            assertThat(store.outbox().find(queued.outboxId())).as("the outbox is the store's").isPresent();
            NotificationResult notified = m.notifications().notify(NotificationEvent.builder(NotificationType.APPOINTMENT)
                    .concerns("u-anna", "u-bob").data("title", "Jour fixe").build());
            assertThat(notified.queued()).extracting(NotificationResult.Notified::user).containsExactly("u-anna");
            assertThat(notified.skipped()).extracting(NotificationResult.Skipped::reason)
                    .as("the stored preference").containsExactly(NotificationResult.SkipReason.OPTED_OUT);
            Queued note = notified.queued().get(0).queued();
            await(() -> store.outbox().find(queued.outboxId()).orElseThrow().status() == OutboxRepository.Status.SENT
                    && store.outbox().find(note.outboxId()).orElseThrow().status() == OutboxRepository.Status.SENT, "the queued mails sent");
            assertThat(server.received().await(3, Duration.ofSeconds(10))).hasSize(3);
            assertThat(store.deliveryLog().query(DeliveryLogQuery.since(Instant.EPOCH)))
                    .as("the delivery log is the store's").extracting(DeliveryLogEntry::messageId).contains(direct.messageId());
            assertThat(m.deliveryLog().query(DeliveryLogQuery.since(Instant.EPOCH))).extracting(DeliveryLogEntry::messageId)
                    .contains(direct.messageId());
        }
    }

    @Test
    @DisplayName("#11: store(…) counts as setting accounts, delivery log, outbox and preferences: setting one of them as well fails")
    void store_countsAsTheFourOptions() {
        try (JdbcStore store = JdbcStore.builder(database()).cipher(TestKeys.cipher()).build()) {
            assertThatThrownBy(() -> Mailroom.builder().store(store).outboxRepository(store.outbox()))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("outboxRepository was already set");
            assertThatThrownBy(() -> Mailroom.builder().deliveryLogRepository(store.deliveryLog()).store(store))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("deliveryLogRepository was already set");
            assertThatThrownBy(() -> Mailroom.builder().store(store).store(store)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> Mailroom.builder().store(null)).isInstanceOf(NullPointerException.class);
        }
    }

    @Test
    @DisplayName("#10.1: a password sealed with a key this node lacks affects only its account: the others send, resolve, queue and"
            + " deliver; its queued mail is held, not failed, and health names the key")
    void unopenableSecret_affectsOnlyItsOwnAccount() throws Exception {
        DataSource ds = database();
        try (SmtpTestServer server = SmtpTestServer.builder().user("sys@acme.test", "pw-sys").user("acme@acme.test", "pw-acme").build().start()) {
            try (JdbcStore otherNode = JdbcStore.builder(ds).cipher(K9).build()) {
                otherNode.accounts().save(localAccount("acme", "pw-acme", server.port()).tenant("acme").build());
            }
            try (JdbcStore store = JdbcStore.builder(ds).cipher(TestKeys.cipher()).build();
                 Mailroom m = Mailroom.builder().accountRepository(store.accounts()).deliveryLogRepository(store.deliveryLog()).outboxRepository(store.outbox())
                         .outboxWorkers(1).outboxPollInterval(Duration.ofMillis(20))
                         .outboxRetry(Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofHours(1), Duration.ofMinutes(5))
                         .readTimeout(Duration.ofSeconds(5)).build()) {
                store.accounts().save(localAccount("sys", "pw-sys", server.port()).build());
                Email mail = Email.builder().to("kunde@example.test").subject("Rechnung").text("Hallo").build();

                assertThat(m.resolve(MailContext.system()).account().id().value()).isEqualTo("sys");
                Receipt direct = m.send(MailContext.system(), mail);
                assertThat(direct.accountId().value()).isEqualTo("sys");
                Queued healthy = m.enqueue(MailContext.system(), mail);
                Queued broken = m.enqueue(MailContext.tenant("acme"), mail);
                assertThat(broken.accountId().value()).isEqualTo("acme");
                await(() -> store.outbox().find(healthy.outboxId()).orElseThrow().status() == OutboxRepository.Status.SENT, "the healthy mail sent");
                await(() -> String.valueOf(store.outbox().find(broken.outboxId()).orElseThrow().lastError()).contains("SECRET_UNAVAILABLE"),
                        "the broken account's mail tried once");
                OutboxRepository.Entry held = store.outbox().find(broken.outboxId()).orElseThrow();
                assertThat(held.status()).as("held, not failed").isEqualTo(OutboxRepository.Status.QUEUED);
                assertThat(held.attempts()).as("retry budget kept").isZero();
                assertThat(server.received().await(2, Duration.ofSeconds(10))).hasSize(2);

                assertThatThrownBy(() -> m.send(MailContext.tenant("acme"), mail)).isInstanceOfSatisfying(MailException.class, e -> {
                    assertThat(e.code()).isEqualTo(MailErrorCode.SECRET_UNAVAILABLE);
                    assertThat(e.getMessage()).contains("acme").contains("k9").doesNotContain("pw-acme");
                    assertThat(e.hint()).contains("k9");
                });
                AccountHealth health = m.health(AccountId.of("acme"));
                assertThat(health.state()).isNotEqualTo(AccountHealth.State.OK);
                assertThat(health.reason()).contains("SECRET_UNAVAILABLE").contains("k9");
                assertThat(m.health(AccountId.of("sys")).state()).isEqualTo(AccountHealth.State.OK);
                assertThat(m.diagnose(m.accounts().get(AccountId.of("acme")).orElseThrow()).failure()).hasValueSatisfying(step -> {
                    assertThat(step.code()).isEqualTo(MailErrorCode.SECRET_UNAVAILABLE);
                    assertThat(step.hint()).contains("k9");
                });
                assertThat(m.send(MailContext.system(), mail).accountId().value()).as("still sending after all that").isEqualTo("sys");
            }
        }
    }

    @Test
    @DisplayName("#10.1: an account whose secret cannot be opened can still be edited (e.g. disabled) without the key; its sealed secret is kept")
    void unopenableSecret_accountStillEditable() throws Exception {
        DataSource ds = database();
        try (JdbcStore otherNode = JdbcStore.builder(ds).cipher(K9).build()) {
            otherNode.accounts().save(account("acme", "pw-acme"));
        }
        try (JdbcStore store = JdbcStore.builder(ds).cipher(TestKeys.cipher()).build();
             Mailroom m = Mailroom.builder().accountRepository(store.accounts()).deliveryLogRepository(store.deliveryLog()).outboxWorkers(0).build()) {
            Account listed = m.accounts().list().get(0);
            m.accounts().update(listed.toBuilder().enabled(false).build());
            assertThat(m.accounts().get(AccountId.of("acme")).orElseThrow().enabled()).isFalse();
        }
        try (JdbcStore otherNode = JdbcStore.builder(ds).cipher(K9).build()) {
            assertThat(otherNode.accounts().find(AccountId.of("acme")).orElseThrow().authentication().orElseThrow()
                    .secret().orElseThrow().reveal()).isEqualTo("pw-acme");
        }
    }

    @Test
    @DisplayName("#10.1: a sealed password is bound to its account: copied into another account's row, it does not open")
    void copiedCiphertext_doesNotOpen() throws Exception {
        DataSource ds = database();
        try (JdbcStore store = JdbcStore.builder(ds).cipher(TestKeys.cipher()).build()) {
            store.accounts().save(account("a1", "pw-1"));
            store.accounts().save(account("a2", "pw-2"));
            setSecretColumns(ds, "a2", column(ds, "a1", "secret_key_id"), column(ds, "a1", "secret_value"));
            Secret copied = store.accounts().find(AccountId.of("a2")).orElseThrow().authentication().orElseThrow().secret().orElseThrow();
            assertThatThrownBy(copied::reveal).isInstanceOfSatisfying(MailException.class, e -> {
                assertThat(e.code()).isEqualTo(MailErrorCode.SECRET_UNAVAILABLE);
                assertThat(e.getMessage()).contains("a2").doesNotContain("pw-1");
            });
            assertThat(store.accounts().find(AccountId.of("a1")).orElseThrow().authentication().orElseThrow()
                    .secret().orElseThrow().reveal()).isEqualTo("pw-1");
        }
    }

    @Test
    @DisplayName("#10.1: damaged sealed bytes are SECRET_UNAVAILABLE for that account, never an empty or wrong password")
    void damagedCiphertext_isSecretUnavailable() throws Exception {
        DataSource ds = database();
        try (JdbcStore store = JdbcStore.builder(ds).cipher(TestKeys.cipher()).build()) {
            store.accounts().save(account("a1", "pw-1"));
            setSecretColumns(ds, "a1", "k1", "not base64 at all!");
            Secret damaged = store.accounts().find(AccountId.of("a1")).orElseThrow().authentication().orElseThrow().secret().orElseThrow();
            assertThat(damaged.isPlaceholder()).isFalse();
            assertThatThrownBy(damaged::reveal).isInstanceOfSatisfying(MailException.class,
                    e -> assertThat(e.code()).isEqualTo(MailErrorCode.SECRET_UNAVAILABLE));
        }
    }

    @Test
    @DisplayName("#10.1: secrets sealed before owner binding still open; reencryptSecrets() binds them to their account")
    void legacySecrets_openAndAreUpgraded() throws Exception {
        DataSource ds = database();
        AesGcmSecretCipher cipher = TestKeys.cipher();
        try (JdbcStore store = JdbcStore.builder(ds).cipher(cipher).build()) {
            store.accounts().save(account("a1", "placeholder"));
            SecretCipher.Sealed legacy = cipher.seal("pw-old".getBytes(StandardCharsets.UTF_8));
            setSecretColumns(ds, "a1", legacy.keyId(), Base64.getEncoder().encodeToString(legacy.ciphertext()));
            assertThat(store.accounts().find(AccountId.of("a1")).orElseThrow().authentication().orElseThrow()
                    .secret().orElseThrow().reveal()).isEqualTo("pw-old");
            assertThat(store.accounts().reencryptSecrets()).isEqualTo(1);
            assertThat(column(ds, "a1", "secret_value")).isNotEqualTo(Base64.getEncoder().encodeToString(legacy.ciphertext()));
            assertThat(store.accounts().find(AccountId.of("a1")).orElseThrow().authentication().orElseThrow()
                    .secret().orElseThrow().reveal()).isEqualTo("pw-old");
            assertThat(store.accounts().reencryptSecrets()).as("nothing left to upgrade").isZero();
        }
    }

    @Test
    @DisplayName("#10.1: key rotation refuses, changing nothing, while a secret cannot be opened, and names the account and key")
    void reencrypt_refusesWhileASecretCannotBeOpened() throws Exception {
        DataSource ds = database();
        try (JdbcStore otherNode = JdbcStore.builder(ds).cipher(K9).build()) {
            otherNode.accounts().save(account("acme", "pw-acme"));
        }
        AesGcmSecretCipher both = AesGcmSecretCipher.builder().key("k1", TestKeys.key(1)).key("k2", TestKeys.key(2)).activeKey("k2").build();
        try (JdbcStore store = JdbcStore.builder(ds).cipher(TestKeys.cipher()).build()) {
            store.accounts().save(account("a1", "pw-1"));
        }
        try (JdbcStore store = JdbcStore.builder(ds).cipher(both).build()) {
            assertThatThrownBy(() -> store.accounts().reencryptSecrets()).isInstanceOfSatisfying(MailException.class, e -> {
                assertThat(e.code()).isEqualTo(MailErrorCode.SECRET_UNAVAILABLE);
                assertThat(e.getMessage()).contains("acme").contains("k9");
            });
            assertThat(column(ds, "a1", "secret_key_id")).as("nothing changed").isEqualTo("k1");
        }
    }

    /** A data source that counts the statements prepared on it that read the delivery log. */
    private static DataSource countingLogReads(DataSource ds, java.util.concurrent.atomic.AtomicInteger reads) {
        return (DataSource) java.lang.reflect.Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    Object result = invoke(ds, method, args);
                    if (!(result instanceof Connection c)) {
                        return result;
                    }
                    return java.lang.reflect.Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                            (p2, m2, a2) -> {
                                if (m2.getName().equals("prepareStatement") && a2 != null && a2[0] instanceof String sql
                                        && sql.startsWith("SELECT") && sql.contains("FROM mailroom_delivery_log")) {
                                    reads.incrementAndGet();
                                }
                                return invoke(c, m2, a2);
                            });
                });
    }

    private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @Test
    @DisplayName("#15 health: Mailroom#health of many accounts equals health(id) of each, with ONE delivery-log statement instead of one per account")
    void batchedHealth_equalsPerAccount_oneQuery() {
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        DataSource ds = countingLogReads(database(), reads);
        try (JdbcStore store = JdbcStore.builder(ds).cipher(TestKeys.cipher()).build();
             Mailroom m = Mailroom.builder().store(store).outboxWorkers(0).discoverTransports(false).build()) {
            List<AccountId> ids = new java.util.ArrayList<>();
            Instant t = Instant.now().minus(Duration.ofHours(1));
            MailErrorCode[][] histories = {{}, {null}, {MailErrorCode.TEMPORARY_FAILURE}, {null, MailErrorCode.AUTH_FAILED},
                    {MailErrorCode.TEMPORARY_FAILURE, null}, {MailErrorCode.RECIPIENT_REJECTED}, {MailErrorCode.AUTH_FAILED, null, null}};
            for (int i = 0; i < histories.length; i++) {
                AccountId id = AccountId.of("h" + i);
                ids.add(id);
                m.accounts().create(account(id.value(), "pw").toBuilder().systemAccount(i == 0).build());
                for (MailErrorCode code : histories[i]) {
                    t = t.plusSeconds(1);
                    store.deliveryLog().record(new DeliveryLogEntry(t, id, id.value() + "@acme.test", null, DeliveryLogEntry.Operation.SEND,
                            code == null ? DeliveryLogEntry.Outcome.SUCCESS : DeliveryLogEntry.Outcome.FAILURE, code,
                            code == null ? "250 ok" : "4xx/5xx scripted", "<" + t + "@x>", "smtp", "d"));
                }
            }
            m.accounts().update(m.accounts().get(AccountId.of("h6")).orElseThrow().toBuilder().enabled(false).build());
            ids.add(AccountId.of("missing"));

            java.util.Map<AccountId, AccountHealth> single = new java.util.LinkedHashMap<>();
            reads.set(0);
            for (AccountId id : ids.subList(0, ids.size() - 1)) {
                single.put(id, m.health(id));
            }
            int perAccountReads = reads.get();
            reads.set(0);
            java.util.Map<AccountId, AccountHealth> batched = m.health(ids);
            assertThat(reads.get()).as("delivery-log statements for " + ids.size() + " accounts").isEqualTo(1);
            assertThat(perAccountReads).as("one per enabled account before").isEqualTo(ids.size() - 2);
            assertThat(batched).isEqualTo(single);
            assertThat(batched.keySet()).containsExactlyElementsOf(ids.subList(0, ids.size() - 1));
            assertThat(batched.values()).extracting(AccountHealth::state).containsExactly(AccountHealth.State.OK, AccountHealth.State.OK,
                    AccountHealth.State.DEGRADED, AccountHealth.State.AUTH_REQUIRED, AccountHealth.State.DEGRADED, AccountHealth.State.OK,
                    AccountHealth.State.DISABLED);
        }
    }
}
