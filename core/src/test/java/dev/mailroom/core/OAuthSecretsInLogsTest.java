package dev.mailroom.core;

import dev.mailroom.testkit.ScriptedAuthorizationServer;
import dev.mailroom.Email;
import dev.mailroom.MailContext;
import dev.mailroom.Queued;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.spi.AccessToken;
import dev.mailroom.spi.AccessTokens;
import dev.mailroom.spi.OutboxRepository;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import static dev.mailroom.core.OAuthFixture.ACCOUNT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * No token, secret, code, state or code verifier in any log line (every event of Mailroom's loggers at DEBUG), exception
 * message or toString, through a whole cycle: register, consent, send through the outbox, refresh with rotation, revoked
 * grant, new consent, refused client, unavailable provider, wrong mailbox, replayed state, diagnose and health.
 */
final class OAuthSecretsInLogsTest {
    private final OAuthFixture f = new OAuthFixture();
    private final InMemoryOutboxRepository outbox = new InMemoryOutboxRepository();
    private final List<String> said = new ArrayList<>();

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("timed out waiting for " + what).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    private void failing(Runnable call) {
        Throwable t = catchThrowable(call::run);
        for (Throwable c = t; c != null; c = c.getCause()) {
            said.add(c.toString());
            said.add(String.valueOf(c.getMessage()));
            if (c instanceof dev.mailroom.MailException m) {
                said.add(m.hint());
            }
        }
    }

    @Test
    @DisplayName("A9/D1/D2/D3: no OAuth secret, token, code, state or verifier appears in any log event (DEBUG), exception or toString over a whole cycle")
    void noSecretAnywhere() {
        String logs;
        try (LogCapture capture = LogCapture.start()) {
            try (Mailroom m = Mailroom.builder().accountRepository(f.accounts).oauthStore(f.store).authorizationServer(f.provider)
                    .transport(f.transport).discoverTransports(false).outboxRepository(outbox).outboxWorkers(1)
                    .outboxPollInterval(Duration.ofMillis(10)).build()) {
                said.add(m.oauth().registerClient(OAuthFixture.client()).toString());
                said.add(m.oauth().clients().toString());
                said.add(m.oauth().beginAuthorization(ACCOUNT).toString());
                said.add(f.connect(m, ACCOUNT, OAuthFixture.ADDRESS).toString());
                m.enqueue(MailContext.system(), Email.builder().to("kunde@example.test").text("x").build());
                await(() -> f.transport.sent().size() == 1, "the first mail");
                AccessTokens tokens = f.transport.context().accessTokens();
                ResolvedAccount a = f.resolved(m);
                AccessToken first = tokens.token(a);
                AccessToken second = tokens.refresh(a, first); // rotation
                said.add(first + " " + second + " " + tokens + " " + f.store.findGrant(ACCOUNT).orElseThrow() + " " + f.store);

                f.provider.revokeAll();
                f.transport.refuseToken(second);
                Queued held = m.enqueue(MailContext.system(), Email.builder().to("kunde@example.test").text("y").build());
                await(() -> outbox.find(held.outboxId()).orElseThrow().lastError() != null, "the mail to be held");
                said.add(outbox.find(held.outboxId()).orElseThrow().toString());
                said.add(m.health(ACCOUNT).toString());
                said.add(m.diagnose(f.accounts.find(ACCOUNT).orElseThrow()).toString());
                said.add(m.oauth().status(ACCOUNT).toString());
                failing(() -> tokens.token(a));

                String[] wrong = f.provider.approve(m.oauth().beginAuthorization(ACCOUNT).url(), "someone.else@gmail.test");
                failing(() -> m.oauth().completeAuthorization(wrong[0], wrong[1]));
                failing(() -> m.oauth().completeAuthorization(wrong[0], wrong[1]));
                f.connect(m, ACCOUNT, OAuthFixture.ADDRESS);
                await(() -> outbox.find(held.outboxId()).orElseThrow().status() == OutboxRepository.Status.SENT, "the held mail");

                f.expireTokens();
                f.provider.failRefreshWith("unavailable");
                said.add(tokens.token(a).toString());
                f.clock.advance(Duration.ofMinutes(10));
                failing(() -> tokens.token(a));
                f.provider.failRefreshWith("invalid_client");
                f.clock.advance(Duration.ofMinutes(10));
                failing(() -> tokens.token(a));
                said.add(m.health(ACCOUNT).toString());
                said.add(m.diagnose(f.accounts.find(ACCOUNT).orElseThrow()).toString());
            }
            logs = capture.text();
        }
        assertThat(logs).as("the capture works").contains("connected as " + OAuthFixture.ADDRESS).contains("DEBUG");
        List<String> secrets = new ArrayList<>(f.provider.secretsSeen);
        secrets.add(ScriptedAuthorizationServer.CLIENT_SECRET);
        assertThat(secrets).hasSizeGreaterThan(8);
        String everything = logs + "\n" + String.join("\n", said);
        assertThat(everything).doesNotContain("CANARY");
        for (String s : secrets) {
            assertThat(everything).as("a secret value").doesNotContain(s);
        }
    }
}
