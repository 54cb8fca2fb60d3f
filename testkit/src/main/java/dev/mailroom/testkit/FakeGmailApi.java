package dev.mailroom.testkit;

import com.sun.net.httpserver.HttpExchange;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * A fake Gmail API on loopback (port 0) for tests: {@code users.messages.send} with JSON {@code raw} and the upload
 * endpoint ({@code message/rfc822}), gzipped bodies accepted as Google's client sends them. It answers as Gmail does:
 * an id for a message it takes, Google's JSON error body for a scripted refusal (401, 403 with a reason, 429 with
 * {@code Retry-After}, 500) and 400 for a message without content. It records every request and what Gmail would
 * deliver: the recipients of the To, Cc and Bcc headers, and the bytes without the Bcc header.
 *
 * <pre>{@code
 * try (FakeGmailApi gmail = FakeGmailApi.start()) {
 *     GmailTransportProvider provider = GmailTransportProvider.builder().rootUrl(gmail.rootUrl()).build();
 *     gmail.failNext(FakeGmailApi.Failure.status(429, "rateLimitExceeded", "Too many requests").retryAfter("7"));
 *     ... send ...
 *     assertEquals(1, gmail.requests().size());
 *     assertEquals(List.of("max@example.test"), gmail.delivered().get(0).recipients());
 * }
 * }</pre>
 *
 * <p>Thread-safe; scripted failures apply to the next requests in order, one each.
 */
public final class FakeGmailApi implements AutoCloseable {
    private static final Pattern SEND = Pattern.compile("/(upload/)?gmail/v1/users/([^/]+)/messages/send");

    private final FakeHttp http;
    private final Queue failures = new Queue();
    private final Set<String> acceptedTokens = ConcurrentHashMap.newKeySet();
    private final Set<String> refusedRecipients = ConcurrentHashMap.newKeySet();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<Delivered> delivered = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();
    private volatile Failure always;

    private FakeGmailApi(SSLContext tls) {
        this.http = new FakeHttp(this::handle, tls);
    }

    /** @return a started fake speaking plain HTTP; close it after the test */
    public static FakeGmailApi start() {
        return new FakeGmailApi(null);
    }

    /**
     * A fake speaking HTTPS with the testkit's {@code localhost}/{@code 127.0.0.1} certificate; clients trust it
     * with {@link TestCertificates#clientContext()}.
     *
     * @return a started fake; close it after the test
     */
    public static FakeGmailApi startHttps() {
        return new FakeGmailApi(TestCertificates.localhostServerContext());
    }

    /** @return the root URL to give the transport, {@code http://127.0.0.1:port/} (or https) */
    public URI rootUrl() {
        return http.root();
    }

    /**
     * Accepts only these bearer tokens (401 for any other); by default every token is accepted.
     *
     * @param tokens the tokens
     * @return this fake
     */
    public FakeGmailApi acceptOnly(String... tokens) {
        acceptedTokens.clear();
        acceptedTokens.addAll(List.of(tokens));
        return this;
    }

    /**
     * Answers the next request with a failure (then the one after with the next failure scripted, and so on).
     *
     * @param failure what to answer
     * @return this fake
     */
    public FakeGmailApi failNext(Failure failure) {
        failures.add(Objects.requireNonNull(failure, "failure"));
        return this;
    }

    /**
     * Answers every request with a failure until {@link #reset()}.
     *
     * @param failure what to answer, or {@code null} to stop
     * @return this fake
     */
    public FakeGmailApi failAlways(Failure failure) {
        this.always = failure;
        return this;
    }

    /**
     * Refuses a message whose headers name this recipient with 400 "Invalid To header" (as Gmail does for an
     * address it cannot parse): the whole message is refused, nobody gets it.
     *
     * @param address the recipient
     * @return this fake
     */
    public FakeGmailApi refuseRecipient(String address) {
        refusedRecipients.add(address.toLowerCase(Locale.ROOT));
        return this;
    }

    /** Forgets every request, delivery and script. */
    public void reset() {
        failures.clear();
        acceptedTokens.clear();
        refusedRecipients.clear();
        requests.clear();
        delivered.clear();
        always = null;
    }

    /** @return every send request received, failed ones included, in order (a live, read-only view) */
    public List<Request> requests() {
        return Collections.unmodifiableList(requests);
    }

    /** @return the messages Gmail would have sent, in order (a live, read-only view) */
    public List<Delivered> delivered() {
        return Collections.unmodifiableList(delivered);
    }

    @Override
    public void close() {
        http.close();
    }

