package dev.mailroom.gmail.internal;

import com.google.api.client.http.HttpResponseException;
import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.api.client.json.gson.GsonFactory;
import com.google.api.services.gmail.Gmail;
import com.google.api.services.gmail.model.Message;
import dev.mailroom.AccountId;
import dev.mailroom.Authentication;
import dev.mailroom.Diagnosis;
import dev.mailroom.DiagnosisStep;
import dev.mailroom.DiagnosisStep.Outcome;
import dev.mailroom.DiagnosisStep.Stage;
import dev.mailroom.FieldProblem;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.spi.AccessToken;
import dev.mailroom.spi.AccountTls;
import dev.mailroom.spi.OutgoingMessage;
import dev.mailroom.spi.SendResult;
import dev.mailroom.spi.Transport;
import dev.mailroom.spi.TransportContext;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import javax.net.ssl.SSLSocketFactory;

/**
 * Sends through the Gmail API ({@code users.messages.send} for user "me"): JSON {@code raw} for small messages,
 * the upload endpoint for large ones, with the account's bearer token, paced per mailbox, never retried by the
 * HTTP client. Thread-safe; holds no connections of its own (the JDK's HTTP keep-alive cache reuses them).
 */
public final class GmailTransport implements Transport {
    /** The largest message Gmail takes: 35 MiB. */
    public static final long MAX_MESSAGE_SIZE = 36_700_160L;

    private final TransportContext context;
    private final String rootUrl;
    private final long rawLimit;
    private final Pacer pacer;
    private final Function<ResolvedAccount, List<FieldProblem>> validator;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Map<String, SSLSocketFactory> socketFactories = new ConcurrentHashMap<>();

    /**
     * @param context timeouts, TLS, scheduler, tokens
     * @param rootUrl the API's root URL, ending in '/'
     * @param rawLimit the largest message sent as JSON {@code raw}; larger ones use the upload endpoint
     * @param pacer the per-mailbox pacer
     * @param validator the provider's account check
     */
    public GmailTransport(TransportContext context, String rootUrl, long rawLimit, Pacer pacer,
                          Function<ResolvedAccount, List<FieldProblem>> validator) {
        this.context = Objects.requireNonNull(context, "context");
        this.rootUrl = Objects.requireNonNull(rootUrl, "rootUrl");
        this.rawLimit = rawLimit;
        this.pacer = Objects.requireNonNull(pacer, "pacer");
        this.validator = Objects.requireNonNull(validator, "validator");
    }

    @Override
    public SendResult send(ResolvedAccount account, OutgoingMessage message) {
        if (closed.get()) {
            throw new MailException(MailErrorCode.CLOSED, "the Gmail transport is closed");
        }
        requireOAuth(account);
        if (message.sizeExact() && message.size() > MAX_MESSAGE_SIZE) {
            throw MessageBody.tooLarge(message.size(), MAX_MESSAGE_SIZE);
        }
        byte[] prefix = Recipients.bccPrefix(message);
        MessageBody body = MessageBody.of(message, prefix, rawLimit, MAX_MESSAGE_SIZE);
        pacer.acquire(account.id());
        Message sent;
        try {
            sent = authorized(account, token -> send(account, token, body));
        } catch (MailException e) {
            if (e.code() == MailErrorCode.RATE_LIMITED || e.code() == MailErrorCode.DAILY_LIMIT_REACHED) {
                e.retryAfter().ifPresent(wait -> pacer.pause(account.id(), wait, e.code()));
            }
            throw e;
        }
        String reply = "200 OK: Gmail message id " + sent.getId() + (sent.getThreadId() != null ? ", thread " + sent.getThreadId() : "");
        return SendResult.builder(reply).accepted(message.recipients()).build();
    }

    private Message send(ResolvedAccount account, AccessToken token, MessageBody body) throws IOException {
        Exchange x = exchange(token);
        Gmail gmail = client(account, x);
        Gmail.Users.Messages.Send request;
        if (body.raw() != null) {
            request = gmail.users().messages().send("me", new Message().encodeRaw(body.raw()));
        } else {
            request = gmail.users().messages().send("me", null, body.upload());
            request.getMediaHttpUploader().setDirectUploadEnabled(true);
        }
        return execute(request, x);
    }

