package dev.mailroom.testkit;

import dev.mailroom.AccountField;
import dev.mailroom.Diagnosis;
import dev.mailroom.DiagnosisStep;
import dev.mailroom.EmailAddress;
import dev.mailroom.FieldProblem;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Authentication;
import dev.mailroom.spi.AccessToken;
import dev.mailroom.spi.OutgoingMessage;
import dev.mailroom.spi.TransportCapabilities;
import dev.mailroom.spi.SendResult;
import dev.mailroom.spi.Transport;
import dev.mailroom.spi.TransportContext;
import dev.mailroom.spi.TransportProvider;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A transport for tests that sends nothing: it records each message with its bytes, and fails or defers
 * recipients as told. Register it on the builder in place of a real transport:
 *
 * <pre>{@code
 * RecordingTransport transport = new RecordingTransport();
 * Mailroom mailroom = Mailroom.builder().transport(transport).discoverTransports(false).build();
 * mailroom.send(context, email);
 * assertThat(transport.sent()).hasSize(1);
 * assertThat(transport.sent().get(0).mime().getSubject()).isEqualTo("Hello");
 * }</pre>
 *
 * <p>It is its own provider and its own open transport; like SMTP, it serves every account with an SMTP
 * host (or that names its id) and finds an account without one incomplete. Thread-safe.
 */
public final class RecordingTransport implements TransportProvider, Transport {
    private static final Session SESSION = session();

    /**
     * One message the transport took.
     *
     * @param account the account it was sent through
     * @param message the message as the transport got it
     * @param bytes the bytes it wrote, as a server would have received them
     * @param accepted the recipients it took the message for (without refused or deferred ones)
     */
    public record Sent(ResolvedAccount account, OutgoingMessage message, byte[] bytes, List<EmailAddress> accepted) {
        /**
         * Validates.
         *
         * @param account see the record description
         * @param message see the record description
         * @param bytes see the record description
         * @param accepted see the record description
         */
        public Sent {
            Objects.requireNonNull(account, "account");
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(bytes, "bytes");
            accepted = List.copyOf(accepted);
        }

        /**
         * @return the bytes parsed as a MIME message, to read headers and parts
         * @throws IllegalStateException if they cannot be parsed
         */
        public MimeMessage mime() {
            try {
                return new MimeMessage(SESSION, new ByteArrayInputStream(bytes));
            } catch (MessagingException e) {
                throw new IllegalStateException("the recorded message cannot be parsed: " + e.getMessage(), e);
            }
        }

        /** @return the bytes as text (UTF-8) */
        public String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private final String id;
    private final List<Sent> sent = new CopyOnWriteArrayList<>();
    private final List<String> attempts = new CopyOnWriteArrayList<>();
    private final Map<String, MailException> failFor = new ConcurrentHashMap<>();
    private final Map<String, String> deferOnce = new ConcurrentHashMap<>();
    private final Map<String, String> refuse = new ConcurrentHashMap<>();
    private volatile MailException failWith;
    private volatile boolean oauth2;
    private final List<AccessToken> tokens = new CopyOnWriteArrayList<>();
    private final java.util.Set<AccessToken> refusedTokens = ConcurrentHashMap.newKeySet();
    private volatile TransportContext context;

    /** A transport with the id {@code fake}. */
    public RecordingTransport() {
        this("fake");
    }

    /**
     * @param id the transport id
     */
    public RecordingTransport(String id) {
        this.id = Objects.requireNonNull(id, "id");
    }

    /** @return the messages taken so far, in order (a live, read-only view) */
    public List<Sent> sent() {
        return Collections.unmodifiableList(sent);
    }

    /** @return the account address of every send call so far, failed ones included (a live, read-only view) */
    public List<String> attempts() {
        return Collections.unmodifiableList(attempts);
    }

