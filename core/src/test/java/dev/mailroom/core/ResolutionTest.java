package dev.mailroom.core;

import dev.mailroom.testkit.RecordingTransport;
import dev.mailroom.Account;
import dev.mailroom.AccountField;
import dev.mailroom.Authentication;
import dev.mailroom.Email;
import dev.mailroom.FieldProblem;
import dev.mailroom.MailContext;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.Origin;
import dev.mailroom.Resolution;
import dev.mailroom.Secret;
import dev.mailroom.Security;
import dev.mailroom.SystemMailSettings;
import dev.mailroom.TenantMailSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class ResolutionTest {
    private final InMemoryAccountRepository repo = new InMemoryAccountRepository();
    private final RecordingTransport transport = new RecordingTransport();
    private final Mailroom mailroom = Mailroom.builder().accountRepository(repo).transport(transport).discoverTransports(false).build();
    private final Email email = Email.builder().to("kunde@example.test").subject("Rechnung").text("Hallo").build();

    @AfterEach
    void close() {
        mailroom.close();
    }

    static Account.Builder account(String id, String address) {
        return Account.builder().id(id).description(id).email(address)
                .authentication(Authentication.password(address, Secret.of("pw")));
    }

    private void standardSetup() {
        repo.save(account("defaults", "it@acme.test").defaultsAccount(true).smtp("smtp.company.test", null, Security.STARTTLS).build());
        repo.save(account("system", "noreply@company.test").systemAccount(true).build());
        repo.save(account("acme-system", "mail@acme.test").tenant("acme").systemAccount(true).smtp("smtp.acme.test", 465, Security.TLS).build());
    }

    @Test
    @DisplayName("A2: the first account flagged as system account in list order sends system mail")
    void systemMail_firstSystemAccountWins() {
        repo.save(account("second", "second@company.test").systemAccount(true).smtpHost("smtp.test").build());
        repo.save(account("first", "first@company.test").systemAccount(true).smtpHost("smtp.test").build());
        repo.move(dev.mailroom.AccountId.of("first"), 0);
        Resolution r = mailroom.resolve(MailContext.system().systemMail(), email);
        assertThat(r.account().id().value()).isEqualTo("first");
        assertThat(r.rule()).contains("A2");
    }

    @Test
    @DisplayName("A2: an incomplete system account is reported field by field, before anything is sent")
    void incompleteSystemAccount_reportedByField() {
        repo.save(Account.builder().id("system").description("System").email("noreply@company.test").systemAccount(true).build());
        assertThatThrownBy(() -> mailroom.send(MailContext.system(), email)).isInstanceOfSatisfying(MailException.class, e -> {
            assertThat(e.code()).isEqualTo(MailErrorCode.ACCOUNT_INCOMPLETE);
            assertThat(e.fieldProblems()).extracting(FieldProblem::field).containsExactly(AccountField.SMTP_HOST, AccountField.AUTHENTICATION);
        });
        assertThat(mailroom.accounts().check(dev.mailroom.AccountId.of("system"))).hasSize(2);
        assertThat(transport.sent()).isEmpty();
        assertThat(mailroom.deliveryLog().errorsSince(java.time.Duration.ofHours(24))).singleElement()
                .satisfies(e -> assertThat(e.errorCode()).isEqualTo(MailErrorCode.ACCOUNT_INCOMPLETE));
    }

    @Test
    @DisplayName("A3: the resolution tells where each field came from")
    void resolution_hasProvenance() {
        standardSetup();
        Resolution r = mailroom.resolve(MailContext.system(), email);
        assertThat(r.account().id().value()).isEqualTo("system");
        assertThat(r.account().smtpHost()).contains("smtp.company.test");
        assertThat(r.account().origin(AccountField.SMTP_HOST)).isEqualTo(Origin.DEFAULTS_ACCOUNT);
        assertThat(r.account().origin(AccountField.SMTP_PORT)).as("no port anywhere: derived from the inherited STARTTLS").isEqualTo(Origin.BUILT_IN);
        assertThat(r.account().smtpPort()).isEqualTo(587);
        assertThat(r.account().origin(AccountField.AUTHENTICATION)).isEqualTo(Origin.ACCOUNT);
        assertThat(r.account().authentication().orElseThrow().secret().orElseThrow().isPlaceholder())
                .as("a dry run never returns secrets").isTrue();
    }

    @Test
    @DisplayName("A4: a tenant with its own server uses it; one without falls back to the system-wide server")
    void tenant_ownServerOrFallback() {
        standardSetup();
        Resolution acme = mailroom.resolve(MailContext.tenant("acme"), email);
        assertThat(acme.account().id().value()).isEqualTo("acme-system");
        assertThat(acme.rule()).contains("tenant acme's system account");
        Resolution other = mailroom.resolve(MailContext.tenant("globex"), email);
        assertThat(other.account().id().value()).isEqualTo("system");
        assertThat(other.rule()).contains("has none of its own");
    }

    @Test
    @DisplayName("A4: without an enabled system-wide server mail is disabled, even for tenants with their own")
    void noSystemServer_mailDisabledEverywhere() {
        repo.save(account("acme-system", "mail@acme.test").tenant("acme").systemAccount(true).smtpHost("smtp.acme.test").build());
        assertThatThrownBy(() -> mailroom.resolve(MailContext.tenant("acme"), email))
                .isInstanceOfSatisfying(MailException.class, e -> assertThat(e.code()).isEqualTo(MailErrorCode.MAIL_DISABLED));
        standardSetup();
        repo.saveSystemSettings(new SystemMailSettings(false));
        assertThatThrownBy(() -> mailroom.send(MailContext.tenant("acme"), email))
                .isInstanceOfSatisfying(MailException.class, e -> {
                    assertThat(e.code()).isEqualTo(MailErrorCode.MAIL_DISABLED);
                    assertThat(e.getMessage()).contains("switched off");
                });
        assertThat(transport.sent()).isEmpty();
    }

    @Test
    @DisplayName("A4: the administrator's switches: no system server, no own server, neither")
    void tenantSwitches() {
        standardSetup();
        repo.saveTenantSettings("globex", new TenantMailSettings(false, true));
        assertThatThrownBy(() -> mailroom.resolve(MailContext.tenant("globex"), email))
                .isInstanceOfSatisfying(MailException.class, e -> {
                    assertThat(e.code()).isEqualTo(MailErrorCode.TENANT_MAIL_FORBIDDEN);
                    assertThat(e.getMessage()).contains("no own server").contains("forbade the system-wide one");
                });
        repo.saveTenantSettings("acme", new TenantMailSettings(true, false));
        assertThat(mailroom.resolve(MailContext.tenant("acme"), email).account().id().value())
                .as("own server forbidden: the tenant's account is ignored").isEqualTo("system");
        repo.saveTenantSettings("acme", new TenantMailSettings(false, false));
        assertThatThrownBy(() -> mailroom.resolve(MailContext.tenant("acme"), email))
                .isInstanceOfSatisfying(MailException.class, e -> assertThat(e.code()).isEqualTo(MailErrorCode.TENANT_MAIL_FORBIDDEN));
    }

    @Test
    @DisplayName("A5: users and departments with own accounts send through them; system mail still uses the system account")
    void userAndDepartmentAccounts() {
        standardSetup();
        repo.save(account("max", "max@acme.test").tenant("acme").user("u-42").build());
        repo.save(account("press", "press@acme.test").tenant("acme").department("press").build());
        MailContext max = MailContext.tenant("acme").withUser("u-42");
        assertThat(mailroom.resolve(max, email).account().id().value()).isEqualTo("max");
        assertThat(mailroom.resolve(max.systemMail(), email).account().id().value()).isEqualTo("acme-system");
        assertThat(mailroom.resolve(MailContext.tenant("acme").withUser("u-7").withDepartment("press"), email).account().id().value())
                .isEqualTo("press");
        assertThat(mailroom.resolve(MailContext.tenant("acme").withUser("u-7"), email).account().id().value())
                .as("another user's account is never used").isEqualTo("acme-system");
    }

    @Test
    @DisplayName("A6: From X goes out through the account that owns X; nobody may send as a foreign address")
    void fromAddress_routesToOwner() {
        standardSetup();
        repo.save(account("sales", "sales@acme.test").tenant("acme").senderAddress("vertrieb@acme.test").build());
        Email fromSales = email.toBuilder().from("vertrieb@acme.test").build();
        Resolution r = mailroom.resolve(MailContext.tenant("acme"), fromSales);
        assertThat(r.account().id().value()).isEqualTo("sales");
        assertThat(r.sender().address()).isEqualTo("vertrieb@acme.test");
        assertThatThrownBy(() -> mailroom.send(MailContext.tenant("acme"), email.toBuilder().from("ceo@other.test").build()))
                .isInstanceOfSatisfying(MailException.class, e -> {
                    assertThat(e.code()).isEqualTo(MailErrorCode.SENDER_NOT_ALLOWED);
                    assertThat(e.getMessage()).contains("ceo@other.test");
                });
        assertThatThrownBy(() -> mailroom.resolve(MailContext.tenant("globex"), fromSales))
                .as("another tenant cannot send as acme's address")
                .isInstanceOfSatisfying(MailException.class, e -> assertThat(e.code()).isEqualTo(MailErrorCode.SENDER_NOT_ALLOWED));
    }

    @Test
    @DisplayName("A6: a ticket reply goes out from the address the ticket came in on")
    void incomingAddress_routesReply() {
        standardSetup();
        repo.save(account("support", "support@acme.test").tenant("acme").build());
        MailContext reply = MailContext.tenant("acme").withIncomingAddress(dev.mailroom.EmailAddress.of("support@acme.test"));
        assertThat(mailroom.resolve(reply, email).account().id().value()).isEqualTo("support");
    }

    @Test
    @DisplayName("A6: the owning account being disabled is a clear error, not a silent fallback")
    void disabledOwner_isReported() {
        standardSetup();
        repo.save(account("sales", "sales@acme.test").tenant("acme").enabled(false).build());
        assertThatThrownBy(() -> mailroom.resolve(MailContext.tenant("acme"), email.toBuilder().from("sales@acme.test").build()))
                .isInstanceOfSatisfying(MailException.class, e -> assertThat(e.code()).isEqualTo(MailErrorCode.ACCOUNT_DISABLED));
    }

    @Test
    @DisplayName("Resolution is cached but never stale after a save in the same JVM")
    void cache_invalidatedOnSave() {
        standardSetup();
        assertThat(mailroom.resolve(MailContext.tenant("globex"), email).account().id().value()).isEqualTo("system");
        repo.save(account("globex-system", "mail@globex.test").tenant("globex").systemAccount(true).smtpHost("smtp.globex.test").build());
        assertThat(mailroom.resolve(MailContext.tenant("globex"), email).account().id().value()).isEqualTo("globex-system");
        mailroom.accounts().update(mailroom.accounts().get(dev.mailroom.AccountId.of("globex-system")).orElseThrow().toBuilder()
                .smtpHost("smtp2.globex.test").build());
        assertThat(mailroom.resolve(MailContext.tenant("globex"), email).account().smtpHost()).contains("smtp2.globex.test");
        mailroom.accounts().delete(dev.mailroom.AccountId.of("globex-system"));
        assertThat(mailroom.resolve(MailContext.tenant("globex"), email).account().id().value()).isEqualTo("system");
    }

    @Test
    @DisplayName("send renders the message once, with the resolved sender as From and envelope sender")
    void send_rendersWithResolvedSender() throws Exception {
        standardSetup();
        var receipt = mailroom.send(MailContext.tenant("acme"), email.toBuilder().bcc("audit@acme.test").build());
        assertThat(transport.sent()).hasSize(1);
        var msg = transport.sent().get(0).message();
        assertThat(msg.envelopeFrom().address()).isEqualTo("mail@acme.test");
        assertThat(msg.recipients()).extracting(a -> a.address()).containsExactly("kunde@example.test", "audit@acme.test");
        assertThat(transport.sent().get(0).mime().getHeader("Bcc")).isNull();
        assertThat(transport.sent().get(0).mime().getHeader("Message-ID", null)).isEqualTo(receipt.messageId());
        assertThat(receipt.serverReply()).startsWith("250");
        assertThat(receipt.accountId().value()).isEqualTo("acme-system");
    }

    @Test
    @DisplayName("#10.18: when a tenant's own server is forbidden, the rule says so instead of 'has none of its own'")
    void ownServerForbidden_saidInTheRule() {
        standardSetup();
        repo.saveTenantSettings("acme", new TenantMailSettings(true, false));
        Resolution r = mailroom.resolve(MailContext.tenant("acme"), email);
        assertThat(r.account().id().value()).isEqualTo("system");
        assertThat(r.rule()).contains("tenant acme's own server is forbidden by the administrator").doesNotContain("none of its own");
        assertThat(mailroom.resolve(MailContext.tenant("globex")).rule()).as("a tenant without an own server")
                .contains("tenant globex has none of its own");
    }

    @Test
    @DisplayName("#10.18: fields left blank report their origin as UNSET, set ones as ACCOUNT")
    void blankFields_areUnset() {
        standardSetup();
        Resolution r = mailroom.resolve(MailContext.system(), email);
        for (AccountField f : java.util.List.of(AccountField.DISPLAY_NAME, AccountField.SENDER_ADDRESS, AccountField.SENDER_NAME,
                AccountField.TEXT_SIGNATURE, AccountField.HTML_SIGNATURE, AccountField.INTERNAL_NOTE, AccountField.SENT_FOLDER,
                AccountField.CLIENT_ALIAS, AccountField.IMAP_HOST, AccountField.TRANSPORT)) {
            assertThat(r.account().origin(f)).as(f.property()).isEqualTo(Origin.UNSET);
        }
        for (AccountField f : java.util.List.of(AccountField.ID, AccountField.DESCRIPTION, AccountField.EMAIL, AccountField.OWNER,
                AccountField.AUTHENTICATION)) {
            assertThat(r.account().origin(f)).as(f.property()).isEqualTo(Origin.ACCOUNT);
        }
        repo.save(account("system", "noreply@company.test").systemAccount(true).displayName("Company").senderName("Billing")
                .signature("-- Company", null).build());
        Resolution named = mailroom.resolve(MailContext.system(), email);
        assertThat(named.account().origin(AccountField.DISPLAY_NAME)).isEqualTo(Origin.ACCOUNT);
        assertThat(named.account().origin(AccountField.SENDER_NAME)).isEqualTo(Origin.ACCOUNT);
        assertThat(named.account().origin(AccountField.TEXT_SIGNATURE)).isEqualTo(Origin.ACCOUNT);
        assertThat(named.account().origin(AccountField.HTML_SIGNATURE)).isEqualTo(Origin.UNSET);
    }

    @Test
    @DisplayName("#10.1: resolving and sending open no secret of an account not used; the one used is opened by the transport")
    void resolution_opensNoSecret() {
        java.util.concurrent.atomic.AtomicInteger opened = new java.util.concurrent.atomic.AtomicInteger();
        standardSetup();
        repo.save(account("acme-system", "mail@acme.test").tenant("acme").systemAccount(true).smtp("smtp.acme.test", 465, Security.TLS)
                .authentication(Authentication.password("mail@acme.test", Secret.sealed(() -> {
                    opened.incrementAndGet();
                    throw new MailException(MailErrorCode.SECRET_UNAVAILABLE, "sealed with key 'k9'");
                }))).build());
        assertThat(mailroom.send(MailContext.system(), email).accountId().value()).isEqualTo("system");
        assertThat(mailroom.resolve(MailContext.tenant("acme"), email).account().id().value()).isEqualTo("acme-system");
        assertThat(mailroom.accounts().list()).hasSize(3);
        assertThat(mailroom.accounts().check(dev.mailroom.AccountId.of("acme-system"))).isEmpty();
        assertThat(opened).hasValue(0);
    }
}