    private <T> T execute(com.google.api.client.googleapis.services.AbstractGoogleClientRequest<T> request, Exchange x) throws IOException {
        ScheduledFuture<?> guard = x.guardWrites(context.scheduler());
        try {
            return request.execute();
        } catch (HttpResponseException e) {
            if (x.writeFailed()) {
                // The client still closes the body, so Google got a request whose gzip stream ends early and refused it;
                // what it said is about the broken request, not the message.
                throw sourceFailed(x, e);
            }
            Failures.Reply reply = Failures.Reply.of(e);
            if (reply.status() == 401) {
                throw new Unauthorized(reply);
            }
            throw Failures.refused(reply, x.bodyDone(), context.clock().instant());
        } catch (MessageBody.TooLarge e) {
            throw MessageBody.tooLarge(-1, MAX_MESSAGE_SIZE);
        } catch (IOException e) {
            if (e.getCause() instanceof MessageBody.TooLarge) {
                throw MessageBody.tooLarge(-1, MAX_MESSAGE_SIZE);
            }
            if (x.writeFailed()) {
                throw sourceFailed(x, e);
            }
            throw Failures.network(e, x);
        } catch (MailException e) {
            throw e;
        } catch (RuntimeException e) {
            // HttpURLConnection can fail with an unchecked exception after an aborted (stalled) write
            throw Failures.network(new IOException(e.toString(), e), x);
        } finally {
            guard.cancel(false);
        }
    }

    /**
     * The message could not be read while it was written (a spool file or a database stream failed): the request was
     * incomplete (its gzip stream ends early) and nothing was sent. Temporary: the next attempt reads it again.
     */
    private static MailException sourceFailed(Exchange x, Exception e) {
        return new MailException(MailErrorCode.TEMPORARY_FAILURE, "the message could not be read while it was sent to Gmail ("
                + x.writeFailure() + "); the request was incomplete, nothing was sent", null, null, List.of(), e);
    }

    private Exchange exchange(AccessToken token) {
        return new Exchange(context.connectTimeout(), context.readTimeout(), context.writeTimeout(), token.reveal());
    }

    private Gmail client(ResolvedAccount account, Exchange x) {
        return client(account, x, false);
    }

    /** A client for one request; {@code probe}: without the client-side check that a message has content. */
    private Gmail client(ResolvedAccount account, Exchange x, boolean probe) {
        NetHttpTransport http = new NetHttpTransport.Builder().setConnectionFactory(x)
                .setSslSocketFactory(socketFactory(account)).build();
        return new Gmail.Builder(http, GsonFactory.getDefaultInstance(), x).setRootUrl(rootUrl).setApplicationName("Mailroom")
                .setSuppressRequiredParameterChecks(probe).build();
    }

    /**
     * The account's TLS socket factory, one per trust key: the JDK reuses a kept-alive HTTPS connection only for the
     * same factory, so a new one per request would mean a TLS handshake per message.
     */
    private SSLSocketFactory socketFactory(ResolvedAccount account) {
        AccountTls tls = context.accountTls(account);
        return socketFactories.computeIfAbsent(tls.key(),
                k -> new NoDelaySslSocketFactory(tls.context().orElseGet(context::defaultTls).getSocketFactory()));
    }

    /** A call with the account's token; after a 401 once more with a fresh one; a second 401 is the account's problem. */
    private <T> T authorized(ResolvedAccount account, Call<T> call) {
        AccessToken token = context.accessTokens().token(account);
        try {
            return call.run(token);
        } catch (Unauthorized first) {
            AccessToken fresh = context.accessTokens().refresh(account, token);
            try {
                return call.run(fresh);
            } catch (Unauthorized second) {
                throw new MailException(MailErrorCode.AUTH_FAILED, "Google refused the account's access token twice, also a freshly issued one; "
                        + "nothing was sent", second.reply.text(), "Connect the account again (consent with its mailbox); if that does not help, "
                        + "check that the OAuth client's project may use the Gmail API.", List.of(), null);
            } catch (IOException e) {
                throw new MailException(MailErrorCode.INTERNAL, "unexpected: " + e, null, null, List.of(), e);
            }
        } catch (IOException e) {
            throw new MailException(MailErrorCode.INTERNAL, "unexpected: " + e, null, null, List.of(), e);
        }
    }

    @FunctionalInterface
    private interface Call<T> {
        T run(AccessToken token) throws IOException;
    }

    /** Google answered 401: the token was refused before anything was taken. */
    private static final class Unauthorized extends IOException {
        private static final long serialVersionUID = 1L;
        private final transient Failures.Reply reply;

        Unauthorized(Failures.Reply reply) {
            super("401");
            this.reply = reply;
        }
    }

    private static void requireOAuth(ResolvedAccount account) {
        Authentication auth = account.authentication().orElse(null);
        if (auth == null || auth.kind() != Authentication.Kind.OAUTH2) {
            throw new MailException(MailErrorCode.AUTH_METHOD_NOT_SUPPORTED, "the Gmail API needs an OAuth 2.0 login, account "
                    + account.account().email().address() + " has " + (auth == null ? "none" : auth.kind()));
        }
    }

