package dev.mailroom.smtp;

import dev.mailroom.AccountId;
import dev.mailroom.MailContext;
import dev.mailroom.Security;
import dev.mailroom.core.InMemoryAccountRepository;
import dev.mailroom.core.Mailroom;
import dev.mailroom.testkit.ScriptedSmtpServer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

final class SmtpPoolingIT {
    private final InMemoryAccountRepository repo = new InMemoryAccountRepository();

    @Test
    @DisplayName("Bulk sending reuses one connection per account instead of one per message")
    void sequentialSends_reuseConnection() {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().build().start()) {
            repo.save(SmtpFixtures.withLogin(SmtpFixtures.systemAccount(server.host(), server.port(), Security.NONE), "app@acme.test", "pw").build());
            try (Mailroom m = SmtpFixtures.mailroom(repo)) {
                for (int i = 0; i < 50; i++) {
                    m.send(MailContext.system(), SmtpFixtures.email());
                }
            }
            server.received().await(50, Duration.ofSeconds(10));
            assertThat(server.connections()).isEqualTo(1);
            assertThat(server.commands().stream().filter(c -> c.startsWith("AUTH")).count()).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("Concurrent senders share a bounded pool (at most maxConnectionsPerAccount connections)")
    void concurrentSends_bounded() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().build().start()) {
            repo.save(SmtpFixtures.systemAccount(server.host(), server.port(), Security.NONE).build());
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try (Mailroom m = Mailroom.builder().accountRepository(repo).maxConnectionsPerAccount(2).build()) {
                List<Future<?>> futures = new ArrayList<>();
                for (int i = 0; i < 80; i++) {
                    futures.add(pool.submit(() -> m.send(MailContext.system(), SmtpFixtures.email())));
                }
                for (Future<?> f : futures) {
                    f.get(30, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            server.received().await(80, Duration.ofSeconds(10));
            assertThat(server.connections()).isBetween(1, 2);
        }
    }

    @Test
    @DisplayName("A failed connection is not reused; the next send opens a fresh one")
    void failure_connectionDiscarded() {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                .reply(ScriptedSmtpServer.Command.MAIL, "451 4.3.0 Try again later", "250 2.1.0 Ok").build().start()) {
            repo.save(SmtpFixtures.systemAccount(server.host(), server.port(), Security.NONE).build());
            try (Mailroom m = SmtpFixtures.mailroom(repo)) {
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> m.send(MailContext.system(), SmtpFixtures.email()));
                m.send(MailContext.system(), SmtpFixtures.email());
            }
            assertThat(server.connections()).isEqualTo(2);
            server.received().single();
        }
    }

    @Test
    @DisplayName("A pooled connection the server dropped is replaced before MAIL FROM succeeds: no error, nothing sent twice")
    void staleConnection_retriedOnFreshConnection() {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                .reply(ScriptedSmtpServer.Command.MAIL, "250 2.1.0 Ok", ScriptedSmtpServer.DROP, "250 2.1.0 Ok").build().start()) {
            repo.save(SmtpFixtures.systemAccount(server.host(), server.port(), Security.NONE).build());
            try (Mailroom m = SmtpFixtures.mailroom(repo)) {
                m.send(MailContext.system(), SmtpFixtures.email());
                m.send(MailContext.system(), SmtpFixtures.email());
            }
            server.received().await(2, Duration.ofSeconds(10));
            assertThat(server.connections()).isEqualTo(2);
            assertThat(server.commands().stream().filter("DATA"::equals).count()).isEqualTo(2);
        }
    }

    @Test
    @DisplayName("A fresh connection failing at MAIL FROM is an error, not retried")
    void freshConnection_notRetried() {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder()
                .reply(ScriptedSmtpServer.Command.MAIL, ScriptedSmtpServer.DROP).build().start()) {
            repo.save(SmtpFixtures.systemAccount(server.host(), server.port(), Security.NONE).build());
            try (Mailroom m = SmtpFixtures.mailroom(repo)) {
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> m.send(MailContext.system(), SmtpFixtures.email()))
                        .isInstanceOfSatisfying(dev.mailroom.MailException.class,
                                e -> assertThat(e.code()).isEqualTo(dev.mailroom.MailErrorCode.CONNECTION_LOST));
            }
            assertThat(server.connections()).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("Idle pooled connections are closed (QUIT) after the idle timeout")
    void idleConnection_closedAfterTimeout() {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().build().start()) {
            repo.save(SmtpFixtures.systemAccount(server.host(), server.port(), Security.NONE).build());
            try (Mailroom m = Mailroom.builder().accountRepository(repo).connectionIdleTimeout(Duration.ofMillis(200)).build()) {
                m.send(MailContext.system(), SmtpFixtures.email());
                server.awaitCommand("QUIT", Duration.ofSeconds(10));
            }
        }
    }

    @Test
    @DisplayName("A1: the client alias is the EHLO name")
    void clientAlias_isEhloName() {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().build().start()) {
            repo.save(SmtpFixtures.systemAccount(server.host(), server.port(), Security.NONE).clientAlias("erp.acme.test").build());
            try (Mailroom m = SmtpFixtures.mailroom(repo)) {
                m.send(MailContext.system(), SmtpFixtures.email());
            }
            assertThat(server.awaitCommand("EHLO", Duration.ofSeconds(5))).isEqualTo("EHLO erp.acme.test");
        }
    }

    @Test
    @DisplayName("Changing an account's settings never reuses a connection opened with the old ones")
    void settingsChange_newConnection() {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().build().start()) {
            repo.save(SmtpFixtures.withLogin(SmtpFixtures.systemAccount(server.host(), server.port(), Security.NONE), "app@acme.test", "pw").build());
            try (Mailroom m = SmtpFixtures.mailroom(repo)) {
                m.send(MailContext.system(), SmtpFixtures.email());
                var stored = m.accounts().get(AccountId.of("system")).orElseThrow();
                m.accounts().update(stored.toBuilder().authentication(dev.mailroom.Authentication.password("other@acme.test",
                        dev.mailroom.Secret.of("pw2"))).build());
                m.send(MailContext.system(), SmtpFixtures.email());
            }
            assertThat(server.connections()).isEqualTo(2);
        }
    }
}