    private void handle(HttpExchange exchange) throws IOException {
        Matcher m = SEND.matcher(exchange.getRequestURI().getPath());
        if (!"POST".equals(exchange.getRequestMethod()) || !m.matches()) {
            error(exchange, 404, "notFound", "Not Found", null);
            return;
        }
        boolean upload = m.group(1) != null;
        Map<String, String> query = FakeHttp.params(exchange.getRequestURI().getRawQuery());
        String auth = Optional.ofNullable(exchange.getRequestHeaders().getFirst("Authorization")).orElse("");
        String token = auth.startsWith("Bearer ") ? auth.substring(7) : "";
        Failure f = failures.poll();
        if (f == null) {
            f = always;
        }
        if (f != null && f.beforeBody) {
            requests.add(new Request(m.group(2), upload, token, null, exchange.getRequestHeaders().getFirst("Content-Encoding")));
            f.answer(exchange);
            return;
        }
        byte[] body = FakeHttp.body(exchange);
        byte[] raw;
        if (upload) {
            raw = "media".equals(query.get("uploadType")) ? body : null;
        } else {
            Object r = body.length == 0 ? null : Json.object(new String(body, StandardCharsets.UTF_8)).get("raw");
            raw = r instanceof String s ? Base64.getUrlDecoder().decode(s) : null;
        }
        Request request = new Request(m.group(2), upload, token, raw, exchange.getRequestHeaders().getFirst("Content-Encoding"));
        requests.add(request);
        if (f != null) {
            f.answer(exchange);
            return;
        }
        if (token.isEmpty() || (!acceptedTokens.isEmpty() && !acceptedTokens.contains(token))) {
            Failure.unauthorized().answer(exchange);
            return;
        }
        if (raw == null) {
            error(exchange, 400, "invalidArgument", "'raw' RFC822 payload message string or uploading message via /upload/* URL required", null);
            return;
        }
        Delivered d = Delivered.of(raw);
        for (String r : d.recipients()) {
            if (refusedRecipients.contains(r.toLowerCase(Locale.ROOT))) {
                error(exchange, 400, "invalidArgument", "Invalid To header", null);
                return;
            }
        }
        if (d.recipients().isEmpty()) {
            error(exchange, 400, "invalidArgument", "Recipient address required", null);
            return;
        }
        delivered.add(d);
        String id = Long.toHexString(0x18c0000000000000L + ids.incrementAndGet());
        FakeHttp.json(exchange, 200, Map.of("id", id, "threadId", id, "labelIds", List.of("SENT")));
    }

    static void error(HttpExchange exchange, int status, String reason, String message, String retryAfter) throws IOException {
        if (retryAfter != null) {
            exchange.getResponseHeaders().set("Retry-After", retryAfter);
        }
        FakeHttp.json(exchange, status, Map.of("error", Map.of("code", status, "message", message,
                "errors", List.of(Map.of("message", message, "domain", "global", "reason", reason)))));
    }

    /**
     * One request as the fake received it.
     *
     * @param userId the user id in the path ({@code me})
     * @param upload whether it came to the upload endpoint
     * @param token the bearer token (tests compare it; never log it outside tests)
     * @param raw the message bytes as sent, Bcc header included, or {@code null} when the request had none
     * @param contentEncoding the request's Content-Encoding, or {@code null}
     */
    public record Request(String userId, boolean upload, String token, byte[] raw, String contentEncoding) {
        /** @return the message as text (UTF-8), or {@code null} */
        public String text() {
            return raw == null ? null : new String(raw, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "Request[" + userId + (upload ? ", upload" : ", raw") + ", " + (raw == null ? "no message" : raw.length + " bytes") + "]";
        }
    }

    /**
     * A message as Gmail would send it.
     *
     * @param recipients the addresses of its To, Cc and Bcc headers, in that order
     * @param bytes the message without its Bcc header
     */
    public record Delivered(List<String> recipients, byte[] bytes) {
        /**
         * Copies.
         *
         * @param recipients see the record description
         * @param bytes see the record description
         */
        public Delivered {
            recipients = List.copyOf(recipients);
            bytes = bytes.clone();
        }

        /** @return the bytes as text (UTF-8) */
        public String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        static Delivered of(byte[] raw) {
            String all = new String(raw, StandardCharsets.ISO_8859_1); // byte for byte
            int end = all.indexOf("\r\n\r\n");
            String headers = end < 0 ? all : all.substring(0, end + 2);
            List<String> to = new ArrayList<>();
            List<String> cc = new ArrayList<>();
            List<String> bcc = new ArrayList<>();
            StringBuilder kept = new StringBuilder();
            String name = null;
            StringBuilder value = new StringBuilder();
            for (String line : headers.split("(?<=\r\n)")) {
                boolean continuation = line.startsWith(" ") || line.startsWith("\t");
                if (!continuation) {
                    collect(name, value.toString(), to, cc, bcc);
                    int colon = line.indexOf(':');
                    name = colon > 0 ? line.substring(0, colon).strip().toLowerCase(Locale.ROOT) : null;
                    value.setLength(0);
                    value.append(colon > 0 ? line.substring(colon + 1) : "");
                } else {
                    value.append(line);
                }
                if (!"bcc".equals(name)) {
                    kept.append(line);
                }
            }
            collect(name, value.toString(), to, cc, bcc);
            String rest = end < 0 ? "" : all.substring(end + 2);
            List<String> recipients = new ArrayList<>(to);
            recipients.addAll(cc);
            recipients.addAll(bcc);
            return new Delivered(recipients, (kept + rest).getBytes(StandardCharsets.ISO_8859_1));
        }