    /**
     * Stages: SETTINGS, TOKEN, then one request that can send nothing (a message without content, which Gmail
     * refuses with 400 after it checked the token and the send permission): TCP (Gmail answers), AUTH (the token
     * is accepted), PERMISSION (the grant may send).
     */
    @Override
    public Diagnosis diagnose(ResolvedAccount account) {
        List<DiagnosisStep> steps = new ArrayList<>();
        List<String> transcript = new ArrayList<>();
        long t0 = System.nanoTime();
        List<FieldProblem> problems = new ArrayList<>(validator.apply(account));
        if (problems.isEmpty()) {
            try {
                requireOAuth(account);
            } catch (MailException e) {
                problems.add(new FieldProblem(dev.mailroom.AccountField.AUTHENTICATION, e.getMessage()));
            }
        }
        if (!problems.isEmpty()) {
            steps.add(failed(Stage.SETTINGS, problems.toString(), null, MailErrorCode.ACCOUNT_INCOMPLETE, null, t0));
            return diagnosis(account, steps, transcript);
        }
        steps.add(new DiagnosisStep(Stage.SETTINGS, Outcome.PASSED, "sends with the Gmail API at " + rootUrl + " with OAuth 2.0", null, null,
                null, since(t0)));
        long t1 = System.nanoTime();
        AccessToken token;
        try {
            token = context.accessTokens().token(account);
        } catch (MailException e) {
            steps.add(failed(Stage.TOKEN, e.getMessage(), e.serverReply().orElse(null), e.code(), e.hint(), t1));
            return diagnosis(account, steps, transcript);
        }
        steps.add(new DiagnosisStep(Stage.TOKEN, Outcome.PASSED, "an access token was obtained" + token.expiresAt().map(at -> ", valid until " + at)
                .orElse(""), null, null, null, since(t1)));
        long t2 = System.nanoTime();
        transcript.add("POST " + rootUrl + "gmail/v1/users/me/messages/send {} (a message without content: Gmail refuses it, nothing is sent)");
        try {
            authorized(account, t -> {
                Exchange x = exchange(t);
                return execute(client(account, x, true).users().messages().send("me", new Message()), x);
            });
            transcript.add("200 (unexpected, but the API took the token and the permission)");
        } catch (RuntimeException unexpected) {
            MailException e = unexpected instanceof MailException m ? m
                    : new MailException(MailErrorCode.INTERNAL, "the probe failed: " + unexpected, null, null, List.of(), unexpected);
            String reply = e.serverReply().orElse(null);
            transcript.add(reply != null ? reply : e.code() + ": " + e.getMessage());
            boolean refusedEmpty = e.code() == MailErrorCode.INVALID_EMAIL || e.code() == MailErrorCode.RECIPIENT_REJECTED;
            if (!refusedEmpty) {
                Stage stage = switch (e.code().category()) {
                    case CONNECTION -> e.code() == MailErrorCode.RATE_LIMITED || e.code() == MailErrorCode.DAILY_LIMIT_REACHED ? Stage.PERMISSION : Stage.TCP;
                    case AUTHENTICATION -> e.code() == MailErrorCode.API_PERMISSION_MISSING ? Stage.PERMISSION : Stage.AUTH;
                    default -> Stage.PERMISSION;
                };
                if (!stage.equals(Stage.TCP)) {
                    steps.add(new DiagnosisStep(Stage.TCP, Outcome.PASSED, "Gmail answered", null, null, null, Duration.ZERO));
                }
                if (stage.equals(Stage.PERMISSION)) {
                    steps.add(new DiagnosisStep(Stage.AUTH, Outcome.PASSED, "Gmail accepted the access token", null, null, null, Duration.ZERO));
                }
                steps.add(failed(stage, e.getMessage(), reply, e.code(), e.hint(), t2));
                return diagnosis(account, steps, transcript);
            }
        }
        steps.add(new DiagnosisStep(Stage.TCP, Outcome.PASSED, "Gmail answered at " + rootUrl, null, null, null, since(t2)));
        steps.add(new DiagnosisStep(Stage.AUTH, Outcome.PASSED, "Gmail accepted the access token", null, null, null, Duration.ZERO));
        steps.add(new DiagnosisStep(Stage.PERMISSION, Outcome.PASSED, "the grant may send (gmail.send): Gmail refused only the empty probe message, "
                + "nothing was sent", null, null, null, Duration.ZERO));
        return diagnosis(account, steps, transcript);
    }

    private static DiagnosisStep failed(Stage stage, String detail, String reply, MailErrorCode code, String hint, long t0) {
        return DiagnosisStep.failed(stage, detail, reply, code, hint, since(t0));
    }

    private static Duration since(long t0) {
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    private static Diagnosis diagnosis(ResolvedAccount account, List<DiagnosisStep> steps, List<String> transcript) {
        return new Diagnosis(account.account().email(), "gmail", steps, List.of(), transcript);
    }

    @Override
    public void evict(AccountId account) {
        pacer.forget(account);
    }

    @Override
    public void close() {
        closed.set(true);
    }
}
