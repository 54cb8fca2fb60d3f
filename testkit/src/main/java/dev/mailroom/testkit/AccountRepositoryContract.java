package dev.mailroom.testkit;

import dev.mailroom.Account;
import dev.mailroom.AccountId;
import dev.mailroom.Authentication;
import dev.mailroom.EmailAddress;
import dev.mailroom.FetchSettings;
import dev.mailroom.OAuthClientId;
import dev.mailroom.Secret;
import dev.mailroom.SendSettings;
import dev.mailroom.SenderPolicy;
import dev.mailroom.SupportSettings;
import dev.mailroom.Security;
import dev.mailroom.SystemMailSettings;
import dev.mailroom.TenantMailSettings;
import dev.mailroom.spi.AccountRepository;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract every {@link AccountRepository} must keep (Mailroom's and a host's). Extend it and
 * return a fresh, empty repository from {@link #newRepository()}:
 *
 * <pre>{@code
 * final class MyRepositoryContractTest extends AccountRepositoryContract {
 *     protected AccountRepository newRepository() { return new MyRepository(freshDataSource()); }
 * }
 * }</pre>
 */
public abstract class AccountRepositoryContract {
    private AccountRepository repository;

    /** For subclasses. */
    protected AccountRepositoryContract() {
    }

    /**
     * A fresh, empty repository for each test.
     *
     * @return the repository under test
     */
    protected abstract AccountRepository newRepository();

    @BeforeEach
    void setUpRepository() {
        repository = newRepository();
    }

    /**
     * A complete test account.
     *
     * @param id the id
     * @param email the address
     * @return the account
     */
    protected static Account account(String id, String email) {
        return Account.builder().id(id).description("Account " + id).email(email)
                .smtp("smtp.example.test", 587, Security.STARTTLS)
                .authentication(Authentication.password(email, Secret.of("pw-" + id))).build();
    }

    @Test
    @DisplayName("A2: findAll returns accounts in list order; new ones at the end")
    void findAll_keepsInsertionOrder() {
        repository.save(account("b", "b@example.test"));
        repository.save(account("a", "a@example.test"));
        repository.save(account("c", "c@example.test"));
        assertEquals(List.of("b", "a", "c"), repository.findAll().stream().map(a -> a.id().value()).toList());
    }

    @Test
    @DisplayName("A7: save of an existing id replaces it in place")
    void save_existing_replacesInPlace() {
        repository.save(account("a", "a@example.test"));
        repository.save(account("b", "b@example.test"));
        repository.save(account("a", "a@example.test").toBuilder().description("renamed").build());
        List<Account> all = repository.findAll();
        assertEquals(2, all.size());
        assertEquals("a", all.get(0).id().value());
        assertEquals("renamed", all.get(0).description());
    }

    @Test
    @DisplayName("A1: every field and part survives a round trip, secrets included")
    void save_roundTripsEveryField() {
        Account full = Account.builder().id("full").description("Support").displayName("ACME Support")
                .email("support@acme.test").tenant("acme").systemAccount(true).defaultsAccount(true).enabled(false)
                .smtp("smtp.acme.test", 465, Security.TLS).imap("imap.acme.test", 993, Security.TLS).pop3("pop.acme.test", 995)
                .authentication(Authentication.password("support@acme.test", Secret.of("s3cret")))
                .senderAddress("noreply@acme.test").senderName("ACME").clientAlias("app.acme.test").transport("smtp")
                .signature("-- \nACME", "<p>ACME</p>").internalNote("for tickets").debug(true)
                .preventPlainTextLogin(true).preventNtlm(true).utf8Headers(true).copyToSent(true, "Gesendet").build();
        repository.save(full);
        Account back = repository.find(AccountId.of("full")).orElseThrow();
        assertEquals(full, back);
        assertEquals("s3cret", back.authentication().orElseThrow().secret().orElseThrow().reveal());
    }

    @Test
    @DisplayName("A7: delete removes, and reports whether anything was removed")
    void delete_removes() {
        repository.save(account("a", "a@example.test"));
        assertTrue(repository.delete(AccountId.of("a")));
        assertFalse(repository.delete(AccountId.of("a")));
        assertTrue(repository.find(AccountId.of("a")).isEmpty());
    }

    @Test
    @DisplayName("A4: settings default to enabled/allowed and round-trip")
    void settings_roundTrip() {
        assertEquals(SystemMailSettings.defaults(), repository.systemSettings());
        assertEquals(TenantMailSettings.defaults(), repository.tenantSettings("acme"));
        repository.saveSystemSettings(new SystemMailSettings(false));
        repository.saveTenantSettings("acme", new TenantMailSettings(false, true));
        assertEquals(new SystemMailSettings(false), repository.systemSettings());
        assertEquals(new TenantMailSettings(false, true), repository.tenantSettings("acme"));
        assertEquals(TenantMailSettings.defaults(), repository.tenantSettings("other"));
        SystemMailSettings withSupport = new SystemMailSettings(true, SenderPolicy.DEFAULT_SENDER_WITH_REPLY_TO,
                new SupportSettings(EmailAddress.of("support@vendor.test", "Vendor Support"), true, true));
        repository.saveSystemSettings(withSupport);
        assertEquals(withSupport, repository.systemSettings(), "E4 support settings");
        TenantMailSettings tenantSupport = TenantMailSettings.defaults().withSupportAddress(EmailAddress.of("it@acme.test"));
        repository.saveTenantSettings("acme", tenantSupport);
        assertEquals(tenantSupport, repository.tenantSettings("acme"), "E4 tenant support address");
    }

    @Test
    @DisplayName("Listeners hear every change, and no more after they are removed")
    void listeners_hearChanges() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        AutoCloseable handle = repository.addChangeListener(calls::incrementAndGet);
        repository.save(account("a", "a@example.test"));
        repository.saveSystemSettings(new SystemMailSettings(true));
        repository.saveTenantSettings("t", TenantMailSettings.defaults());
        repository.delete(AccountId.of("a"));
        assertTrue(calls.get() >= 4, "expected a call per change, got " + calls.get());
        handle.close();
        int before = calls.get();
        repository.save(account("b", "b@example.test"));
        assertEquals(before, calls.get());
    }

    @Test
    @DisplayName("A1/B8/D1: every way of sending, every mailbox protocol and every login kind round-trips through the parts")
    void save_roundTripsEveryPartKind() {
        List<Account> accounts = List.of(
                Account.builder().id("relay").description("MTA").email("mta@example.test").localRelay(2525).build(),
                Account.builder().id("gmail").description("Gmail").email("team@example.test").sending(SendSettings.gmailApi())
                        .authentication(Authentication.oauth2("team@example.test", OAuthClientId.of("google")))
                        .fetching(FetchSettings.imap("imap.gmail.com", 993, Security.TLS).withSentFolder("[Gmail]/Sent Mail")).build(),
                Account.builder().id("graph").description("Graph").email("sales@example.test").sending(SendSettings.graph())
                        .authentication(Authentication.microsoftApp("directory-1", OAuthClientId.of("microsoft"))).build(),
                Account.builder().id("pop").description("POP3").email("pop@example.test")
                        .sending(SendSettings.smtp(null, null, Security.TLS).withClientAlias("app.example.test"))
                        .fetching(FetchSettings.pop3("pop.example.test", 995)).authentication(Authentication.none()).build(),
                Account.builder().id("bare").description("Inherits").email("bare@example.test").build());
        accounts.forEach(repository::save);
        for (Account a : accounts) {
            Account back = repository.find(a.id()).orElseThrow();
            assertEquals(a, back, a.id().value());
            assertEquals(a.sending(), back.sending(), a.id().value());
            assertEquals(a.fetching(), back.fetching(), a.id().value());
        }
        assertTrue(repository.find(AccountId.of("bare")).orElseThrow().sending().isEmpty(), "no send part stays none");
    }
}