    /**
     * Declares OAuth 2.0 logins (like SMTP with XOAUTH2): a send of an account that logs in with OAuth 2.0 first
     * gets a token from the context's {@link dev.mailroom.spi.AccessTokens}; a token refused with
     * {@link #refuseToken} is answered like a server's {@code 535}: the transport asks for a fresh one once, and a
     * second refusal fails with {@link MailErrorCode#AUTH_FAILED}. Off by default.
     *
     * @return this transport
     */
    public RecordingTransport acceptOAuth2() {
        this.oauth2 = true;
        return this;
    }

    /**
     * Refuses a token as a server refuses an expired or revoked one.
     *
     * @param token the token to refuse
     * @return this transport
     */
    public RecordingTransport refuseToken(AccessToken token) {
        refusedTokens.add(Objects.requireNonNull(token, "token"));
        return this;
    }

    /** @return the tokens sends logged in with, in order (a live, read-only view; their values never print) */
    public List<AccessToken> tokens() {
        return Collections.unmodifiableList(tokens);
    }

    /**
     * Fails every send, until cleared.
     *
     * @param failure the failure to throw, or {@code null} to send again
     * @return this transport
     */
    public RecordingTransport failWith(MailException failure) {
        this.failWith = failure;
        return this;
    }

    /**
     * Fails the sends of one account.
     *
     * @param accountAddress the account's address
     * @param failure the failure to throw
     * @return this transport
     */
    public RecordingTransport failFor(String accountAddress, MailException failure) {
        failFor.put(Objects.requireNonNull(accountAddress, "accountAddress"), Objects.requireNonNull(failure, "failure"));
        return this;
    }

    /**
     * Lets an account send again after {@link #failFor}.
     *
     * @param accountAddress the account's address
     * @return this transport
     */
    public RecordingTransport succeedFor(String accountAddress) {
        failFor.remove(accountAddress);
        return this;
    }

    /**
     * Defers a recipient once, as a server's 4xx reply to RCPT TO would: a message that allows partial delivery
     * goes to the others, and the recipient is reported temporarily refused.
     *
     * @param recipient the recipient's address
     * @param reply the server's reply
     * @return this transport
     */
    public RecordingTransport deferOnce(String recipient, String reply) {
        deferOnce.put(Objects.requireNonNull(recipient, "recipient"), Objects.requireNonNull(reply, "reply"));
        return this;
    }

    /**
     * Refuses a recipient for good, as a server's 5xx reply to RCPT TO would: a direct send (all or nothing)
     * fails with {@link dev.mailroom.MailErrorCode#RECIPIENT_REJECTED} and nobody gets it; a message that
     * allows partial delivery goes to the others, and the recipient is reported permanently refused.
     *
     * @param recipient the recipient's address
     * @param reply the server's reply
     * @return this transport
     */
    public RecordingTransport refuse(String recipient, String reply) {
        refuse.put(Objects.requireNonNull(recipient, "recipient"), Objects.requireNonNull(reply, "reply"));
        return this;
    }

    /** Forgets what was recorded and every failure set. */
    public void reset() {
        sent.clear();
        attempts.clear();
        failFor.clear();
        deferOnce.clear();
        refuse.clear();
        failWith = null;
        tokens.clear();
        refusedTokens.clear();
    }

