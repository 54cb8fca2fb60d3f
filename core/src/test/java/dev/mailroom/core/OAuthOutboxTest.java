package dev.mailroom.core;

import dev.mailroom.AccountHealth;
import dev.mailroom.Diagnosis;
import dev.mailroom.DiagnosisStep;
import dev.mailroom.Email;
import dev.mailroom.MailContext;
import dev.mailroom.MailErrorCode;
import dev.mailroom.Queued;
import dev.mailroom.spi.AccessToken;
import dev.mailroom.spi.OutboxRepository;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.function.BooleanSupplier;

import static dev.mailroom.core.OAuthFixture.ACCOUNT;
import static org.assertj.core.api.Assertions.assertThat;

/** OAuth 2.0 accounts through the outbox, health and diagnose: a revoked grant holds the mail until the account is connected again. */
final class OAuthOutboxTest {
    private final OAuthFixture f = new OAuthFixture();
    private final InMemoryOutboxRepository outbox = new InMemoryOutboxRepository();

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("timed out waiting for " + what).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    private Mailroom mailroom() {
        return Mailroom.builder().accountRepository(f.accounts).oauthStore(f.store).authorizationServer(f.provider).transport(f.transport)
                .discoverTransports(false).outboxRepository(outbox).outboxWorkers(2).outboxPollInterval(Duration.ofMillis(10)).build();
    }

    private static Email mail(String subject) {
        return Email.builder().to("kunde@example.test").subject(subject).text("x").build();
    }

    @Test
    @DisplayName("A9/D2: a revoked grant holds the account's queued mail (not failed, no retries, budget kept) with health AUTH_REQUIRED; connecting again releases it and it is sent")
    void revokedGrant_holdsMail_consentReleasesIt() {
        try (Mailroom m = mailroom()) {
            f.connect(m);
            m.enqueue(MailContext.system(), mail("first"));
            await(() -> f.transport.sent().size() == 1, "the first mail");
            AccessToken used = f.transport.tokens().get(0);

            f.provider.revokeAll();          // the mailbox's owner revoked the app's access
            f.transport.refuseToken(used);   // so the server refuses its access token (535 / 401)
            Queued held = m.enqueue(MailContext.system(), mail("second"));
            await(() -> outbox.find(held.outboxId()).orElseThrow().lastError() != null, "the second mail to be held");
            OutboxRepository.Entry e = outbox.find(held.outboxId()).orElseThrow();
            assertThat(e.status()).isEqualTo(OutboxRepository.Status.QUEUED);
            assertThat(e.attempts()).as("the retry budget is kept").isZero();
            assertThat(e.lastError()).contains("OAUTH_GRANT_REVOKED");
            assertThat(e.dueAt()).isAfter(java.time.Instant.now().plus(Duration.ofMinutes(4)));
            assertThat(f.provider.refreshes).as("one refresh, refused; not retried").hasValue(1);
            AccountHealth health = m.health(ACCOUNT);
            assertThat(health.state()).isEqualTo(AccountHealth.State.AUTH_REQUIRED);
            assertThat(health.reason()).contains("Connect the account again");
            assertThat(f.transport.sent()).hasSize(1);

            f.connect(m, ACCOUNT, OAuthFixture.ADDRESS); // the administrator connects the account again
            await(() -> f.transport.sent().size() == 2, "the held mail after the new consent");
            await(() -> outbox.find(held.outboxId()).orElseThrow().status() == OutboxRepository.Status.SENT, "the entry to be marked sent");
            assertThat(f.transport.tokens().get(f.transport.tokens().size() - 1)).isNotEqualTo(used);
            assertThat(m.health(ACCOUNT).state()).as("sent again after a recent failure").isEqualTo(AccountHealth.State.DEGRADED);
        }
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource({"invalid_client, OAUTH_CLIENT_REJECTED, 4", "unavailable, OAUTH_PROVIDER_UNAVAILABLE, 0"})
    @DisplayName("A9/D3: a refused client holds the account's mail, an unavailable provider defers it; neither fails it or uses its retry budget")
    void refusedClientOrUnavailableProvider_mailWaits(String providerError, MailErrorCode code, int minutesHeldAtLeast) {
        try (Mailroom m = mailroom()) {
            f.connect(m);
            m.enqueue(MailContext.system(), mail("first"));
            await(() -> f.transport.sent().size() == 1, "the first mail");
            f.provider.failRefreshWith(providerError);
            f.transport.refuseToken(f.transport.tokens().get(0)); // the token runs out: a refresh is needed
            Queued waiting = m.enqueue(MailContext.system(), mail("second"));
            await(() -> outbox.find(waiting.outboxId()).orElseThrow().lastError() != null, "the second mail to wait");
            OutboxRepository.Entry e = outbox.find(waiting.outboxId()).orElseThrow();
            assertThat(e.status()).isEqualTo(OutboxRepository.Status.QUEUED);
            assertThat(e.attempts()).isZero();
            assertThat(e.lastError()).contains(code.name());
            assertThat(e.dueAt()).isAfter(java.time.Instant.now().plus(Duration.ofMinutes(minutesHeldAtLeast)));
            assertThat(m.health(ACCOUNT).state()).isIn(AccountHealth.State.AUTH_REQUIRED, AccountHealth.State.DEGRADED);
            assertThat(m.health(ACCOUNT).reason()).contains(code == MailErrorCode.OAUTH_CLIENT_REJECTED ? "OAUTH_CLIENT_REJECTED" : "503");
        }
    }

    @Test
    @DisplayName("A9/D3: diagnose of an OAuth account has a token stage: passed before the transport's stages, or failed with the provider's reply when the grant was revoked")
    void diagnose_tokenStage() {
        try (Mailroom m = mailroom()) {
            f.connect(m);
            Diagnosis ok = m.diagnose(f.accounts.find(ACCOUNT).orElseThrow());
            assertThat(ok.ok()).isTrue();
            assertThat(ok.steps().get(0).stage()).isEqualTo(DiagnosisStep.Stage.TOKEN);
            assertThat(ok.steps().get(1).stage()).isEqualTo(DiagnosisStep.Stage.SETTINGS);

            f.provider.revokeAll();
            AccessToken current = f.transport.context().accessTokens().token(f.resolved(m));
            org.assertj.core.api.Assertions.catchThrowable(() -> f.transport.context().accessTokens().refresh(f.resolved(m), current));
            Diagnosis failed = m.diagnose(f.accounts.find(ACCOUNT).orElseThrow());
            DiagnosisStep step = failed.failure().orElseThrow();
            assertThat(step.stage()).isEqualTo(DiagnosisStep.Stage.TOKEN);
            assertThat(step.code()).isEqualTo(MailErrorCode.OAUTH_GRANT_REVOKED);
            assertThat(step.serverReply()).contains("invalid_grant");
            assertThat(step.hint()).contains("Connect the account again");
            assertThat(failed.steps()).hasSize(1);
        }
    }
}
