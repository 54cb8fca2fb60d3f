package dev.mailroom.core;

import dev.mailroom.testkit.RecordingTransport;
import dev.mailroom.Account;
import dev.mailroom.AccountHealth;
import dev.mailroom.AccountId;
import dev.mailroom.Authentication;
import dev.mailroom.Email;
import dev.mailroom.MailContext;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.Secret;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

final class AccountHealthTest {
    private final InMemoryAccountRepository repo = new InMemoryAccountRepository();
    private final RecordingTransport transport = new RecordingTransport();
    private final Mailroom mailroom = Mailroom.builder().accountRepository(repo).transport(transport).discoverTransports(false).outboxWorkers(0).build();
    private final AccountId id = AccountId.of("sys");
    private final Email email = Email.builder().to("kunde@example.test").text("x").build();

    @AfterEach
    void close() {
        mailroom.close();
    }

    private void account(boolean enabled) {
        repo.save(Account.builder().id("sys").description("System").email("app@acme.test").systemAccount(true).enabled(enabled)
                .smtpHost("smtp.test").authentication(Authentication.password("app@acme.test", Secret.of("pw"))).build());
    }

    private void attempt(MailErrorCode failure) {
        transport.failWith(failure == null ? null : new MailException(failure, "scripted", failure == MailErrorCode.AUTH_FAILED
                ? "535 5.7.8 Error: authentication failed" : "451 4.3.0 Try again later", null, java.util.List.of(), null));
        catchThrowable(() -> mailroom.send(MailContext.system(), email));
    }

    @Test
    @DisplayName("Health: OK without attempts and after successes; DEGRADED after transient failures; AUTH_REQUIRED after a failed login; DISABLED")
    void health_followsTheLog() {
        account(true);
        assertThat(mailroom.health(id).state()).isEqualTo(AccountHealth.State.OK);
        attempt(null);
        assertThat(mailroom.health(id).state()).isEqualTo(AccountHealth.State.OK);
        attempt(MailErrorCode.TEMPORARY_FAILURE);
        assertThat(mailroom.health(id).state()).isEqualTo(AccountHealth.State.DEGRADED);
        attempt(MailErrorCode.AUTH_FAILED);
        AccountHealth auth = mailroom.health(id);
        assertThat(auth.state()).isEqualTo(AccountHealth.State.AUTH_REQUIRED);
        assertThat(auth.reason()).contains("535 5.7.8");
        attempt(null);
        assertThat(mailroom.health(id).state()).as("recovered, but recent failures").isEqualTo(AccountHealth.State.DEGRADED);
        account(false);
        assertThat(mailroom.health(id).state()).isEqualTo(AccountHealth.State.DISABLED);
    }

    @Test
    @DisplayName("#10.15: testing an unsaved draft (diagnose, test mail) leaves the stored account's health and 24 h error view alone;"
            + " the tests are in the log as DIAGNOSE and TEST_MAIL")
    void draftTests_doNotChangeTheStoredAccountsHealth() {
        account(true);
        attempt(null);
        Account draft = repo.find(id).orElseThrow().toBuilder().smtpHost(null).build(); // incomplete: fails at SETTINGS
        assertThat(mailroom.diagnose(draft).failure()).isPresent();
        Account wrongPassword = repo.find(id).orElseThrow().toBuilder()
                .authentication(Authentication.password("app@acme.test", Secret.of("typo"))).build();
        transport.failWith(new MailException(MailErrorCode.AUTH_FAILED, "scripted", "535 5.7.8 Error: authentication failed", null,
                java.util.List.of(), null));
        assertThat(catchThrowable(() -> mailroom.sendTestMail(wrongPassword))).isInstanceOf(MailException.class);
        transport.failWith(null);

        AccountHealth health = mailroom.health(id);
        assertThat(health.state()).isEqualTo(AccountHealth.State.OK);
        assertThat(health.lastFailure()).isNull();
        assertThat(mailroom.deliveryLog().errorsSince(java.time.Duration.ofHours(24), id)).isEmpty();
        assertThat(mailroom.deliveryLog().errorsSince(java.time.Duration.ofHours(24))).isEmpty();
        assertThat(mailroom.deliveryLog().query(dev.mailroom.DeliveryLogQuery.since(java.time.Instant.EPOCH).account(id).failures()))
                .extracting(dev.mailroom.DeliveryLogEntry::operation)
                .containsExactly(dev.mailroom.DeliveryLogEntry.Operation.TEST_MAIL, dev.mailroom.DeliveryLogEntry.Operation.DIAGNOSE);

        attempt(MailErrorCode.AUTH_FAILED);
        assertThat(mailroom.health(id).state()).as("real traffic still counts").isEqualTo(AccountHealth.State.AUTH_REQUIRED);
        assertThat(mailroom.deliveryLog().errorsSince(java.time.Duration.ofHours(24), id)).singleElement()
                .satisfies(e -> assertThat(e.operation()).isEqualTo(dev.mailroom.DeliveryLogEntry.Operation.SEND));
    }

    @Test
    @DisplayName("Health: a message the server refuses as it is (too large) or a refused recipient says nothing about the account: still OK")
    void messageAndRecipientFailures_doNotDegrade() {
        account(true);
        attempt(null);
        attempt(MailErrorCode.MESSAGE_TOO_LARGE);
        attempt(MailErrorCode.RECIPIENT_REJECTED);
        assertThat(mailroom.health(id).state()).isEqualTo(AccountHealth.State.OK);
        attempt(MailErrorCode.SENDER_REJECTED);
        assertThat(mailroom.health(id).state()).as("a sender problem is the account's").isEqualTo(AccountHealth.State.DEGRADED);
    }
}