    /** @return the context the transport was opened with, or {@code null} before */
    public TransportContext context() {
        return context;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public boolean supports(ResolvedAccount account) {
        return account.smtpHost().isPresent();
    }

    /** Like SMTP: an account needs an SMTP host. */
    @Override
    public List<FieldProblem> validate(ResolvedAccount account) {
        return account.smtpHost().isPresent() ? List.of()
                : List.of(new FieldProblem(AccountField.SMTP_HOST, "is missing, on the account and on the defaults account"));
    }

    /** With {@link #acceptOAuth2()}, OAuth 2.0 logins besides the defaults. */
    @Override
    public TransportCapabilities capabilities() {
        return oauth2 ? TransportCapabilities.builder().authentication(TransportCapabilities.AuthenticationKind.NONE,
                TransportCapabilities.AuthenticationKind.PASSWORD, TransportCapabilities.AuthenticationKind.OAUTH2).build()
                : TransportCapabilities.defaults();
    }

    @Override
    public Transport open(TransportContext context) {
        this.context = Objects.requireNonNull(context, "context");
        return this;
    }

    @Override
    public SendResult send(ResolvedAccount account, OutgoingMessage message) {
        String address = account.account().email().address();
        attempts.add(address);
        MailException forAccount = failFor.get(address);
        if (forAccount != null) {
            throw forAccount;
        }
        MailException all = failWith;
        if (all != null) {
            throw all;
        }
        login(account);
        ByteArrayOutputStream out = new ByteArrayOutputStream(message.size() > 0 && message.size() < 1 << 20 ? (int) message.size() : 8192);
        try {
            message.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException("the message cannot be written: " + e.getMessage(), e);
        }
        if (!message.partialDelivery()) {
            for (EmailAddress r : message.recipients()) {
                String reply = refuse.get(r.address());
                if (reply != null) {
                    throw new MailException(MailErrorCode.RECIPIENT_REJECTED, "the server refused " + r.address() + "; nothing was sent",
                            reply, null, List.of(), null);
                }
            }
        }
        List<SendResult.RefusedRecipient> refused = message.partialDelivery() ? message.recipients().stream()
                .map(r -> {
                    String permanent = refuse.get(r.address());
                    if (permanent != null) {
                        return new SendResult.RefusedRecipient(r, permanent, false);
                    }
                    String reply = deferOnce.remove(r.address());
                    return reply == null ? null : new SendResult.RefusedRecipient(r, reply, true);
                })
                .filter(Objects::nonNull).toList() : List.of();
        List<EmailAddress> accepted = message.recipients().stream()
                .filter(r -> refused.stream().noneMatch(x -> x.address().equals(r))).toList();
        sent.add(new Sent(account, message, out.toByteArray(), accepted));
        return SendResult.builder("250 2.0.0 Ok: queued as FAKE" + sent.size()).accepted(accepted).refused(refused).build();
    }

    /** Like XOAUTH2: a token, a fresh one once when the server refuses it, AUTH_FAILED when it refuses that too. */
    private void login(ResolvedAccount account) {
        if (!oauth2 || account.authentication().map(a -> a.kind() != Authentication.Kind.OAUTH2).orElse(true)) {
            return;
        }
        AccessToken token = context.accessTokens().token(account);
        if (refusedTokens.contains(token)) {
            token = context.accessTokens().refresh(account, token);
            if (refusedTokens.contains(token)) {
                throw new MailException(MailErrorCode.AUTH_FAILED, "the server refused the fresh access token too", "535 5.7.8 Username and"
                        + " Password not accepted", null, List.of(), null);
            }
        }
        tokens.add(token);
    }

    /**
     * A diagnosis whose settings stage passes; when a failure is set for the account (or for all), a second
     * stage fails with it: AUTH for a login failure, TCP for a connection failure, SENDER otherwise. Nothing
     * is connected.
     */
    @Override
    public Diagnosis diagnose(ResolvedAccount account) {
        List<DiagnosisStep> steps = new java.util.ArrayList<>();
        steps.add(new DiagnosisStep(DiagnosisStep.Stage.SETTINGS, DiagnosisStep.Outcome.PASSED, "recorded, nothing connected", null,
                null, null, Duration.ZERO));
        MailException failure = failFor.getOrDefault(account.account().email().address(), failWith);
        if (failure != null) {
            DiagnosisStep.Stage stage = switch (failure.code().category()) {
                case AUTHENTICATION -> DiagnosisStep.Stage.AUTH;
                case CONNECTION -> DiagnosisStep.Stage.TCP;
                default -> DiagnosisStep.Stage.SENDER;
            };
            steps.add(new DiagnosisStep(stage, DiagnosisStep.Outcome.FAILED, failure.getMessage(), failure.serverReply().orElse(null),
                    failure.code(), failure.code().hint(), Duration.ZERO));
        }
        return new Diagnosis(account.account().email(), id, steps, List.of(), List.of());
    }

    @Override
    public void close() {
    }

    private static Session session() {
        Properties p = new Properties();
        p.setProperty("mail.mime.allowutf8", "true");
        return Session.getInstance(p);
    }
}
