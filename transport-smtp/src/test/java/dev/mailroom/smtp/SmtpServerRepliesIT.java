package dev.mailroom.smtp;

import dev.mailroom.MailContext;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.Security;
import dev.mailroom.core.InMemoryAccountRepository;
import dev.mailroom.core.Mailroom;
import dev.mailroom.testkit.ScriptedSmtpServer;
import dev.mailroom.testkit.ScriptedSmtpServer.Command;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** C5: the catalogue of docs/diagnostics.md, each provoked by a server that answers exactly so. */
@ParameterizedClass(name = "server advertises [{0}]")
@ValueSource(strings = {"", "PIPELINING"}) // #16: with pipelining every outcome stays the same
final class SmtpServerRepliesIT {
    @Parameter
    String extensions;

    private ScriptedSmtpServer.Builder scripted() {
        return ScriptedSmtpServer.builder().advertise(extensions.split(" "));
    }

    private final InMemoryAccountRepository repo = new InMemoryAccountRepository();

    static Stream<Arguments> replies() {
        return Stream.of(
                Arguments.of(Command.AUTH, "535 5.7.8 Error: authentication failed: UGFzc3dvcmQ6", MailErrorCode.AUTH_FAILED, false),
                Arguments.of(Command.AUTH, "535 5.7.3 Authentication unsuccessful", MailErrorCode.AUTH_FAILED, false),
                Arguments.of(Command.AUTH, "535 5.7.139 Authentication unsuccessful, basic authentication is disabled.", MailErrorCode.AUTH_BASIC_DISABLED, false),
                Arguments.of(Command.AUTH, "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.", MailErrorCode.AUTH_BASIC_DISABLED, false),
                Arguments.of(Command.AUTH, "534-5.7.9 Application-specific password required.\n534 5.7.9 Learn more", MailErrorCode.APP_PASSWORD_REQUIRED, false),
                Arguments.of(Command.AUTH, "454 4.7.0 Temporary authentication failure", MailErrorCode.AUTH_TEMPORARY, true),
                Arguments.of(Command.MAIL, "550 5.7.30 Basic authentication is not supported for Client Submission", MailErrorCode.AUTH_BASIC_DISABLED, false),
                Arguments.of(Command.MAIL, "553 5.7.1 <app@acme.test>: Sender address rejected: not owned by user other@acme.test", MailErrorCode.SENDER_REJECTED, false),
                Arguments.of(Command.MAIL, "550 5.7.60 SMTP; Client does not have permissions to send as this sender", MailErrorCode.SENDER_REJECTED, false),
                Arguments.of(Command.MAIL, "530 5.7.0 Must issue a STARTTLS command first", MailErrorCode.STARTTLS_REQUIRED_BY_SERVER, false),
                Arguments.of(Command.MAIL, "451 4.3.0 Temporary lookup failure", MailErrorCode.TEMPORARY_FAILURE, true),
                Arguments.of(Command.RCPT, "554 5.7.1 <kunde@example.test>: Relay access denied", MailErrorCode.RELAY_DENIED, false),
                Arguments.of(Command.RCPT, "550 5.1.1 <kunde@example.test>: Recipient address rejected: User unknown", MailErrorCode.RECIPIENT_REJECTED, false),
                Arguments.of(Command.RCPT, "450 4.2.0 <kunde@example.test>: Recipient address rejected: Greylisted", MailErrorCode.TEMPORARY_FAILURE, true),
                Arguments.of(Command.END_OF_DATA, "552 5.3.4 Message size exceeds fixed limit", MailErrorCode.MESSAGE_TOO_LARGE, false),
                Arguments.of(Command.END_OF_DATA, "421 4.7.0 mail.example.test Try again later, closing connection", MailErrorCode.DELIVERY_UNCERTAIN, true),
                Arguments.of(Command.RCPT, "553 5.7.1 <app@acme.test>: Sender address rejected: not owned by user other@acme.test", MailErrorCode.SENDER_REJECTED, false),
                Arguments.of(Command.GREETING, "554 5.7.1 client host blocked", MailErrorCode.CONNECTION_REJECTED, false),
                Arguments.of(Command.MAIL, "421 4.7.0 mail.example.test Error: too many connections", MailErrorCode.SERVER_BUSY, true),
                Arguments.of(Command.END_OF_DATA, "554 5.7.1 Message rejected as spam", MailErrorCode.PERMANENT_FAILURE, false));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("replies")
    @DisplayName("C5: each server reply maps to a stable code, keeps the exact text, says whether to retry")
    void reply_mapsToCode(Command command, String reply, MailErrorCode expected, boolean retryable) {
        try (ScriptedSmtpServer server = scripted().reply(command, reply).build().start()) {
            repo.save(SmtpFixtures.withLogin(SmtpFixtures.systemAccount(server.host(), server.port(), Security.NONE), "app@acme.test", "pw").build());
            try (Mailroom m = SmtpFixtures.mailroom(repo)) {
                assertThatThrownBy(() -> m.send(MailContext.system(), SmtpFixtures.email()))
                        .isInstanceOfSatisfying(MailException.class, e -> {
                            assertThat(e.code()).as(e.toString()).isEqualTo(expected);
                            assertThat(e.isRetryable()).isEqualTo(retryable);
                            assertThat(e.serverReply()).as(e.toString()).hasValueSatisfying(r -> assertThat(r).contains(reply.split("\n")[0].substring(4)));
                            assertThat(m.deliveryLog().errorsSince(Duration.ofHours(24))).singleElement()
                                    .satisfies(l -> assertThat(l.reply()).isEqualTo(e.serverReply()));
                        });
            }
            server.received().assertNone();
        }
    }

    @Test
    @DisplayName("C5: an account without login against a server that demands one: enable authentication")
    void noLoginButRequired_relayDenied() {
        try (ScriptedSmtpServer server = scripted().reply(Command.MAIL, "530 5.7.0 Authentication required").build().start()) {
            repo.save(SmtpFixtures.systemAccount(server.host(), server.port(), Security.NONE).build());
            try (Mailroom m = SmtpFixtures.mailroom(repo)) {
                assertThatThrownBy(() -> m.send(MailContext.system(), SmtpFixtures.email()))
                        .isInstanceOfSatisfying(MailException.class, e -> {
                            assertThat(e.code()).isEqualTo(MailErrorCode.RELAY_DENIED);
                            assertThat(e.hint()).contains("server requires authentication");
                            assertThat(e.serverReply()).contains("530 5.7.0 Authentication required");
                        });
            }
        }
    }

    @Test
    @DisplayName("A message over the server's advertised SIZE is refused before MAIL FROM")
    void serverSize_refusedBeforeMailFrom() {
        try (ScriptedSmtpServer server = scripted().reply(Command.EHLO, "250 scripted.test\n250 SIZE 10000").build().start()) {
            repo.save(SmtpFixtures.systemAccount(server.host(), server.port(), Security.NONE).build());
            try (Mailroom m = SmtpFixtures.mailroom(repo)) {
                var big = SmtpFixtures.email().toBuilder().attach(dev.mailroom.Attachment.of("a.bin", "application/octet-stream", new byte[20_000])).build();
                assertThatThrownBy(() -> m.send(MailContext.system(), big))
                        .isInstanceOfSatisfying(MailException.class, e -> {
                            assertThat(e.code()).isEqualTo(MailErrorCode.MESSAGE_TOO_LARGE);
                            assertThat(e.getMessage()).contains("at most 10000");
                        });
                m.send(MailContext.system(), SmtpFixtures.email()); // a small one still goes
            }
            assertThat(server.commands().stream().filter(c -> c.startsWith("MAIL")).count()).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("Mailroom's own limits on recipients and size: typed errors, nothing reaches the server")
    void ownLimits_refusedBeforeConnecting() {
        try (ScriptedSmtpServer server = scripted().build().start()) {
            repo.save(SmtpFixtures.systemAccount(server.host(), server.port(), Security.NONE).build());
            try (Mailroom m = Mailroom.builder().accountRepository(repo).maxRecipients(2).maxMessageSize(8192).build()) {
                assertThatThrownBy(() -> m.send(MailContext.system(), SmtpFixtures.email().toBuilder().cc("a@example.test", "b@example.test").build()))
                        .isInstanceOfSatisfying(MailException.class, e -> {
                            assertThat(e.code()).isEqualTo(MailErrorCode.INVALID_EMAIL);
                            assertThat(e.getMessage()).contains("3 recipients").contains("limit of 2");
                        });
                assertThatThrownBy(() -> m.send(MailContext.system(), SmtpFixtures.email().toBuilder()
                        .attach(dev.mailroom.Attachment.of("a.bin", "application/octet-stream", new byte[20_000])).build()))
                        .isInstanceOfSatisfying(MailException.class, e -> assertThat(e.code()).isEqualTo(MailErrorCode.MESSAGE_TOO_LARGE));
            }
            assertThat(server.connections()).isZero();
        }
    }

    @Test
    @DisplayName("A connection lost after the final '.' is DELIVERY_UNCERTAIN and is never resent automatically")
    void dropAfterData_uncertain_notResent() {
        try (ScriptedSmtpServer server = scripted().reply(Command.END_OF_DATA, ScriptedSmtpServer.DROP).build().start()) {
            repo.save(SmtpFixtures.systemAccount(server.host(), server.port(), Security.NONE).build());
            try (Mailroom m = SmtpFixtures.mailroom(repo)) {
                assertThatThrownBy(() -> m.send(MailContext.system(), SmtpFixtures.email()))
                        .isInstanceOfSatisfying(MailException.class, e -> assertThat(e.code()).isEqualTo(MailErrorCode.DELIVERY_UNCERTAIN));
            }
            assertThat(server.commands().stream().filter("DATA"::equals).count()).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("A server that accepts but never greets: a bounded connect timeout, not a hang")
    void silentServer_connectTimeout() {
        try (ScriptedSmtpServer server = scripted().reply(Command.GREETING, ScriptedSmtpServer.SILENT).build().start()) {
            repo.save(SmtpFixtures.systemAccount(server.host(), server.port(), Security.NONE).build());
            try (Mailroom m = Mailroom.builder().accountRepository(repo).readTimeout(Duration.ofMillis(500)).build()) {
                assertThatThrownBy(() -> m.send(MailContext.system(), SmtpFixtures.email()))
                        .isInstanceOfSatisfying(MailException.class, e -> {
                            assertThat(e.code()).isEqualTo(MailErrorCode.CONNECT_TIMEOUT);
                            assertThat(e.isRetryable()).isTrue();
                        });
            }
        }
    }

    @Test
    @DisplayName("A9: login data configured but the server offers no AUTH: refused before MAIL FROM")
    void noAuthOffered_refusedBeforeSending() {
        try (ScriptedSmtpServer server = scripted().reply(Command.EHLO, "250 scripted.test\n250 8BITMIME").build().start()) {
            repo.save(SmtpFixtures.withLogin(SmtpFixtures.systemAccount(server.host(), server.port(), Security.NONE), "app@acme.test", "pw").build());
            try (Mailroom m = SmtpFixtures.mailroom(repo)) {
                assertThatThrownBy(() -> m.send(MailContext.system(), SmtpFixtures.email()))
                        .isInstanceOfSatisfying(MailException.class, e -> assertThat(e.code()).isEqualTo(MailErrorCode.AUTH_NOT_OFFERED));
            }
            assertThat(server.commands()).noneMatch(c -> c.startsWith("MAIL"));
        }
    }

    @Test
    @DisplayName("A9/F9: 'prevent NTLM' against a server offering only NTLM names the option")
    void preventNtlm_ntlmOnlyServer() {
        try (ScriptedSmtpServer server = scripted().reply(Command.EHLO, "250 scripted.test\n250 AUTH NTLM").build().start()) {
            repo.save(SmtpFixtures.withLogin(SmtpFixtures.systemAccount(server.host(), server.port(), Security.NONE), "app@acme.test", "pw")
                    .preventNtlm(true).build());
            try (Mailroom m = SmtpFixtures.mailroom(repo)) {
                assertThatThrownBy(() -> m.send(MailContext.system(), SmtpFixtures.email()))
                        .isInstanceOfSatisfying(MailException.class, e -> {
                            assertThat(e.code()).isEqualTo(MailErrorCode.AUTH_MECHANISM_BLOCKED);
                            assertThat(e.getMessage()).contains("'prevent NTLM login' blocks NTLM");
                        });
            }
            assertThat(server.commands()).noneMatch(c -> c.startsWith("AUTH"));
        }
    }
}
