package dev.mailroom.testkit;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fake Microsoft Graph on loopback (port 0) for tests: {@code POST /v1.0/users/{id}/sendMail} with a base64 MIME
 * body ({@code text/plain}) answered 202, and the user lookup {@code GET /v1.0/users/{id}}. It answers as Graph does:
 * 413 for a request over 4 MB, OData error bodies ({@code {"error":{"code":…,"message":…}}}) for scripted refusals
 * (401, 403 {@code ErrorAccessDenied}, {@code ErrorSendAsDenied}, 404 {@code ErrorInvalidUser}, 429 with
 * {@code Retry-After}, 5xx), 404 for a mailbox it does not know (when mailboxes were named), and it records every
 * request and what Exchange would deliver: the recipients of the To, Cc and Bcc headers and the bytes without the
 * Bcc header.
 *
 * <pre>{@code
 * try (FakeGraphApi graph = FakeGraphApi.start().mailbox("app@contoso.test")) {
 *     GraphTransportProvider provider = GraphTransportProvider.builder().graphUrl(graph.rootUrl()).build();
 *     graph.failNext(FakeGraphApi.Failure.status(429, "TooManyRequests", "Application is over its MailboxConcurrency limit.").retryAfter("7"));
 *     ... send ...
 *     assertEquals(List.of("max@example.test"), graph.delivered().get(0).recipients());
 * }
 * }</pre>
 *
 * <p>Thread-safe; scripted failures apply to the next requests in order, one each.
 */
public final class FakeGraphApi implements AutoCloseable {
    private static final Pattern SEND = Pattern.compile("/v1\\.0/users/([^/]+)/sendMail");
    private static final Pattern USER = Pattern.compile("/v1\\.0/users/([^/]+)");
    /** Graph's limit on a request body. */
    public static final int MAX_REQUEST = 4 * 1024 * 1024;

    private final FakeHttp http;
    private final ConcurrentLinkedQueue<Failure> failures = new ConcurrentLinkedQueue<>();
    private final Set<String> mailboxes = ConcurrentHashMap.newKeySet();
    private final Set<String> acceptedTokens = ConcurrentHashMap.newKeySet();
    private final Set<String> refusedRecipients = ConcurrentHashMap.newKeySet();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<Delivered> delivered = new CopyOnWriteArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private volatile Failure always;
    private volatile CountDownLatch hold;

    private FakeGraphApi() {
        this.http = new FakeHttp(this::handle, null);
    }

    /** @return a started fake speaking plain HTTP; close it after the test */
    public static FakeGraphApi start() {
        return new FakeGraphApi();
    }

    /** @return the root URL to give the transport, {@code http://127.0.0.1:port/} */
    public URI rootUrl() {
        return http.root();
    }

    /**
     * Knows this mailbox; once any is named, requests for others are answered 404 {@code ErrorInvalidUser} (sendMail)
     * or {@code Request_ResourceNotFound} (lookup). By default every mailbox exists.
     *
     * @param address the mailbox's address (user principal name)
     * @return this fake
     */
    public FakeGraphApi mailbox(String address) {
        mailboxes.add(address.toLowerCase(Locale.ROOT));
        return this;
    }

    /**
     * Accepts only these bearer tokens (401 for any other); by default every token is accepted.
     *
     * @param tokens the tokens
     * @return this fake
     */
    public FakeGraphApi acceptOnly(String... tokens) {
        acceptedTokens.clear();
        acceptedTokens.addAll(List.of(tokens));
        return this;
    }

    /**
     * Refuses a message whose headers name this recipient with 400 {@code ErrorInvalidRecipients}: nobody gets it.
     *
     * @param address the recipient
     * @return this fake
     */
    public FakeGraphApi refuseRecipient(String address) {
        refusedRecipients.add(address.toLowerCase(Locale.ROOT));
        return this;
    }

    /**
     * Answers the next request with a failure.
     *
     * @param failure what to answer
     * @return this fake
     */
    public FakeGraphApi failNext(Failure failure) {
        failures.add(Objects.requireNonNull(failure, "failure"));
        return this;
    }