        private static void collect(String name, String latin1Value, List<String> to, List<String> cc, List<String> bcc) {
            List<String> target = "to".equals(name) ? to : "cc".equals(name) ? cc : "bcc".equals(name) ? bcc : null;
            if (target == null) {
                return;
            }
            String value = new String(latin1Value.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8).replaceAll("\r\n", "");
            try {
                for (InternetAddress a : InternetAddress.parseHeader(value, false)) {
                    if (a.isGroup()) {
                        for (InternetAddress member : a.getGroup(false)) {
                            target.add(member.getAddress());
                        }
                    } else {
                        target.add(a.getAddress());
                    }
                }
            } catch (AddressException e) {
                target.add(value.strip());
            }
        }
    }

    /** A scripted answer to one request. */
    public static final class Failure {
        private final int status;
        private final String reason;
        private final String message;
        private final String retryAfter;
        private final boolean drop;
        private final boolean scopeInsufficient;
        private final boolean beforeBody;

        private Failure(int status, String reason, String message, String retryAfter, boolean drop, boolean scopeInsufficient,
                        boolean beforeBody) {
            this.status = status;
            this.reason = reason;
            this.message = message;
            this.retryAfter = retryAfter;
            this.drop = drop;
            this.scopeInsufficient = scopeInsufficient;
            this.beforeBody = beforeBody;
        }

        /**
         * An HTTP error with Google's JSON error body.
         *
         * @param status the status, e.g. 403
         * @param reason the reason in {@code errors[0].reason}, e.g. {@code userRateLimitExceeded}
         * @param message the message
         * @return the failure
         */
        public static Failure status(int status, String reason, String message) {
            return new Failure(status, Objects.requireNonNull(reason, "reason"), Objects.requireNonNull(message, "message"), null, false, false,
                    false);
        }

        /** @return 401 as Google answers a token it does not take */
        public static Failure unauthorized() {
            return status(401, "authError", "Request had invalid authentication credentials. Expected OAuth 2 access token.");
        }

        /** @return 403 as Google answers a token without the gmail.send scope */
        public static Failure scopeInsufficient() {
            return new Failure(403, "insufficientPermissions", "Request had insufficient authentication scopes.", null, false, true, false);
        }

        /** @return the connection is closed after the whole request was read, without an answer */
        public static Failure dropAfterBody() {
            return new Failure(0, null, null, null, true, false, false);
        }

        /**
         * @param value the Retry-After header to send (seconds or an HTTP date)
         * @return a copy with the header
         */
        public Failure retryAfter(String value) {
            return new Failure(status, reason, message, Objects.requireNonNull(value, "value"), drop, scopeInsufficient, beforeBody);
        }

        /**
         * Answers as soon as the request line and headers arrived, without reading the body (a front end that refuses
         * before it takes the message); the request is recorded without a message.
         *
         * @return a copy that answers early
         */
        public Failure beforeBody() {
            return new Failure(status, reason, message, retryAfter, drop, scopeInsufficient, true);
        }

        void answer(HttpExchange exchange) throws IOException {
            if (drop) {
                return; // the exchange is closed without response headers: the connection is closed
            }
            if (status == 401) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"");
            }
            if (scopeInsufficient) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"https://accounts.google.com/\", error=\"insufficient_scope\"");
                FakeHttp.json(exchange, 403, Map.of("error", Map.of("code", 403, "message", message, "status", "PERMISSION_DENIED",
                        "errors", List.of(Map.of("message", "Insufficient Permission", "domain", "global", "reason", reason)),
                        "details", List.of(Map.of("@type", "type.googleapis.com/google.rpc.ErrorInfo", "reason", "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
                                "domain", "googleapis.com")))));
                return;
            }
            error(exchange, status, reason, message, retryAfter);
        }

        @Override
        public String toString() {
            return drop ? "Failure[drop after body]" : "Failure[" + status + " " + reason + "]";
        }
    }

    /** The scripted failures, in order. */
    private static final class Queue extends ConcurrentLinkedQueue<Failure> {
        private static final long serialVersionUID = 1L;
    }
}
