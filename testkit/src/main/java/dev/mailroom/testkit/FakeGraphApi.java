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
 * <p><b>Large messages</b> (draft, attachments, upload sessions, send) work as Graph's do: {@code POST
 * /v1.0/users/{id}/messages} with a base64 MIME body makes a draft (201 with its {@code id}); {@code POST
 * …/messages/{id}/attachments} adds a {@code fileAttachment}; {@code POST …/attachments/createUploadSession} (for 3 MiB
 * and more, else 400 {@code ErrorAttachmentSizeShouldNotBeLessThanMinimumSize}) answers an upload URL on this fake,
 * whose chunk PUTs must carry no Authorization header (else 401), a {@code Content-Range} that continues where the
 * last ended, at most 4 MiB, and a multiple of 320 KiB but for the last; {@code POST …/messages/{id}/send} records the
 * draft as {@link #delivered()} (with its {@link Delivered#attachments()}), {@code DELETE …/messages/{id}} removes it.
 * Chunk bytes are streamed into a SHA-256 and a count, not held, above {@link #keepAttachmentBytes(int)}.
 * {@link #drafts()} lists the drafts left; {@link #maxInFlight(String)} the most requests of one mailbox under way at
 * once (chunk PUTs included). A chunk and a {@code GET} of the upload URL are answered as Outlook's upload URL does
 * ({@code {"NextExpectedRanges":["3276800"]}}). Faults per step: {@link #failNext(Step, Failure)} (also applied, then
 * answered: {@link Failure#afterApplying()}), {@link #withoutMailReadWrite()}.
 *
 * <pre>{@code
 * graph.failNext(FakeGraphApi.Step.UPLOAD_CHUNK, FakeGraphApi.Failure.status(429, "TooManyRequests", "Slow down").retryAfter("1"));
 * ... send a 20 MB message ...
 * FakeGraphApi.Attachment a = graph.delivered().get(0).attachments().get(0);
 * assertEquals(20_000_000, a.size());
 * assertTrue(graph.drafts().isEmpty());
 * }</pre>
 *
 * <p>Thread-safe; scripted failures apply to the next requests in order, one each.
 */
public final class FakeGraphApi implements AutoCloseable {
    private static final Pattern SEND = Pattern.compile("/v1\\.0/users/([^/]+)/sendMail");
    private static final Pattern USER = Pattern.compile("/v1\\.0/users/([^/]+)");
    private static final Pattern DRAFTS = Pattern.compile("/v1\\.0/users/([^/]+)/messages");
    private static final Pattern DRAFT = Pattern.compile("/v1\\.0/users/([^/]+)/messages/([^/]+)(/send|/attachments|/attachments/createUploadSession)?");
    private static final Pattern UPLOAD = Pattern.compile("/upload/([^/]+)");
    private static final Pattern RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+)");
    /** Upload sessions take attachments of at least this size. */
    public static final long SESSION_MIN = 3L << 20;
    /** A chunk is a multiple of this, but for the last. */
    public static final int CHUNK_UNIT = 320 * 1024;
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
    private final Map<String, AtomicInteger[]> perMailbox = new ConcurrentHashMap<>();
    private final Map<Step, ConcurrentLinkedQueue<Failure>> stepFailures = new ConcurrentHashMap<>();
    private final Map<String, Draft> drafts = new ConcurrentHashMap<>();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private volatile boolean noReadWrite;
    private volatile int keepBytes = 1 << 20;
    private volatile long sessionMinimum = SESSION_MIN;
    private volatile long delayNanos;
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
     * Answers the next sendMail or user lookup with a failure (the steps of a large message: {@link #failNext(Step, Failure)}).
     *
     * @param failure what to answer
     * @return this fake
     */
    public FakeGraphApi failNext(Failure failure) {
        failures.add(Objects.requireNonNull(failure, "failure"));
        return this;
    }

    /**
     * Answers every request with a failure (a failure scripted for the step with {@link #failNext(Step, Failure)} comes first).
     *
     * @param failure what to answer, or {@code null} to stop
     * @return this fake
     */
    public FakeGraphApi failAlways(Failure failure) {
        this.always = failure;
        return this;
    }

    /**
     * Answers the next request of this step with a failure (before its body is read).
     *
     * @param step which request
     * @param failure what to answer
     * @return this fake
     */
    public FakeGraphApi failNext(Step step, Failure failure) {
        stepFailures.computeIfAbsent(step, k -> new ConcurrentLinkedQueue<>()).add(Objects.requireNonNull(failure, "failure"));
        return this;
    }

    /**
     * The app lacks {@code Mail.ReadWrite}: creating a draft is answered 403 {@code ErrorAccessDenied} (sendMail still works).
     *
     * @return this fake
     */
    public FakeGraphApi withoutMailReadWrite() {
        this.noReadWrite = true;
        return this;
    }

    /**
     * The smallest attachment an upload session takes (default {@link #SESSION_MIN}, 3 MiB); Microsoft documents "3 MB",
     * so a test can try the decimal reading too.
     *
     * @param bytes the minimum size
     * @return this fake
     */
    public FakeGraphApi sessionMinimum(long bytes) {
        this.sessionMinimum = bytes;
        return this;
    }

    /**
     * Keeps the bytes of uploaded attachments up to this size (default 1 MiB); larger ones are kept as size and SHA-256 only.
     *
     * @param bytes the most kept per attachment
     * @return this fake
     */
    public FakeGraphApi keepAttachmentBytes(int bytes) {
        this.keepBytes = bytes;
        return this;
    }

    /**
     * Answers every request this much later (after reading it), as a server across a network would: makes concurrency visible.
     *
     * @param delay the delay per request
     * @return this fake
     */
    public FakeGraphApi delayEach(java.time.Duration delay) {
        this.delayNanos = delay.toNanos();
        return this;
    }

    /** @return the drafts that exist now (made, neither sent nor deleted) */
    public List<Draft> drafts() {
        return List.copyOf(drafts.values());
    }

    /**
     * @param mailbox a mailbox
     * @return the most requests of this mailbox that were under way at once (every kind, chunk PUTs included)
     */
    public int maxInFlight(String mailbox) {
        AtomicInteger[] c = perMailbox.get(mailbox.toLowerCase(Locale.ROOT));
        return c == null ? 0 : c[1].get();
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

    /** @return requests under way now (taken, not yet answered) */
    public int inFlight() {
        return inFlight.get();
    }

    /** @return the most requests that were under way at once */
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
        String method = exchange.getRequestMethod();
        Matcher upload = UPLOAD.matcher(path);
        Matcher draft = DRAFT.matcher(path);
        String mailbox;
        Step step;
        if (("PUT".equals(method) || "GET".equals(method)) && upload.matches()) {
            Session session = sessions.get(upload.group(1));
            mailbox = session == null ? "" : session.draft.mailbox;
            step = "PUT".equals(method) ? Step.UPLOAD_CHUNK : Step.UPLOAD_STATUS;
        } else if ("POST".equals(method) && DRAFTS.matcher(path).matches()) {
            Matcher m = DRAFTS.matcher(path);
            m.matches();
            mailbox = URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
            step = Step.CREATE_DRAFT;
        } else if (draft.matches() && ("POST".equals(method) || "DELETE".equals(method))) {
            mailbox = URLDecoder.decode(draft.group(1), StandardCharsets.UTF_8);
            String tail = draft.group(3);
            step = "DELETE".equals(method) ? (tail == null ? Step.DELETE : null) : tail == null ? null : switch (tail) {
                case "/send" -> Step.SEND_DRAFT;
                case "/attachments" -> Step.ADD_ATTACHMENT;
                default -> Step.CREATE_UPLOAD_SESSION;
            };
        } else {
            Matcher send = SEND.matcher(path);
            Matcher user = USER.matcher(path);
            mailbox = send.matches() ? URLDecoder.decode(send.group(1), StandardCharsets.UTF_8)
                    : user.matches() ? URLDecoder.decode(user.group(1), StandardCharsets.UTF_8) : "";
            step = send.matches() ? Step.SEND_MAIL : null;
        }
        AtomicInteger[] box = perMailbox.computeIfAbsent(mailbox.toLowerCase(Locale.ROOT), k -> new AtomicInteger[] {new AtomicInteger(),
            new AtomicInteger()});
        if (step == Step.SEND_MAIL || step == null) {
            handleSendOrLookup(exchange, path); // counts on its own
            return;
        }
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        box[1].accumulateAndGet(box[0].incrementAndGet(), Math::max);
        java.util.concurrent.atomic.AtomicBoolean counted = new java.util.concurrent.atomic.AtomicBoolean(true);
        Runnable answered = () -> {
            if (counted.getAndSet(false)) {
                box[0].decrementAndGet();
                inFlight.decrementAndGet();
            }
        };
        try {
            if (delayNanos > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(delayNanos);
            }
            ConcurrentLinkedQueue<Failure> q = stepFailures.get(step);
            Failure f = q == null ? null : q.poll();
            if (f == null) {
                f = always;
            }
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            String token = auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : "";
            if (f != null && f.notApplied && step == Step.UPLOAD_CHUNK) {
                requests.add(new Request(method, mailbox, "", exchange.getRequestHeaders().getFirst("Content-Type"), null, step,
                        exchange.getRequestHeaders().getFirst("Content-Range"), System.nanoTime()));
                exchange.getRequestBody().transferTo(java.io.OutputStream.nullOutputStream());
                Session session = sessions.get(upload.group(1));
                answered.run();
                FakeHttp.json(exchange, 200, Map.of("expirationDateTime", "2026-11-29T18:00:00Z", "nextExpectedRanges",
                        List.of((session == null ? 0 : session.received) + "-")));
                return;
            }
            if (f != null && !f.applied) {
                requests.add(new Request(method, mailbox, token, exchange.getRequestHeaders().getFirst("Content-Type"), null, step,
                        exchange.getRequestHeaders().getFirst("Content-Range"), System.nanoTime()));
                exchange.getRequestBody().transferTo(java.io.OutputStream.nullOutputStream());
                answered.run();
                f.answer(exchange);
                return;
            }
            // a fault "after applying": the request is carried out as usual, its answer replaced by the fault's
            HttpExchange target = f == null ? exchange : new MutedExchange(exchange);
            if (step == Step.UPLOAD_CHUNK) {
                chunk(target, upload.group(1), mailbox, answered);
            } else if (step == Step.UPLOAD_STATUS) {
                uploadStatus(target, upload.group(1), mailbox, answered);
            } else {
                draftStep(target, step, mailbox, token, draft, answered);
            }
            if (f != null) {
                answered.run();
                f.answer(exchange);
            }
        } finally {
            answered.run();
        }
    }

    private void draftStep(HttpExchange exchange, Step step, String mailbox, String token, Matcher draftPath, Runnable answered) throws IOException {
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        byte[] body = FakeHttp.body(exchange);
        byte[] mime = null;
        if (step == Step.CREATE_DRAFT && body.length <= MAX_REQUEST) {
            try {
                mime = Base64.getMimeDecoder().decode(body);
            } catch (IllegalArgumentException e) {
                mime = null;
            }
        }
        requests.add(new Request(exchange.getRequestMethod(), mailbox, token, contentType, mime, step, null, System.nanoTime()));
        int status;
        Object reply = null;
        String[] error = null;
        Draft d = step == Step.CREATE_DRAFT ? null : drafts.get(URLDecoder.decode(draftPath.group(2), StandardCharsets.UTF_8));
        if (token.isEmpty() || (!acceptedTokens.isEmpty() && !acceptedTokens.contains(token))) {
            status = 401;
            error = new String[] {"InvalidAuthenticationToken", "Access token validation failure. Invalid audience."};
        } else if (!mailboxes.isEmpty() && !mailboxes.contains(mailbox.toLowerCase(Locale.ROOT))) {
            status = 404;
            error = new String[] {"ErrorInvalidUser", "The requested user '" + mailbox + "' is invalid."};
        } else if (body.length > MAX_REQUEST) {
            status = 413;
            error = new String[] {"RequestBodyTooLarge", "The maximum request length supported is 4MB."};
        } else if (step == Step.CREATE_DRAFT) {
            if (noReadWrite) {
                status = 403;
                error = new String[] {"ErrorAccessDenied", "Access is denied. Check credentials and try again."};
            } else if (mime == null || mime.length == 0 || !"text/plain".equals(contentType)) {
                status = 400;
                error = new String[] {"ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME content."};
            } else {
                String id = "AAMkAGI2draft" + ids.incrementAndGet() + "=";
                drafts.put(id, new Draft(id, mailbox, mime));
                status = 201;
                reply = Map.of("id", id, "isDraft", true);
            }
        } else if (d == null || !d.mailbox.equalsIgnoreCase(mailbox)) {
            status = 404;
            error = new String[] {"ErrorItemNotFound", "The specified object was not found in the store."};
        } else if (step == Step.DELETE) {
            drafts.remove(d.id);
            status = 204;
        } else if (step == Step.SEND_DRAFT) {
            FakeGmailApi.Delivered g = FakeGmailApi.Delivered.of(d.mime);
            for (String r : g.recipients()) {
                if (refusedRecipients.contains(r.toLowerCase(Locale.ROOT))) {
                    answered.run();
                    odata(exchange, 400, "ErrorInvalidRecipients", "At least one recipient isn't valid., Recipient '" + r + "' isn't resolved.", null);
                    return;
                }
            }
            drafts.remove(d.id);
            delivered.add(new Delivered(mailbox, g.recipients(), g.bytes(), List.copyOf(d.attachments)));
            status = 202;
        } else {
            Map<String, Object> json;
            try {
                json = Json.object(new String(body, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                json = Map.of();
            }
            if (step == Step.ADD_ATTACHMENT) {
                byte[] content = Base64.getDecoder().decode(String.valueOf(json.getOrDefault("contentBytes", "")));
                d.attachments.add(new Attachment(String.valueOf(json.get("name")), String.valueOf(json.get("contentType")), content.length,
                        Boolean.TRUE.equals(json.get("isInline")), (String) json.get("contentId"), sha256(content), content.length <= keepBytes ? content : null,
                        false));
                status = 201;
                reply = Map.of("id", "att" + ids.incrementAndGet());
            } else {
                Object item = json.get("AttachmentItem");
                @SuppressWarnings("unchecked")
                Map<String, Object> a = item instanceof Map ? (Map<String, Object>) item : Map.of();
                long size = a.get("size") instanceof Number n ? n.longValue() : -1;
                if (!"file".equals(a.get("attachmentType")) || a.get("name") == null || size < 0) {
                    status = 400;
                    error = new String[] {"ErrorInvalidRequest", "AttachmentItem needs attachmentType file, name and size."};
                } else if (size < sessionMinimum) {
                    status = 400;
                    error = new String[] {"ErrorAttachmentSizeShouldNotBeLessThanMinimumSize", "Attachment size must be at least 3 MB."};
                } else {
                    String sid = "session" + ids.incrementAndGet();
                    sessions.put(sid, new Session(d, String.valueOf(a.get("name")), String.valueOf(a.getOrDefault("contentType", "application/octet-stream")),
                            size, Boolean.TRUE.equals(a.get("isInline")), (String) a.get("contentId")));
                    status = 201;
                    reply = Map.of("uploadUrl", rootUrl() + "upload/" + sid + "?authtoken=upload-secret-" + sid, "expirationDateTime",
                            "2026-11-29T18:00:00Z", "nextExpectedRanges", List.of("0-"));
                }
            }
        }
        answered.run();
        if (error != null) {
            odata(exchange, status, error[0], error[1], null);
        } else if (reply != null) {
            FakeHttp.json(exchange, status, reply);
        } else {
            exchange.sendResponseHeaders(status, -1);
        }
    }

    private void chunk(HttpExchange exchange, String sid, String mailbox, Runnable answered) throws IOException {
        Session session = sessions.get(sid);
        String range = exchange.getRequestHeaders().getFirst("Content-Range");
        requests.add(new Request("PUT", mailbox, "", exchange.getRequestHeaders().getFirst("Content-Type"), null, Step.UPLOAD_CHUNK, range,
                System.nanoTime()));
        String[] error = null;
        int status = 400;
        Matcher m = range == null ? null : RANGE.matcher(range);
        if (session == null) {
            status = 404;
            error = new String[] {"ErrorItemNotFound", "The upload session does not exist or has expired."};
        } else if (exchange.getRequestHeaders().getFirst("Authorization") != null) {
            status = 401;
            error = new String[] {"InvalidAuthenticationToken", "The upload URL carries its own token; an Authorization header is not allowed."};
        } else if (m == null || !m.matches()) {
            error = new String[] {"InvalidContentRange", "Content-Range must be bytes first-last/total, was " + range};
        } else {
            long first = Long.parseLong(m.group(1));
            long last = Long.parseLong(m.group(2));
            long total = Long.parseLong(m.group(3));
            long length = last - first + 1;
            String contentLength = exchange.getRequestHeaders().getFirst("Content-Length");
            if (total != session.size || first != session.received || last >= total || length > MAX_REQUEST
                    || (last != total - 1 && length % CHUNK_UNIT != 0) || contentLength == null || Long.parseLong(contentLength) != length) {
                status = 416;
                error = new String[] {"InvalidRange", "Expected bytes " + session.received + "- of " + session.size + " in at most 4 MiB, a "
                        + "multiple of 320 KiB but for the last; got " + range + " with Content-Length " + contentLength};
            } else {
                byte[] buf = new byte[64 * 1024];
                long read = 0;
                try (java.io.InputStream in = exchange.getRequestBody()) {
                    for (int n; (n = in.read(buf)) > 0; ) {
                        session.digest.update(buf, 0, n);
                        if (session.kept != null) {
                            if (session.kept.size() + n <= keepBytes) {
                                session.kept.write(buf, 0, n);
                            } else {
                                session.kept = null;
                            }
                        }
                        read += n;
                    }
                }
                if (read != length) {
                    error = new String[] {"InvalidRange", "the body has " + read + " bytes, Content-Range says " + length};
                } else {
                    session.received += length;
                    if (session.received == session.size) {
                        sessions.remove(sid);
                        byte[] kept = session.kept == null ? null : session.kept.toByteArray();
                        session.draft.attachments.add(new Attachment(session.name, session.contentType, session.size, session.inline,
                                session.contentId, hex(session.digest.digest()), kept, true));
                        answered.run();
                        exchange.getResponseHeaders().set("Location", rootUrl() + "v1.0/users/" + mailbox + "/messages/" + session.draft.id
                                + "/attachments/att" + ids.incrementAndGet());
                        exchange.sendResponseHeaders(201, -1);
                        return;
                    }
                    answered.run();
                    // as Outlook's upload URL answers (its documented example): PascalCase, the next offset without a dash
                    FakeHttp.json(exchange, 200, Map.of("ExpirationDateTime", "2026-11-29T18:00:00Z", "NextExpectedRanges",
                            List.of(String.valueOf(session.received))));
                    return;
                }
            }
        }
        exchange.getRequestBody().transferTo(java.io.OutputStream.nullOutputStream());
        answered.run();
        odata(exchange, status, error[0], error[1], null);
    }

    /** {@code GET} of an upload URL: the session's state, as Graph answers it (404 once it is complete or gone). */
    private void uploadStatus(HttpExchange exchange, String sid, String mailbox, Runnable answered) throws IOException {
        Session session = sessions.get(sid);
        requests.add(new Request("GET", mailbox, "", null, null, Step.UPLOAD_STATUS, null, System.nanoTime()));
        answered.run();
        if (session == null) {
            odata(exchange, 404, "ErrorItemNotFound", "The upload session does not exist or has expired.", null);
            return;
        }
        FakeHttp.json(exchange, 200, Map.of("ExpirationDateTime", "2026-11-29T18:00:00Z", "NextExpectedRanges", List.of(String.valueOf(session.received))));
    }

    private static String sha256(byte[] content) {
        try {
            return hex(java.security.MessageDigest.getInstance("SHA-256").digest(content));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
    }

    private void handleSendOrLookup(HttpExchange exchange, String path) throws IOException {
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
        requests.add(new Request(exchange.getRequestMethod(), id, token, exchange.getRequestHeaders().getFirst("Content-Type"), mime,
                isSend ? Step.SEND_MAIL : null, null, System.nanoTime()));
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
        AtomicInteger[] box = perMailbox.get(id.toLowerCase(Locale.ROOT));
        if (box == null) {
            box = perMailbox.computeIfAbsent(id.toLowerCase(Locale.ROOT), k -> new AtomicInteger[] {new AtomicInteger(), new AtomicInteger()});
        }
        box[1].accumulateAndGet(box[0].incrementAndGet(), Math::max);
        boolean released;
        try {
            if (delayNanos > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(delayNanos);
            }
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
            box[0].decrementAndGet();
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
     * @param mime the decoded MIME message of a sendMail or a draft, Bcc header included, or {@code null}
     * @param step which step of Graph it was, or {@code null} (the user lookup)
     * @param contentRange the Content-Range of a chunk PUT, or {@code null}
     * @param nanoTime when it came ({@link System#nanoTime()})
     */
    public record Request(String method, String user, String token, String contentType, byte[] mime, Step step, String contentRange, long nanoTime) {
        /** @return the message as text (UTF-8), or {@code null} */
        public String text() {
            return mime == null ? null : new String(mime, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "Request[" + method + " " + user + " " + step + ", " + (mime == null ? "no message" : mime.length + " bytes")
                    + (contentRange == null ? "" : ", " + contentRange) + "]";
        }
    }

    /**
     * A message as Exchange would send it.
     *
     * @param mailbox the mailbox it was sent from (the user in the path)
     * @param recipients the addresses of its To, Cc and Bcc headers, in that order
     * @param bytes the message without its Bcc header (for a sent draft: the draft's MIME, without the attachments added to it)
     * @param attachments the attachments added to a sent draft (upload sessions and POSTs), in order; empty for sendMail
     */
    public record Delivered(String mailbox, List<String> recipients, byte[] bytes, List<Attachment> attachments) {
        /**
         * Copies.
         *
         * @param mailbox see the record description
         * @param recipients see the record description
         * @param bytes see the record description
         * @param attachments see the record description
         */
        public Delivered {
            recipients = List.copyOf(recipients);
            bytes = bytes.clone();
            attachments = List.copyOf(attachments);
        }

        /**
         * A message sent with sendMail.
         *
         * @param mailbox see the record description
         * @param recipients see the record description
         * @param bytes see the record description
         */
        public Delivered(String mailbox, List<String> recipients, byte[] bytes) {
            this(mailbox, recipients, bytes, List.of());
        }

        /** @return the bytes as text (UTF-8) */
        public String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /** The kinds of request a fault can be scripted for. */
    public enum Step {
        /** {@code POST /users/{id}/sendMail}. */
        SEND_MAIL,
        /** {@code POST /users/{id}/messages} (a draft from MIME). */
        CREATE_DRAFT,
        /** {@code POST …/messages/{id}/attachments} (a file attachment in JSON). */
        ADD_ATTACHMENT,
        /** {@code POST …/attachments/createUploadSession}. */
        CREATE_UPLOAD_SESSION,
        /** {@code PUT} of a chunk to an upload URL. */
        UPLOAD_CHUNK,
        /** {@code GET} of an upload URL: where the session stands ({@code nextExpectedRanges}). */
        UPLOAD_STATUS,
        /** {@code POST …/messages/{id}/send}. */
        SEND_DRAFT,
        /** {@code DELETE …/messages/{id}}. */
        DELETE
    }

    /** A draft in a mailbox. */
    public static final class Draft {
        private final String id;
        private final String mailbox;
        private final byte[] mime;
        private final List<Attachment> attachments = new CopyOnWriteArrayList<>();

        Draft(String id, String mailbox, byte[] mime) {
            this.id = id;
            this.mailbox = mailbox;
            this.mime = mime;
        }

        /** @return its id */
        public String id() {
            return id;
        }

        /** @return the mailbox it is in */
        public String mailbox() {
            return mailbox;
        }

        /** @return the MIME it was made from, as text */
        public String text() {
            return new String(mime, StandardCharsets.UTF_8);
        }

        /** @return the attachments added so far */
        public List<Attachment> attachments() {
            return List.copyOf(attachments);
        }

        @Override
        public String toString() {
            return "Draft[" + id + " in " + mailbox + ", " + attachments.size() + " attachment(s)]";
        }
    }

    /**
     * An attachment added to a draft.
     *
     * @param name its file name
     * @param contentType its content type
     * @param size its size in bytes
     * @param inline whether it is inline
     * @param contentId its Content-ID, or {@code null}
     * @param sha256 the SHA-256 of its bytes, in lower-case hex
     * @param bytes its bytes when at most {@link #keepAttachmentBytes(int)}, else {@code null}
     * @param uploaded whether it came through an upload session (else one POST)
     */
    public record Attachment(String name, String contentType, long size, boolean inline, String contentId, String sha256, byte[] bytes,
            boolean uploaded) {
    }

    /** An open upload session. */
    private static final class Session {
        final Draft draft;
        final String name;
        final String contentType;
        final long size;
        final boolean inline;
        final String contentId;
        final java.security.MessageDigest digest;
        java.io.ByteArrayOutputStream kept = new java.io.ByteArrayOutputStream();
        long received;

        Session(Draft draft, String name, String contentType, long size, boolean inline, String contentId) {
            this.draft = draft;
            this.name = name;
            this.contentType = contentType;
            this.size = size;
            this.inline = inline;
            this.contentId = contentId;
            try {
                this.digest = java.security.MessageDigest.getInstance("SHA-256");
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A scripted answer to one request. */
    public static final class Failure {
        private final int status;
        private final String code;
        private final String message;
        private final String retryAfter;
        private final boolean drop;
        private final boolean applied;
        private final boolean notApplied;

        private Failure(int status, String code, String message, String retryAfter, boolean drop, boolean applied, boolean notApplied) {
            this.status = status;
            this.code = code;
            this.message = message;
            this.retryAfter = retryAfter;
            this.drop = drop;
            this.applied = applied;
            this.notApplied = notApplied;
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
            return new Failure(status, Objects.requireNonNull(code, "code"), Objects.requireNonNull(message, "message"), null, false, false, false);
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
            return new Failure(0, null, null, null, true, false, false);
        }

        /**
         * A chunk PUT answered 200 as if all was well, with {@code nextExpectedRanges} where the session stood before:
         * the chunk was lost on the way (for {@link Step#UPLOAD_CHUNK} only).
         *
         * @return the failure
         */
        public static Failure chunkNotApplied() {
            return new Failure(200, null, null, null, false, false, true);
        }

        /**
         * The request is carried out (a draft made, an attachment added, a chunk stored, a draft sent), and then answered
         * with this failure instead: "it worked but the reply was lost".
         *
         * @return a copy applied before it answers
         */
        public Failure afterApplying() {
            return new Failure(status, code, message, retryAfter, drop, true, notApplied);
        }

        /**
         * @param value the Retry-After header to send
         * @return a copy with the header
         */
        public Failure retryAfter(String value) {
            return new Failure(status, code, message, Objects.requireNonNull(value, "value"), drop, applied, notApplied);
        }

        void answer(HttpExchange exchange) throws IOException {
            if (drop) {
                return; // closed without response headers
            }
            odata(exchange, status, code, message, retryAfter);
        }

        @Override
        public String toString() {
            return (drop ? "Failure[drop after body" : notApplied ? "Failure[chunk not applied" : "Failure[" + status + " " + code)
                    + (applied ? ", after applying]" : "]");
        }
    }

    /** An exchange whose answer goes nowhere: the request is handled as usual, then a fault answers on the real one. */
    private static final class MutedExchange extends HttpExchange {
        private final HttpExchange real;
        private final com.sun.net.httpserver.Headers headers = new com.sun.net.httpserver.Headers();

        MutedExchange(HttpExchange real) {
            this.real = real;
        }

        @Override public com.sun.net.httpserver.Headers getRequestHeaders() { return real.getRequestHeaders(); }
        @Override public com.sun.net.httpserver.Headers getResponseHeaders() { return headers; }
        @Override public URI getRequestURI() { return real.getRequestURI(); }
        @Override public String getRequestMethod() { return real.getRequestMethod(); }
        @Override public com.sun.net.httpserver.HttpContext getHttpContext() { return real.getHttpContext(); }
        @Override public void close() { }
        @Override public java.io.InputStream getRequestBody() { return real.getRequestBody(); }
        @Override public java.io.OutputStream getResponseBody() { return java.io.OutputStream.nullOutputStream(); }
        @Override public void sendResponseHeaders(int code, long length) { }
        @Override public java.net.InetSocketAddress getRemoteAddress() { return real.getRemoteAddress(); }
        @Override public int getResponseCode() { return -1; }
        @Override public java.net.InetSocketAddress getLocalAddress() { return real.getLocalAddress(); }
        @Override public String getProtocol() { return real.getProtocol(); }
        @Override public Object getAttribute(String name) { return real.getAttribute(name); }
        @Override public void setAttribute(String name, Object value) { real.setAttribute(name, value); }
        @Override public void setStreams(java.io.InputStream i, java.io.OutputStream o) { }
        @Override public com.sun.net.httpserver.HttpPrincipal getPrincipal() { return real.getPrincipal(); }
    }
}
