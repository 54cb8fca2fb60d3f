package dev.mailroom.graph.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.mailroom.AccountField;
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

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * Sends through Microsoft Graph: {@code POST /v1.0/users/{mailbox}/sendMail} with the rendered MIME message in
 * base64 ({@code text/plain}), so Exchange sends exactly Mailroom's bytes and keeps them in Sent Items. The bearer
 * token comes from the context's {@code AccessTokens}; after a 401 it is refreshed once. The JDK's HTTP client never
 * repeats a POST; a failure after the whole request went out is {@link MailErrorCode#DELIVERY_UNCERTAIN}. At most
 * a few requests per mailbox run at once ({@link MailboxGate}). Thread-safe.
 */
public final class GraphTransport implements Transport {
    /** The largest MIME message sent with one sendMail request: its base64 form (4/3 of it) must stay within Graph's 4 MB request limit. */
    public static final long MAX_MESSAGE_SIZE = 3L << 20;
    /** The largest MIME message sent at all (through a draft and upload sessions): Exchange Online's highest message size limit. */
    public static final long MAX_UPLOAD_SIZE = 150L << 20;

    private final TransportContext context;
    private final String graphUrl;
    private final MailboxGate gate;
    private final Function<ResolvedAccount, List<FieldProblem>> validator;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Map<String, HttpClient> clients = new ConcurrentHashMap<>();

    /**
     * @param context timeouts, TLS, tokens
     * @param graphUrl Graph's root URL, ending in '/'
     * @param gate the per-mailbox concurrency cap
     * @param validator the provider's account check
     */
    public GraphTransport(TransportContext context, String graphUrl, MailboxGate gate, Function<ResolvedAccount, List<FieldProblem>> validator) {
        this.context = Objects.requireNonNull(context, "context");
        this.graphUrl = Objects.requireNonNull(graphUrl, "graphUrl");
        this.gate = Objects.requireNonNull(gate, "gate");
        this.validator = Objects.requireNonNull(validator, "validator");
    }

    @Override
    @SuppressWarnings("try") // the slot is held for the duration of the request
    public SendResult send(ResolvedAccount account, OutgoingMessage message) {
        if (closed.get()) {
            throw new MailException(MailErrorCode.CLOSED, "the Graph transport is closed");
        }
        String mailbox = mailbox(account);
        if (message.sizeExact() && message.size() > MAX_UPLOAD_SIZE) {
            throw tooLarge(message.size());
        }
        byte[] mime = message.sizeExact() && message.size() > MAX_MESSAGE_SIZE ? null : read(message);
        byte[] prefix = mime == null ? null : HeaderRecipients.bccPrefix(mime, message.recipients());
        if (mime == null || prefix.length + mime.length > MAX_MESSAGE_SIZE) {
            // too large for one request: a draft, its attachments through upload sessions, then send
            return new UploadSend(this, context, gate, graphUrl, account, mailbox, message).send();
        }
        byte[] body = base64(prefix, mime);
        URI uri = URI.create(graphUrl + "v1.0/users/" + URLEncoder.encode(mailbox, StandardCharsets.UTF_8) + "/sendMail");
        try (MailboxGate.Slot slot = gate.enter(mailbox)) {
            GraphReply reply = authorized(account, token -> {
                TrackedBody tracked = new TrackedBody(body);
                HttpRequest request = HttpRequest.newBuilder(uri).timeout(context.readTimeout().plus(context.writeTimeout()))
                        .header("Authorization", "Bearer " + token.reveal()).header("Content-Type", "text/plain")
                        .POST(tracked).build();
                GraphReply r = call(account, request, tracked);
                if (r.status() != 202 && r.status() != 200) {
                    throw GraphFailures.refused(r, mailbox, tracked.done(), context.clock().instant());
                }
                return r;
            });
            return SendResult.builder(reply.status() + " Accepted: Graph took the message for " + mailbox + " (sent by Exchange, saved to "
                    + "Sent Items)").accepted(message.recipients()).build();
        }
    }

    /** One request; 401 is thrown as {@link Unauthorized}. {@code tracked}: the body, or {@code null} for a GET. */
    GraphReply call(ResolvedAccount account, HttpRequest request, TrackedBody tracked) {
        GraphReply r;
        try {
            r = GraphReply.of(client(account).send(request, HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            throw GraphFailures.network(e, tracked != null && tracked.started(), tracked != null && tracked.done());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw GraphFailures.network(new java.io.InterruptedIOException("interrupted while waiting for Graph"), tracked != null && tracked.started(),
                    tracked != null && tracked.done());
        }
        if (r.status() == 401) {
            throw new Unauthorized(r);
        }
        return r;
    }

    static MailException tooLarge(long size) {
        return new MailException(MailErrorCode.MESSAGE_TOO_LARGE, "the message has " + size + " bytes, more than " + MAX_UPLOAD_SIZE
                + ", the most Exchange Online sends (150 MB, encoding included); nothing was sent", null,
                "Make the message smaller or send large files as links.", List.of(), null);
    }

    /** The message's bytes when they fit in one request, else {@code null}. */
    private static byte[] read(OutgoingMessage message) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) Math.min(Math.max(message.size(), 1024), MAX_MESSAGE_SIZE));
        try {
            message.writeTo(new FilterOutputStream(bytes) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    if (bytes.size() + (long) len > MAX_MESSAGE_SIZE) {
                        throw new TooLarge();
                    }
                    out.write(b, off, len);
                }

                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }
            });
        } catch (TooLarge e) {
            return null;
        } catch (IOException e) {
            throw new MailException(MailErrorCode.INTERNAL, "the message cannot be read: " + e.getMessage(), null, null, List.of(), e);
        }
        return bytes.toByteArray();
    }

    private static byte[] base64(byte[] prefix, byte[] mime) {
        byte[] all = new byte[prefix.length + mime.length];
        System.arraycopy(prefix, 0, all, 0, prefix.length);
        System.arraycopy(mime, 0, all, prefix.length, mime.length);
        return Base64.getEncoder().encode(all);
    }

    /** Thrown when the message grows past the limit. */
    private static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;
    }

    /** The account's HTTP client, one per trust key so that kept-alive connections are reused. */
    HttpClient client(ResolvedAccount account) {
        AccountTls tls = context.accountTls(account);
        return clients.computeIfAbsent(tls.key(), k -> HttpClient.newBuilder().sslContext(tls.context().orElseGet(context::defaultTls))
                .connectTimeout(context.connectTimeout()).followRedirects(HttpClient.Redirect.NEVER).version(HttpClient.Version.HTTP_1_1)
                .build());
    }

    /** The mailbox requests are made for: the account's address (application credentials) or its OAuth login. */
    static String mailbox(ResolvedAccount account) {
        Authentication auth = account.authentication().orElse(null);
        if (auth == null || (auth.kind() != Authentication.Kind.MICROSOFT_APP && auth.kind() != Authentication.Kind.OAUTH2)) {
            throw new MailException(MailErrorCode.AUTH_METHOD_NOT_SUPPORTED, "Graph needs Microsoft 365 application credentials or an OAuth 2.0 "
                    + "login, account " + account.account().email().address() + " has " + (auth == null ? "none" : auth.kind()));
        }
        return auth.kind() == Authentication.Kind.OAUTH2 ? auth.username().orElseThrow() : account.account().email().address();
    }

    /** A call with the account's token; after a 401 once more with a fresh one; a second 401 is the account's problem. */
    <T> T authorized(ResolvedAccount account, Call<T> call) {
        AccessToken token = context.accessTokens().token(account);
        try {
            return call.run(token);
        } catch (Unauthorized first) {
            AccessToken fresh = context.accessTokens().refresh(account, token);
            try {
                return call.run(fresh);
            } catch (Unauthorized second) {
                throw new MailException(MailErrorCode.AUTH_FAILED, "Graph refused the access token twice, also a freshly issued one; nothing was sent",
                        second.reply.text(), "Check that the app registration is in the account's directory and that its token is for "
                        + "https://graph.microsoft.com (application credentials: scope https://graph.microsoft.com/.default).", List.of(), null);
            }
        }
    }

    @FunctionalInterface
    interface Call<T> {
        T run(AccessToken token);
    }

    /** Graph answered 401: the token was refused before anything was taken. */
    static final class Unauthorized extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient GraphReply reply;

        Unauthorized(GraphReply reply) {
            super("401", null, false, false);
            this.reply = reply;
        }
    }

    /**
     * Stages: SETTINGS, TOKEN, then the sender lookup {@code GET /v1.0/users/{mailbox}} (the reason for the
     * {@code User.Read.All} permission): TCP (Graph answers), AUTH (the token is accepted), SENDER (the directory has the
     * mailbox), then PERMISSION (the token's roles or scopes include {@code Mail.Send}). Nothing is sent.
     */
    @Override
    public Diagnosis diagnose(ResolvedAccount account) {
        List<DiagnosisStep> steps = new ArrayList<>();
        List<String> transcript = new ArrayList<>();
        long t0 = System.nanoTime();
        List<FieldProblem> problems = new ArrayList<>(validator.apply(account));
        String mailbox = null;
        if (problems.isEmpty()) {
            try {
                mailbox = mailbox(account);
            } catch (MailException e) {
                problems.add(new FieldProblem(AccountField.AUTHENTICATION, e.getMessage()));
            }
        }
        if (!problems.isEmpty()) {
            steps.add(failed(Stage.SETTINGS, problems.toString(), null, MailErrorCode.ACCOUNT_INCOMPLETE, null, t0));
            return diagnosis(account, steps, transcript);
        }
        steps.add(passed(Stage.SETTINGS, "sends with Microsoft Graph at " + graphUrl + " as mailbox " + mailbox + " ("
                + account.authentication().orElseThrow().kind() + ")", t0));
        long t1 = System.nanoTime();
        AccessToken token;
        try {
            token = context.accessTokens().token(account);
        } catch (MailException e) {
            steps.add(failed(Stage.TOKEN, e.getMessage(), e.serverReply().orElse(null), e.code(), e.hint(), t1));
            return diagnosis(account, steps, transcript);
        }
        steps.add(passed(Stage.TOKEN, "an access token was obtained" + token.expiresAt().map(at -> ", valid until " + at).orElse(""), t1));
        long t2 = System.nanoTime();
        String path = "v1.0/users/" + URLEncoder.encode(mailbox, StandardCharsets.UTF_8) + "?$select=id,mail,userPrincipalName";
        transcript.add("GET " + graphUrl + path);
        GraphReply lookup;
        try {
            String box = mailbox;
            lookup = authorized(account, t -> {
                HttpRequest request = HttpRequest.newBuilder(URI.create(graphUrl + path.replace("$", "%24")))
                        .timeout(context.readTimeout()).header("Authorization", "Bearer " + t.reveal()).GET().build();
                GraphReply r = call(account, request, null);
                transcript.add(r.text() + (r.status() == 200 ? " " + r.body() : ""));
                if (r.status() != 200 && r.status() != 403) {
                    throw GraphFailures.refused(r, box, false, context.clock().instant());
                }
                return r;
            });
        } catch (MailException e) {
            if (e.code().category() == MailErrorCode.Category.CONNECTION || e.code().category() == MailErrorCode.Category.TEMPORARY) {
                steps.add(failed(Stage.TCP, e.getMessage(), e.serverReply().orElse(null), e.code(), e.hint(), t2));
                return diagnosis(account, steps, transcript);
            }
            steps.add(passed(Stage.TCP, "Graph answered at " + graphUrl, t2));
            if (e.code() == MailErrorCode.AUTH_FAILED) {
                steps.add(failed(Stage.AUTH, e.getMessage(), e.serverReply().orElse(null), e.code(), e.hint(), t2));
                return diagnosis(account, steps, transcript);
            }
            steps.add(passed(Stage.AUTH, "Graph accepted the access token", t2));
            steps.add(failed(Stage.SENDER, e.getMessage(), e.serverReply().orElse(null), e.code(), e.hint(), t2));
            return diagnosis(account, steps, transcript);
        }
        steps.add(passed(Stage.TCP, "Graph answered at " + graphUrl, t2));
        steps.add(passed(Stage.AUTH, "Graph accepted the access token", t2));
        if (lookup.status() == 403) {
            steps.add(failed(Stage.SENDER, "the app may not look up mailbox " + mailbox + " (Graph permission User.Read.All)", lookup.text(),
                    MailErrorCode.API_PERMISSION_MISSING, "Grant the app the Graph application permission User.Read.All and admin consent; "
                    + "Mailroom uses it to check that the sender is a mailbox of the directory.", t2));
            return diagnosis(account, steps, transcript);
        }
        steps.add(passed(Stage.SENDER, "the directory has mailbox " + mailbox + lookupName(lookup), t2));
        long t3 = System.nanoTime();
        Set<String> granted = grantedPermissions(token);
        if (granted == null) {
            steps.add(new DiagnosisStep(Stage.PERMISSION, Outcome.SKIPPED, "the access token does not show its permissions (not a JWT); Mail.Send "
                    + "is checked by the first mail", null, null, null, since(t3)));
        } else if (granted.stream().anyMatch(p -> p.equalsIgnoreCase("Mail.Send"))) {
            steps.add(passed(Stage.PERMISSION, "the token carries Mail.Send (granted: " + String.join(", ", granted) + ")", t3));
        } else {
            steps.add(failed(Stage.PERMISSION, "the token lacks Mail.Send (granted: " + (granted.isEmpty() ? "nothing" : String.join(", ", granted))
                    + ")", null, MailErrorCode.API_PERMISSION_MISSING, "Grant the app the Graph application permission Mail.Send and admin "
                    + "consent in Microsoft Entra ID > App registrations > API permissions.", t3));
        }
        return diagnosis(account, steps, transcript);
    }

    private static String lookupName(GraphReply lookup) {
        try {
            JsonElement e = JsonParser.parseString(lookup.body());
            if (e.isJsonObject()) {
                String upn = GraphReply.text(e.getAsJsonObject(), "userPrincipalName");
                return upn.isEmpty() ? "" : " (" + upn + ")";
            }
        } catch (JsonParseException ignored) {
            // shown without its name
        }
        return "";
    }

    /** The {@code roles} (application) or {@code scp} (delegated) claims of a JWT access token; {@code null} when it is not one. */
    static Set<String> grantedPermissions(AccessToken token) {
        String[] parts = token.reveal().split("\\.");
        if (parts.length != 3) {
            return null;
        }
        try {
            JsonElement claims = JsonParser.parseString(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
            if (!claims.isJsonObject()) {
                return null;
            }
            JsonObject o = claims.getAsJsonObject();
            Set<String> granted = new TreeSet<>();
            if (o.get("roles") != null && o.get("roles").isJsonArray()) {
                o.getAsJsonArray("roles").forEach(r -> granted.add(r.getAsString()));
            }
            String scp = GraphReply.text(o, "scp");
            if (!scp.isBlank()) {
                granted.addAll(List.of(scp.strip().split("\\s+")));
            }
            return granted;
        } catch (IllegalArgumentException | JsonParseException | IllegalStateException | UnsupportedOperationException e) {
            return null;
        }
    }

    private static DiagnosisStep passed(Stage stage, String detail, long t0) {
        return DiagnosisStep.passed(stage, detail, since(t0));
    }

    private static DiagnosisStep failed(Stage stage, String detail, String reply, MailErrorCode code, String hint, long t0) {
        return DiagnosisStep.failed(stage, detail, reply, code, hint, since(t0));
    }

    private static Duration since(long t0) {
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    private static Diagnosis diagnosis(ResolvedAccount account, List<DiagnosisStep> steps, List<String> transcript) {
        return new Diagnosis(account.account().email(), "graph", steps, List.of(), transcript);
    }

    @Override
    public void close() {
        closed.set(true);
    }
}