    /**
     * Answers every request with a failure.
     *
     * @param failure what to answer, or {@code null} to stop
     * @return this fake
     */
    public FakeGraphApi failAlways(Failure failure) {
        this.always = failure;
        return this;
    }

    /**
     * Holds every sendMail after its body was read until {@link #release()}; {@link #maxInFlight()} then tells how
     * many were under way at once.
     *
     * @return this fake
     */
    public FakeGraphApi holdSends() {
        this.hold = new CountDownLatch(1);
        return this;
    }

    /** Lets held and later sendMail requests answer. */
    public void release() {
        CountDownLatch h = hold;
        hold = null;
        if (h != null) {
            h.countDown();
        }
    }

    /** @return sendMail requests under way now (read, not yet answered) */
    public int inFlight() {
        return inFlight.get();
    }

    /** @return the most sendMail requests that were under way at once */
    public int maxInFlight() {
        return maxInFlight.get();
    }

    /** @return every request received, in order */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** @return the messages Graph took, in order */
    public List<Delivered> delivered() {
        return List.copyOf(delivered);
    }

    @Override
    public void close() {
        release();
        http.close();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        String token = auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : "";
        Matcher send = SEND.matcher(path);
        Matcher user = USER.matcher(path);
        boolean isSend = "POST".equals(exchange.getRequestMethod()) && send.matches();
        boolean isLookup = "GET".equals(exchange.getRequestMethod()) && user.matches();
        if (!isSend && !isLookup) {
            odata(exchange, 400, "BadRequest", "Resource not found for the segment '" + path + "'.", null);
            return;
        }
        String id = URLDecoder.decode(isSend ? send.group(1) : user.group(1), StandardCharsets.UTF_8);
        byte[] body = isSend ? FakeHttp.body(exchange) : new byte[0];
        byte[] mime = null;
        if (isSend && body.length <= MAX_REQUEST) {
            try {
                mime = Base64.getMimeDecoder().decode(body);
            } catch (IllegalArgumentException e) {
                mime = null;
            }
        }
        requests.add(new Request(exchange.getRequestMethod(), id, token, exchange.getRequestHeaders().getFirst("Content-Type"), mime));
        Failure f = failures.poll();
        if (f == null) {
            f = always;
        }
        if (f != null) {
            f.answer(exchange);
            return;
        }
        if (token.isEmpty() || (!acceptedTokens.isEmpty() && !acceptedTokens.contains(token))) {
            Failure.unauthorized().answer(exchange);
            return;
        }
        if (!mailboxes.isEmpty() && !mailboxes.contains(id.toLowerCase(Locale.ROOT))) {
            if (isSend) {
                odata(exchange, 404, "ErrorInvalidUser", "The requested user '" + id + "' is invalid.", null);
            } else {
                odata(exchange, 404, "Request_ResourceNotFound", "Resource '" + id + "' does not exist or one of its queried reference-property "
                        + "objects are not present.", null);
            }
            return;
        }
        if (isLookup) {
            Map<String, Object> u = new LinkedHashMap<>();
            u.put("id", "00000000-0000-0000-0000-" + String.format("%012x", Math.abs((long) id.hashCode())));
            u.put("mail", id);
            u.put("userPrincipalName", id);
            FakeHttp.json(exchange, 200, u);
            return;
        }
        if (body.length > MAX_REQUEST) {
            odata(exchange, 413, "RequestBodyTooLarge", "The maximum request length supported is 4MB.", null);
            return;
        }
        if (mime == null || mime.length == 0 || !"text/plain".equals(exchange.getRequestHeaders().getFirst("Content-Type"))) {
            odata(exchange, 400, "ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME content.", null);
            return;
        }
        FakeGmailApi.Delivered d = FakeGmailApi.Delivered.of(mime); // Exchange, like Gmail, sends to the headers and drops Bcc
        for (String r : d.recipients()) {
            if (refusedRecipients.contains(r.toLowerCase(Locale.ROOT))) {
                odata(exchange, 400, "ErrorInvalidRecipients", "At least one recipient isn't valid., Recipient '" + r + "' isn't resolved.", null);
                return;
            }
        }
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        boolean released;
        try {
            CountDownLatch h = hold;
            released = h == null || h.await(30, TimeUnit.SECONDS);
            if (released) {
                delivered.add(new Delivered(id, d.recipients(), d.bytes()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } finally {
            inFlight.decrementAndGet(); // before the answer: a client may send its next request as soon as it has it
        }
        if (released) {
            exchange.sendResponseHeaders(202, -1);
        } else {
            odata(exchange, 504, "GatewayTimeout", "held too long by the test", null);
        }
    }

    static void odata(HttpExchange exchange, int status, String code, String message, String retryAfter) throws IOException {
        if (retryAfter != null) {
            exchange.getResponseHeaders().set("Retry-After", retryAfter);
        }
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("date", "2026-11-29T12:00:00");
        inner.put("request-id", "00000000-0000-0000-0000-000000000000");
        FakeHttp.json(exchange, status, Map.of("error", Map.of("code", code, "message", message, "innerError", inner)));
    }

    /**
     * One request as the fake received it.
     *
     * @param method GET or POST
     * @param user the user id in the path
     * @param token the bearer token (tests compare it)
     * @param contentType the Content-Type, or {@code null}
     * @param mime the decoded MIME message of a sendMail, Bcc header included, or {@code null}
     */
    public record Request(String method, String user, String token, String contentType, byte[] mime) {
        /** @return the message as text (UTF-8), or {@code null} */
        public String text() {
            return mime == null ? null : new String(mime, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "Request[" + method + " " + user + ", " + (mime == null ? "no message" : mime.length + " bytes") + "]";
        }
    }

    /**
     * A message as Exchange would send it.
     *
     * @param mailbox the mailbox it was sent from (the user in the path)
     * @param recipients the addresses of its To, Cc and Bcc headers, in that order
     * @param bytes the message without its Bcc header
     */
    public record Delivered(String mailbox, List<String> recipients, byte[] bytes) {
        /**
         * Copies.
         *
         * @param mailbox see the record description
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
    }

    /** A scripted answer to one request. */
    public static final class Failure {
        private final int status;
        private final String code;
        private final String message;
        private final String retryAfter;
        private final boolean drop;

        private Failure(int status, String code, String message, String retryAfter, boolean drop) {
            this.status = status;
            this.code = code;
            this.message = message;
            this.retryAfter = retryAfter;
            this.drop = drop;
        }

        /**
         * An HTTP error with Graph's OData error body.
         *
         * @param status e.g. 403
         * @param code the error code, e.g. {@code ErrorAccessDenied}
         * @param message the message
         * @return the failure
         */
        public static Failure status(int status, String code, String message) {
            return new Failure(status, Objects.requireNonNull(code, "code"), Objects.requireNonNull(message, "message"), null, false);
        }

        /** @return 401 as Graph answers a token it does not take */
        public static Failure unauthorized() {
            return status(401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.");
        }

        /** @return 403 ErrorAccessDenied: the app lacks Mail.Send */
        public static Failure accessDenied() {
            return status(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
        }

        /** @return the connection is closed after the whole request was read, without an answer */
        public static Failure dropAfterBody() {
            return new Failure(0, null, null, null, true);
        }

        /**
         * @param value the Retry-After header to send
         * @return a copy with the header
         */
        public Failure retryAfter(String value) {
            return new Failure(status, code, message, Objects.requireNonNull(value, "value"), drop);
        }

        void answer(HttpExchange exchange) throws IOException {
            if (drop) {
                return; // closed without response headers
            }
            odata(exchange, status, code, message, retryAfter);
        }

        @Override
        public String toString() {
            return drop ? "Failure[drop after body]" : "Failure[" + status + " " + code + "]";
        }
    }
}
