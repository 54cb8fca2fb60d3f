package dev.mailroom.core;

import dev.mailroom.Account;
import dev.mailroom.AccountField;
import dev.mailroom.Authentication;
import dev.mailroom.Diagnosis;
import dev.mailroom.DiagnosisStep;
import dev.mailroom.Email;
import dev.mailroom.FieldProblem;
import dev.mailroom.MailContext;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.OAuthClientId;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Secret;
import dev.mailroom.SendSettings;
import dev.mailroom.spi.AccessToken;
import dev.mailroom.spi.AccessTokens;
import dev.mailroom.spi.OutboxRepository;
import dev.mailroom.spi.Transport;
import dev.mailroom.spi.TransportCapabilities;
import dev.mailroom.spi.TransportContext;
import dev.mailroom.spi.TransportProvider;
import dev.mailroom.testkit.RecordingTransport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The transport seam as core uses it: context, byte messages, validation and capabilities (issue #11). */
final class TransportSeamTest {
    private final InMemoryAccountRepository repo = new InMemoryAccountRepository();
    private final RecordingTransport recording = new RecordingTransport();
    private final Email email = Email.builder().to("kunde@example.test").subject("Angebot").text("Guten Tag").build();

    /** The recording transport with other capabilities and checks. */
    private static final class Provider implements TransportProvider {
        private final RecordingTransport delegate;
        private final TransportCapabilities capabilities;
        private final Function<ResolvedAccount, List<FieldProblem>> validate;

        Provider(RecordingTransport delegate, TransportCapabilities capabilities, Function<ResolvedAccount, List<FieldProblem>> validate) {
            this.delegate = delegate;
            this.capabilities = capabilities;
            this.validate = validate;
        }

        @Override
        public String id() {
            return delegate.id();
        }

        @Override
        public boolean supports(ResolvedAccount account) {
            return delegate.supports(account);
        }

        @Override
        public List<FieldProblem> validate(ResolvedAccount account) {
            return validate.apply(account);
        }

        @Override
        public TransportCapabilities capabilities() {
            return capabilities;
        }

        @Override
        public Transport open(TransportContext context) {
            return delegate.open(context);
        }
    }

    private Account.Builder account() {
        return Account.builder().id("sys").description("System").email("app@acme.test").systemAccount(true).smtpHost("smtp.test")
                .authentication(Authentication.password("app@acme.test", Secret.of("pw")));
    }

    private Mailroom mailroom(TransportProvider provider) {
        return Mailroom.builder().accountRepository(repo).transport(provider).discoverTransports(false).outboxWorkers(0).build();
    }

    @Test
    @DisplayName("#13 review: transports get a send budget of half the outbox lease (the lease is renewed before a send once a quarter passed), "
            + "so that a send of several requests stops before its final one instead of outlasting the lease")
    void sendBudget_halfTheLease() {
        try (Mailroom m = Mailroom.builder().accountRepository(repo).transport(recording).discoverTransports(false).outboxWorkers(0)
                .outboxLease(Duration.ofMinutes(8)).build()) {
            assertThat(m.transports()).contains("fake");
            assertThat(recording.context().sendBudget()).contains(Duration.ofMinutes(4));
        }
        assertThat(TransportContext.defaults().sendBudget()).isEmpty();
        assertThatThrownBy(() -> TransportContext.builder().sendBudget(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("#11: the builder's access-token source reaches every transport; by default a token request fails typed")
    void accessTokens_reachTheTransport() {
        AccessTokens tokens = new AccessTokens() {
            @Override
            public AccessToken token(ResolvedAccount account) {
                return AccessToken.of("t-1");
            }

            @Override
            public AccessToken refresh(ResolvedAccount account, AccessToken rejected) {
                return AccessToken.of("t-2");
            }
        };
        repo.save(account().build());
        ResolvedAccount resolved = ResolvedAccount.of(account().build(), null, dev.mailroom.Security.STARTTLS);
        try (Mailroom m = Mailroom.builder().accountRepository(repo).transport(recording).discoverTransports(false).outboxWorkers(0)
                .accessTokens(tokens).readTimeout(Duration.ofSeconds(7)).build()) {
            assertThat(m.transports()).contains("fake");
            assertThat(recording.context().accessTokens()).isSameAs(tokens);
            assertThat(recording.context().readTimeout()).isEqualTo(Duration.ofSeconds(7));
            assertThat(recording.context().tls(resolved)).isSameAs(recording.context().defaultTls());
        }
        RecordingTransport other = new RecordingTransport();
        try (Mailroom m = Mailroom.builder().accountRepository(repo).transport(other).discoverTransports(false).outboxWorkers(0).build()) {
            assertThat(m.transports()).contains("fake");
            assertThatThrownBy(() -> other.context().accessTokens().token(resolved)).isInstanceOfSatisfying(MailException.class, e -> {
                assertThat(e.code()).isEqualTo(MailErrorCode.ACCESS_TOKEN_UNAVAILABLE);
                assertThat(e.getMessage()).contains("app@acme.test");
            });
        }
        assertThat(AccessToken.of("secret-token").toString()).doesNotContain("secret-token");
    }

    @Test
    @DisplayName("#11: a direct send hands the transport the rendered bytes with an estimated size; a queued one the stored bytes, exact")
    void bytes_directAndQueued() throws Exception {
        repo.save(account().build());
        InMemoryOutboxRepository outbox = new InMemoryOutboxRepository();
        try (Mailroom m = Mailroom.builder().accountRepository(repo).outboxRepository(outbox).transport(recording).discoverTransports(false)
                .outboxWorkers(1).outboxPollInterval(Duration.ofMillis(10)).build()) {
            m.send(MailContext.system(), email);
            RecordingTransport.Sent direct = recording.sent().get(0);
            assertThat(direct.message().sizeExact()).isFalse();
            assertThat(direct.message().size()).isGreaterThanOrEqualTo(direct.bytes().length);
            assertThat(direct.mime().getMessageID()).isEqualTo(direct.message().messageId());

            var queued = m.enqueue(MailContext.system(), email);
            byte[] stored;
            try (InputStream in = outbox.openPayload(queued.outboxId())) {
                stored = in.readAllBytes();
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (outbox.find(queued.outboxId()).orElseThrow().status() != OutboxRepository.Status.SENT) {
                assertThat(System.nanoTime()).as("timed out waiting for the outbox").isLessThan(deadline);
                Thread.onSpinWait();
            }
            RecordingTransport.Sent fromOutbox = recording.sent().get(1);
            assertThat(fromOutbox.bytes()).isEqualTo(stored);
            assertThat(fromOutbox.message().sizeExact()).isTrue();
            assertThat(fromOutbox.message().size()).isEqualTo(stored.length);
            assertThat(fromOutbox.message().partialDelivery()).isTrue();
        }
    }

    @Test
    @DisplayName("#11: a transport that carries no UTF-8 addresses: such a message is refused before sending, whatever the account's flag")
    void capabilities_noSmtpUtf8() {
        repo.save(account().utf8Headers(true).build());
        try (Mailroom m = mailroom(new Provider(recording, TransportCapabilities.builder().smtpUtf8(false).build(), a -> List.of()))) {
            assertThatThrownBy(() -> m.send(MailContext.system(), Email.builder().to("jürgen@example.test").text("x").build()))
                    .isInstanceOfSatisfying(MailException.class, e -> assertThat(e.code()).isEqualTo(MailErrorCode.SMTPUTF8_NOT_SUPPORTED));
        }
        assertThat(recording.attempts()).isEmpty();
    }

    @Test
    @DisplayName("#11: a message larger than the transport's maximum is refused before sending")
    void capabilities_maxMessageSize() {
        repo.save(account().build());
        try (Mailroom m = mailroom(new Provider(recording, TransportCapabilities.builder().maxMessageSize(1000).build(), a -> List.of()))) {
            assertThatThrownBy(() -> m.send(MailContext.system(), email)).isInstanceOfSatisfying(MailException.class, e -> {
                assertThat(e.code()).isEqualTo(MailErrorCode.MESSAGE_TOO_LARGE);
                assertThat(e.getMessage()).contains("at most 1000 bytes");
            });
        }
        assertThat(recording.attempts()).isEmpty();
    }

    @Test
    @DisplayName("#11: a Sent copy made by the provider itself needs no IMAP server; one made over IMAP does")
    void capabilities_sentCopyByProvider() {
        Account a = account().copyToSent(true, null).build();
        repo.save(a);
        try (Mailroom m = mailroom(new Provider(recording, TransportCapabilities.builder().sentCopyByProvider(true).build(), x -> List.of()))) {
            assertThat(m.diagnose(a).failure()).isEmpty();
            m.send(MailContext.system(), email);
        }
        try (Mailroom m = mailroom(new RecordingTransport())) {
            Diagnosis d = m.diagnose(a);
            assertThat(d.failure()).hasValueSatisfying(f -> {
                assertThat(f.stage()).isEqualTo(DiagnosisStep.Stage.SETTINGS);
                assertThat(f.detail()).contains("imapHost");
            });
        }
    }

    @Test
    @DisplayName("#11: the provider's own checks refuse an account field by field, before anything is sent, in send, diagnose and check")
    void validate_providerProblems() {
        Account a = account().build();
        repo.save(a);
        Provider strict = new Provider(recording, TransportCapabilities.defaults(),
                x -> List.of(new FieldProblem(AccountField.CLIENT_ALIAS, "this transport needs a client alias")));
        try (Mailroom m = mailroom(strict)) {
            assertThatThrownBy(() -> m.send(MailContext.system(), email)).isInstanceOfSatisfying(MailException.class, e -> {
                assertThat(e.code()).isEqualTo(MailErrorCode.ACCOUNT_INCOMPLETE);
                assertThat(e.fieldProblems()).extracting(FieldProblem::field).containsExactly(AccountField.CLIENT_ALIAS);
            });
            assertThat(m.diagnose(a).failure()).hasValueSatisfying(f -> assertThat(f.detail()).contains("client alias"));
            assertThat(m.accounts().check(a.id())).extracting(FieldProblem::field).containsExactly(AccountField.CLIENT_ALIAS);
        }
        assertThat(recording.attempts()).isEmpty();
    }

    @Test
    @DisplayName("#11: an account that names its transport but lacks the host that transport needs is incomplete (SMTP_HOST), not an internal error")
    void namedTransport_missingHost() {
        repo.save(account().smtpHost(null).transport("fake").build());
        try (Mailroom m = mailroom(recording)) {
            assertThatThrownBy(() -> m.send(MailContext.system(), email)).isInstanceOfSatisfying(MailException.class, e -> {
                assertThat(e.code()).isEqualTo(MailErrorCode.ACCOUNT_INCOMPLETE);
                assertThat(e.fieldProblems()).extracting(FieldProblem::field).contains(AccountField.SMTP_HOST);
            });
        }
        assertThat(recording.attempts()).isEmpty();
    }

    @Test
    @DisplayName("#11: a login kind the transport does not support is a field problem for AUTHENTICATION, before anything is sent or stored")
    void authenticationKind_checkedAgainstCapabilities() {
        Account a = account().authentication(Authentication.oauth2("app@acme.test", OAuthClientId.of("acme-google"))).build();
        repo.save(a);
        InMemoryOutboxRepository outbox = new InMemoryOutboxRepository();
        try (Mailroom m = Mailroom.builder().accountRepository(repo).outboxRepository(outbox).transport(recording).discoverTransports(false)
                .outboxWorkers(0).build()) {
            for (org.junit.jupiter.api.function.Executable call : List.<org.junit.jupiter.api.function.Executable>of(
                    () -> m.send(MailContext.system(), email), () -> m.enqueue(MailContext.system(), email))) {
                assertThatThrownBy(call::execute).isInstanceOfSatisfying(MailException.class, e -> {
                    assertThat(e.code()).isEqualTo(MailErrorCode.ACCOUNT_INCOMPLETE);
                    assertThat(e.fieldProblems()).extracting(FieldProblem::field).containsExactly(AccountField.AUTHENTICATION);
                    assertThat(e.fieldProblems().get(0).message()).contains("OAUTH2").contains("fake");
                });
            }
            assertThat(m.accounts().check(a.id())).extracting(FieldProblem::field).contains(AccountField.AUTHENTICATION);
            assertThat(outbox.countByStatus().values().stream().mapToLong(Long::longValue).sum()).isZero();
        }
        assertThat(recording.attempts()).isEmpty();
        Provider oauth = new Provider(recording, TransportCapabilities.builder()
                .authentication(TransportCapabilities.AuthenticationKind.OAUTH2).build(), x -> List.of());
        try (Mailroom m = mailroom(oauth)) {
            m.send(MailContext.system(), email);
        }
        assertThat(recording.attempts()).hasSize(1);
    }

    @Test
    @DisplayName("#11: a Gmail API account without the gmail transport installed fails with NO_TRANSPORT naming the module, not a missing SMTP host")
    void apiKind_missingModule_namesIt() {
        repo.save(Account.builder().id("sys").description("System").email("app@acme.test").systemAccount(true)
                .sending(SendSettings.gmailApi()).authentication(Authentication.oauth2("app@acme.test", OAuthClientId.of("g"))).build());
        try (Mailroom m = mailroom(recording)) {
            assertThatThrownBy(() -> m.send(MailContext.system(), email)).isInstanceOfSatisfying(MailException.class, e -> {
                assertThat(e.code()).isEqualTo(MailErrorCode.NO_TRANSPORT);
                assertThat(e.getMessage()).contains("mailroom-transport-gmail");
            });
        }
        assertThat(recording.attempts()).isEmpty();
    }

    @Test
    @DisplayName("#11: a queued message larger than the transport's maximum is refused before it is stored, naming the transport's limit")
    void capabilities_maxMessageSize_enqueue() {
        repo.save(account().build());
        InMemoryOutboxRepository outbox = new InMemoryOutboxRepository();
        try (Mailroom m = Mailroom.builder().accountRepository(repo).outboxRepository(outbox).discoverTransports(false).outboxWorkers(0)
                .transport(new Provider(recording, TransportCapabilities.builder().maxMessageSize(1000).build(), a -> List.of())).build()) {
            Email big = Email.builder().to("kunde@example.test").subject("Angebot").text("x".repeat(5000)).build();
            assertThatThrownBy(() -> m.enqueue(MailContext.system(), big)).isInstanceOfSatisfying(MailException.class, e -> {
                assertThat(e.code()).isEqualTo(MailErrorCode.MESSAGE_TOO_LARGE);
                assertThat(e.getMessage()).contains("transport 'fake'").contains("1000 bytes");
            });
            assertThat(outbox.countByStatus().values().stream().mapToLong(Long::longValue).sum()).isZero();
        }
    }

    @Test
    @DisplayName("#11: when the account is flagged for UTF-8 headers but the transport cannot carry them, the refusal blames the transport")
    void smtpUtf8_transportCannot_saysSo() {
        repo.save(account().utf8Headers(true).build());
        try (Mailroom m = mailroom(new Provider(recording, TransportCapabilities.builder().smtpUtf8(false).build(), a -> List.of()))) {
            assertThatThrownBy(() -> m.send(MailContext.system(), Email.builder().to("jürgen@example.test").text("x").build()))
                    .isInstanceOfSatisfying(MailException.class, e -> {
                        assertThat(e.code()).isEqualTo(MailErrorCode.SMTPUTF8_NOT_SUPPORTED);
                        assertThat(e.getMessage()).contains("transport 'fake' cannot");
                        assertThat(e.hint()).doesNotContain("flag the account");
                    });
            assertThatThrownBy(() -> m.enqueue(MailContext.system(), Email.builder().to("jürgen@example.test").text("x").build()))
                    .isInstanceOfSatisfying(MailException.class, e -> assertThat(e.getMessage()).contains("transport 'fake' cannot"));
        }
        assertThat(recording.attempts()).isEmpty();
    }
}
