package dev.mailroom.graph.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.spi.AccessToken;
import dev.mailroom.spi.OutgoingMessage;
import dev.mailroom.spi.SendResult;
import dev.mailroom.spi.TransportContext;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import javax.net.ssl.SSLHandshakeException;

/**
 * Sends a message too large for one {@code sendMail} request: a draft from the message without its large attachments
 * ({@code POST /users/{mailbox}/messages}, MIME in base64), each large attachment through an upload session
 * ({@code createUploadSession}, then chunks PUT to the upload URL without the bearer token), smaller ones that do not
 * fit in the draft as file attachments ({@code POST …/attachments}), then {@code POST …/send}. The message is written
 * three times (scan, draft, attachments) and never held whole: the draft is at most
 * {@link GraphTransport#MAX_MESSAGE_SIZE} bytes, one chunk at most {@link #CHUNK} bytes. Every request holds a slot of
 * the mailbox's gate while it runs, none while waiting. Steps before the send are retried after 429, 503 and 504
 * (they send nothing); the send is retried only after 429 and 503 with Retry-After (not processed). Any failure
 * after the draft exists deletes the draft (best effort).
 */
@SuppressWarnings("try") // a gate slot is held for the duration of each request
final class UploadSend {
    /** Upload sessions take attachments of 3 MB and more; smaller ones go in the draft or as one POST. */
    static final long SESSION_MIN = 3L << 20;
    /** Graph's limit per attachment through an upload session. */
    static final long ATTACHMENT_MAX = 150L << 20;
    /** One chunk: a multiple of 320 KiB below 4 MiB. */
    static final int CHUNK = 10 * 320 * 1024;
    /** Attempts of a step that Graph throttles, and the longest wait between two. */
    static final int ATTEMPTS = 4;
    static final Duration MAX_WAIT = Duration.ofSeconds(30);
    /** The largest request body sent: Graph documents "4 MB" per request; the decimal reading, to be safe. */
    static final long REQUEST_LIMIT = 4_000_000;

    private static final System.Logger LOG = System.getLogger(UploadSend.class.getName());

    private final GraphTransport transport;
    private final TransportContext context;
    private final MailboxGate gate;
    private final String graphUrl;
    private final ResolvedAccount account;
    private final String mailbox;
    private final OutgoingMessage message;
    private final String base;
    private final long started = System.nanoTime();
    private String draftId;

    UploadSend(GraphTransport transport, TransportContext context, MailboxGate gate, String graphUrl, ResolvedAccount account, String mailbox,
            OutgoingMessage message) {
        this.transport = transport;
        this.context = context;
        this.gate = gate;
        this.graphUrl = graphUrl;
        this.account = account;
        this.mailbox = mailbox;
        this.message = message;
        this.base = graphUrl + "v1.0/users/" + URLEncoder.encode(mailbox, StandardCharsets.UTF_8) + "/messages";
    }

    SendResult send() {
        // 1. which parts go on their own
        MimeSplitter scan = MimeSplitter.scan();
        write(scan);
        if (scan.total() > GraphTransport.MAX_UPLOAD_SIZE) {
            throw GraphTransport.tooLarge(scan.total());
        }
        List<MimeSplitter.Leaf> leaves = scan.leaves();
        Set<Integer> sessions = new LinkedHashSet<>();
        Set<Integer> posts = new LinkedHashSet<>();
        long draftSize = scan.total();
        for (MimeSplitter.Leaf l : leaves) {
            // an upload session from 3 MB, and for anything whose POST (base64 in JSON) would not fit in one request
            if (l.attachment() && (l.decodedSize() >= SESSION_MIN || postSize(l) > REQUEST_LIMIT)) {
                if (l.decodedSize() > ATTACHMENT_MAX) {
                    throw new MailException(MailErrorCode.MESSAGE_TOO_LARGE, "attachment '" + l.fileName + "' has " + l.decodedSize() + " bytes, more "
                            + "than the " + ATTACHMENT_MAX + " Graph takes per attachment; nothing was sent", null, "Send files that large as links.",
                            List.of(), null);
                }
                sessions.add(l.index);
                draftSize -= l.span;
            }
        }
        long headroom = GraphTransport.MAX_MESSAGE_SIZE - 64 * 1024; // the Bcc header and an empty part or two
        List<MimeSplitter.Leaf> smaller = new ArrayList<>(leaves.stream().filter(l -> l.attachment() && !sessions.contains(l.index)).toList());
        smaller.sort((a, b) -> Long.compare(b.span, a.span));
        for (MimeSplitter.Leaf l : smaller) {
            if (draftSize <= headroom) {
                break;
            }
            posts.add(l.index);
            draftSize -= l.span;
        }
        if (draftSize > headroom) {
            throw new MailException(MailErrorCode.MESSAGE_TOO_LARGE, "the message without its attachments still has about " + draftSize + " bytes, "
                    + "more than one Graph request takes (" + GraphTransport.MAX_MESSAGE_SIZE + "); nothing was sent", null,
                    "Large content must be in file attachments (base64); make the text smaller.", List.of(), null);
        }
        // 2. the draft
        Set<Integer> out = new LinkedHashSet<>(sessions);
        out.addAll(posts);
        byte[] mime = skeleton(out, draftSize);
        draftId = createDraft(mime);
        mime = null;
        try {
            // 3. attachments, 4. send
            if (!out.isEmpty()) {
                Uploader uploader = new Uploader(sessions, posts, leaves);
                write(MimeSplitter.extract(out, uploader));
                if (uploader.done != out.size()) {
                    throw new MailException(MailErrorCode.INTERNAL, "the message's content changed between two writes (" + uploader.done + " of "
                            + out.size() + " attachments found); nothing was sent");
                }
            }
            return sendDraft();
        } catch (MailException e) {
            throw withNote(e, deleteDraft(e.code() == MailErrorCode.DELIVERY_UNCERTAIN));
        } catch (RuntimeException | Error e) {
            deleteDraft(false);
            throw e;
        }
    }

    /** The size of the request that adds this attachment in one POST: its base64 in the JSON. */
    static long postSize(MimeSplitter.Leaf l) {
        return attachmentHead(l).length + (l.decodedSize() + 2) / 3 * 4 + 2;
    }

    /** The JSON of an attachment POST up to its base64. */
    static byte[] attachmentHead(MimeSplitter.Leaf leaf) {
        return ("{\"@odata.type\":\"#microsoft.graph.fileAttachment\",\"name\":" + GraphJson.quote(leaf.fileName) + ",\"contentType\":"
                + GraphJson.quote(leaf.contentType) + (leaf.contentId == null ? "" : ",\"isInline\":" + leaf.inline + ",\"contentId\":"
                + GraphJson.quote(leaf.contentId)) + ",\"contentBytes\":\"").getBytes(StandardCharsets.UTF_8);
    }

    /** The message without the parts taken out, in one array of at most the single-request size. */
    private byte[] skeleton(Set<Integer> out, long draftSize) {
        ByteArrayOutputStream skeleton = new ByteArrayOutputStream((int) Math.min(draftSize + 1024, GraphTransport.MAX_MESSAGE_SIZE));
        write(MimeSplitter.skeleton(out, skeleton));
        return skeleton.toByteArray();
    }

    /** Creates the draft from the MIME (the Bcc header in front); returns its id. Its bytes are not kept once it exists. */
    private String createDraft(byte[] mime) {
        byte[] prefix = HeaderRecipients.bccPrefix(mime, message.recipients());
        byte[] body = base64(prefix, mime);
        GraphReply created = step("create the draft", true, true, t -> post(URI.create(base), t, "text/plain", body));
        if (created.status() != 201 && created.status() != 200) {
            throw draftRefused(created);
        }
        String id = GraphReply.text(json(created.body()), "id");
        if (id.isEmpty()) {
            throw new MailException(MailErrorCode.PERMANENT_FAILURE, "Graph created the draft but did not name it; nothing was sent", created.text(),
                    null, List.of(), null);
        }
        return id;
    }

    /**
     * A request body read from the array as the client sends it: {@code ofByteArray} would first copy all of it into
     * buffers of its own (a second chunk in the heap).
     */
    static HttpRequest.BodyPublisher stream(byte[] bytes, int off, int len) {
        return HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(bytes, off,
                len)), len);
    }

    private void write(MimeSplitter splitter) {
        try {
            message.writeTo(splitter);
            splitter.finish();
        } catch (Abort a) {
            throw a.failure;
        } catch (MimeSplitter.NotSplittable e) {
            throw new MailException(MailErrorCode.MESSAGE_TOO_LARGE, "the message is too large for one Graph request and cannot be taken apart ("
                    + e.getMessage() + "); nothing was sent", null, null, List.of(), null);
        } catch (IOException e) {
            throw new MailException(MailErrorCode.INTERNAL, "the message cannot be read: " + e.getMessage(), null, null, List.of(), e);
        }
    }

    private SendResult sendDraft() {
        URI uri = URI.create(base + "/" + URLEncoder.encode(draftId, StandardCharsets.UTF_8) + "/send");
        for (int attempt = 1; ; attempt++) {
            checkBudget();
            GraphReply r;
            try (MailboxGate.Slot slot = gate.enter(mailbox)) {
                r = transport.authorized(account, t -> exchange(HttpRequest.newBuilder(uri).timeout(timeout())
                        .header("Authorization", "Bearer " + t.reveal()).POST(HttpRequest.BodyPublishers.noBody()).build(), true));
            }
            if (r.status() == 202 || r.status() == 200) {
                return SendResult.builder(r.status() + " Accepted: Graph took the message for " + mailbox + " (a draft with its attachments "
                        + "uploaded, sent by Exchange, saved to Sent Items)").accepted(message.recipients()).build();
            }
            // 429 and 503 with Retry-After are not processed: the only answers after which the send is repeated
            Duration wait = r.wait(context.clock().instant()).orElse(null);
            boolean notProcessed = r.status() == 429 || (r.status() == 503 && wait != null);
            if (notProcessed && attempt < ATTEMPTS && (wait == null ? Duration.ofSeconds(attempt) : wait).compareTo(MAX_WAIT) <= 0) {
                pause(wait == null ? Duration.ofSeconds(attempt) : wait);
                continue;
            }
            if (r.status() == 404) { // the draft is gone: this send was the first, and Graph did not take it
                throw GraphFailures.draftStep(r, "send the draft", mailbox, context.clock().instant());
            }
            throw GraphFailures.refused(r, mailbox, true, context.clock().instant());
        }
    }

    /**
     * Before the request that hands the message over: a send that outlasts its budget (set from the outbox lease) is
     * not made, so that an entry whose lease ran out and that another worker may have claimed is never sent twice.
     */
    private void checkBudget() {
        Duration budget = context.sendBudget().orElse(null);
        Duration used = Duration.ofNanos(System.nanoTime() - started);
        if (budget != null && used.compareTo(budget) > 0) {
            throw new MailException(MailErrorCode.TEMPORARY_FAILURE, "the draft and its uploads took " + used.toMillis() + " ms, more than the "
                    + budget.toMillis() + " ms a send may take (half the outbox lease); the draft is not sent, so that the mail cannot go out "
                    + "after another worker took it over; nothing was sent, the message is tried again from the start", null,
                    "For large messages over slow links raise the outbox lease (Mailroom.builder().outboxLease(...)).", List.of(), null);
        }
    }

    /**
     * A step before the send, each attempt holding a slot: retried after 429 and 503 with Retry-After (not processed),
     * and when {@code retry5xx} (a step that is harmless to repeat) after 503 and 504 too.
     */
    private GraphReply step(String what, boolean withToken, boolean retry5xx, Function<AccessToken, HttpRequest> request) {
        for (int attempt = 1; ; attempt++) {
            GraphReply r;
            try (MailboxGate.Slot slot = gate.enter(mailbox)) {
                if (withToken) {
                    r = transport.authorized(account, t -> exchange(request.apply(t), false));
                } else {
                    try {
                        r = exchange(request.apply(null), false);
                    } catch (GraphTransport.Unauthorized u) {
                        r = u.reply;
                    }
                }
            }
            int s = r.status();
            boolean notProcessed = s == 429 || (s == 503 && r.retryAfter() != null);
            if ((notProcessed || (retry5xx && (s == 503 || s == 504))) && attempt < ATTEMPTS) {
                Duration wait = r.wait(context.clock().instant()).orElse(Duration.ofSeconds(attempt));
                if (wait.compareTo(MAX_WAIT) <= 0) {
                    LOG.log(System.Logger.Level.DEBUG, "Graph answered {0} to \"{1}\" for {2}; again in {3}", s, what, mailbox, wait);
                    pause(wait);
                    continue;
                }
            }
            return r;
        }
    }

    private void pause(Duration wait) {
        try {
            Thread.sleep(Math.max(0, wait.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MailException(MailErrorCode.TEMPORARY_FAILURE, "interrupted while waiting to retry a Graph request; nothing was sent");
        }
    }

    /** One request. {@code sendStep}: a failure after the connection was made is ambiguous. */
    private GraphReply exchange(HttpRequest request, boolean sendStep) {
        GraphReply r;
        try {
            r = GraphReply.of(transport.client(account).send(request, HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            throw GraphFailures.network(e, sendStep, sendStep && !beforeRequest(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw GraphFailures.network(new InterruptedIOException("interrupted while waiting for Graph"), sendStep, sendStep);
        }
        if (r.status() == 401) {
            throw new GraphTransport.Unauthorized(r);
        }
        return r;
    }

    /** Whether the failure came before a request could go out (the connection or TLS handshake failed). */
    private static boolean beforeRequest(IOException e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof HttpConnectTimeoutException || c instanceof ConnectException || c instanceof UnknownHostException
                    || c instanceof NoRouteToHostException || c instanceof SSLHandshakeException) {
                return true;
            }
        }
        return false;
    }

    private HttpRequest post(URI uri, AccessToken token, String type, byte[] body) {
        return HttpRequest.newBuilder(uri).timeout(timeout()).header("Authorization", "Bearer " + token.reveal()).header("Content-Type", type)
                .POST(stream(body, 0, body.length)).build();
    }

    private Duration timeout() {
        return context.readTimeout().plus(context.writeTimeout());
    }

    /**
     * A refused draft. Without Mail.ReadWrite only this message fails (it is too large for what the app may do): the
     * mailbox's other, smaller mail still goes out with Mail.Send.
     */
    private MailException draftRefused(GraphReply r) {
        if (r.status() == 404 || r.status() == 400 || (r.status() == 403 && r.is("ErrorSendAsDenied"))) {
            return GraphFailures.refused(r, mailbox, false, context.clock().instant()); // the mailbox or the message itself
        }
        return GraphFailures.draftStep(r, "create a draft", mailbox, context.clock().instant());
    }

    /** Deletes the draft (best effort); returns what happened, for the error message. */
    private String deleteDraft(boolean ambiguous) {
        // an interrupted thread would fail at once to get a slot: the draft is deleted all the same, the flag kept
        boolean interrupted = Thread.interrupted();
        try {
            return deleteDraftNow(ambiguous);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private String deleteDraftNow(boolean ambiguous) {
        URI uri = URI.create(base + "/" + URLEncoder.encode(draftId, StandardCharsets.UTF_8));
        try (MailboxGate.Slot slot = gate.enter(mailbox)) {
            GraphReply r = transport.authorized(account, t -> exchange(HttpRequest.newBuilder(uri).timeout(timeout())
                    .header("Authorization", "Bearer " + t.reveal()).DELETE().build(), false));
            if (r.status() == 204 || r.status() == 200) {
                LOG.log(System.Logger.Level.INFO, "deleted the Graph draft of message {0} in mailbox {1} after a failure", message.messageId(), mailbox);
                return ambiguous ? "the draft was deleted from Drafts; that does not tell whether it was sent, as Exchange sends "
                        + "after accepting the request" : "the draft was deleted";
            }
            if (r.status() == 404 && ambiguous) {
                return "the draft is no longer in Drafts (Exchange moved it on: most likely sent)";
            }
            LOG.log(System.Logger.Level.WARNING, "could not delete the Graph draft of message {0} in mailbox {1}: {2}", message.messageId(), mailbox,
                    r.text());
            return "the draft could not be deleted (" + r.text() + ") and stays in the mailbox's Drafts folder";
        } catch (MailException | GraphTransport.Unauthorized e) {
            LOG.log(System.Logger.Level.WARNING, "could not delete the Graph draft of message {0} in mailbox {1}: {2}", message.messageId(), mailbox,
                    e.getMessage());
            return "the draft could not be deleted (" + e.getMessage() + ") and stays in the mailbox's Drafts folder";
        }
    }

    private static MailException withNote(MailException e, String note) {
        String text = e.getMessage() + " (Graph draft path: " + note + ")";
        if (e.retryAfter().isPresent()) {
            return new MailException(e.code(), text, e.serverReply().orElse(null), e.retryAfter().get(), e);
        }
        return new MailException(e.code(), text, e.serverReply().orElse(null), e.hint(), e.fieldProblems(), e);
    }

    private static JsonObject json(String body) {
        try {
            JsonElement e = JsonParser.parseString(body);
            return e.isJsonObject() ? e.getAsJsonObject() : new JsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            return new JsonObject();
        }
    }

    private static byte[] base64(byte[] prefix, byte[] mime) {
        byte[] all = new byte[prefix.length + mime.length];
        System.arraycopy(prefix, 0, all, 0, prefix.length);
        System.arraycopy(mime, 0, all, prefix.length, mime.length);
        return Base64.getEncoder().encode(all);
    }

    /** A failure from inside the message's write, carried out of it. */
    private static final class Abort extends IOException {
        private static final long serialVersionUID = 1L;
        private final transient MailException failure;

        Abort(MailException failure) {
            super(failure.getMessage(), null);
            this.failure = failure;
        }
    }

    /** Receives the taken-out parts: decodes upload-session parts chunk by chunk; collects the base64 of the others. */
    private final class Uploader implements MimeSplitter.Sink {
        private final Set<Integer> sessions;
        private final Set<Integer> posts;
        private final List<MimeSplitter.Leaf> scanned;
        private final byte[] b64 = new byte[64 * 1024];
        private int b64Length;
        private byte[] chunk;
        private int chunkLength;
        private long offset;
        private long size;
        private URI uploadUrl;
        private ByteArrayOutputStream encoded;
        int done;

        Uploader(Set<Integer> sessions, Set<Integer> posts, List<MimeSplitter.Leaf> scanned) {
            this.sessions = sessions;
            this.posts = posts;
            this.scanned = scanned;
        }

        @Override
        public void start(MimeSplitter.Leaf found) throws IOException {
            // the sizes are those of the scan: this write has not read the part yet
            MimeSplitter.Leaf leaf = found.index < scanned.size() ? scanned.get(found.index) : found;
            try {
                if (posts.contains(leaf.index)) {
                    encoded = new ByteArrayOutputStream((int) Math.min(leaf.base64Chars + 16, GraphTransport.MAX_MESSAGE_SIZE * 2));
                    return;
                }
                size = leaf.decodedSize();
                offset = 0;
                b64Length = 0;
                chunkLength = 0;
                if (chunk == null) {
                    chunk = new byte[CHUNK];
                }
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("attachmentType", "file");
                item.put("name", leaf.fileName);
                item.put("size", size);
                item.put("contentType", leaf.contentType);
                if (leaf.contentId != null) {
                    item.put("isInline", leaf.inline);
                    item.put("contentId", leaf.contentId);
                }
                byte[] json = GraphJson.write(Map.of("AttachmentItem", item)).getBytes(StandardCharsets.UTF_8);
                URI uri = URI.create(base + "/" + URLEncoder.encode(draftId, StandardCharsets.UTF_8) + "/attachments/createUploadSession");
                GraphReply r = step("create an upload session", true, true, t -> post(uri, t, "application/json", json));
                if (r.status() == 400 && r.is("ErrorAttachmentSizeShouldNotBeLessThanMinimumSize") && size < SESSION_MIN) {
                    // just under 3 MB by Graph's count: one POST after all
                    encoded = new ByteArrayOutputStream((int) Math.min(leaf.base64Chars + 16, GraphTransport.MAX_MESSAGE_SIZE * 2));
                    return;
                }
                if (r.status() != 201 && r.status() != 200) {
                    throw new Abort(GraphFailures.draftStep(r, "create an upload session", mailbox, context.clock().instant()));
                }
                String url = GraphReply.text(json(r.body()), "uploadUrl");
                if (url.isEmpty()) {
                    throw new Abort(new MailException(MailErrorCode.TEMPORARY_FAILURE, "Graph opened an upload session without an upload URL; "
                            + "nothing was sent", r.text(), null, List.of(), null));
                }
                try {
                    uploadUrl = URI.create(url);
                } catch (IllegalArgumentException e) { // its message would show the URL's token
                    throw new Abort(new MailException(MailErrorCode.TEMPORARY_FAILURE, "Graph answered an upload URL that is not a valid URI "
                            + "(not shown: it carries a token); nothing was sent"));
                }
            } catch (MailException e) {
                throw new Abort(e);
            }
        }

        @Override
        public void base64(byte[] line, int off, int len) throws IOException {
            if (encoded != null) {
                for (int i = off; i < off + len; i++) {
                    byte c = line[i];
                    if (c != '\r' && c != '\n' && c != ' ' && c != '\t') {
                        encoded.write(c);
                    }
                }
                return;
            }
            for (int i = off; i < off + len; i++) {
                byte c = line[i];
                if (c == '\r' || c == '\n' || c == ' ' || c == '\t') {
                    continue;
                }
                b64[b64Length++] = c;
                if (b64Length == b64.length) {
                    decode();
                }
            }
        }

        /** Decodes the collected base64 (a multiple of 4 characters) into the chunk, sending full chunks. */
        private void decode() throws IOException {
            int whole = b64Length / 4 * 4;
            byte[] decoded;
            try {
                java.nio.ByteBuffer bb = Base64.getDecoder().decode(java.nio.ByteBuffer.wrap(b64, 0, whole));
                decoded = new byte[bb.remaining()];
                bb.get(decoded);
            } catch (IllegalArgumentException e) {
                throw new Abort(new MailException(MailErrorCode.INVALID_EMAIL, "an attachment of the message is not valid base64 (" + e.getMessage()
                        + "); nothing was sent"));
            }
            System.arraycopy(b64, whole, b64, 0, b64Length - whole);
            b64Length -= whole;
            int at = 0;
            while (at < decoded.length) {
                int n = Math.min(decoded.length - at, CHUNK - chunkLength);
                System.arraycopy(decoded, at, chunk, chunkLength, n);
                chunkLength += n;
                at += n;
                if (chunkLength == CHUNK) {
                    put();
                }
            }
        }

        private void put() throws IOException {
            if (chunkLength == 0) {
                return;
            }
            long first = offset;
            long last = offset + chunkLength - 1;
            if (last >= size) {
                throw new Abort(new MailException(MailErrorCode.INTERNAL, "an attachment of the message grew between two writes; nothing was sent"));
            }
            try {
                putChunk(first, last);
            } catch (MailException e) {
                throw new Abort(e);
            }
            offset += chunkLength;
            chunkLength = 0;
        }

        /**
         * PUTs the chunk's bytes {@code first..last} and checks that the session took them: the last chunk must be answered
         * 201 (the attachment is complete), any other 200 or 202 with {@code nextExpectedRanges} from {@code last + 1}.
         * After an answer that does not tell whether the chunk was stored (500, 502, 503 and 504 without Retry-After, a
         * broken connection), the upload URL is asked where the session stands and the upload goes on from there.
         */
        private void putChunk(long first, long last) {
            boolean isLast = last == size - 1;
            long from = first;
            for (int attempt = 1; ; attempt++) {
                long at = from;
                HttpRequest request = HttpRequest.newBuilder(uploadUrl).timeout(timeout())
                        .header("Content-Range", "bytes " + at + "-" + last + "/" + size).header("Content-Type", "application/octet-stream")
                        .PUT(stream(chunk, (int) (at - first), (int) (last - at + 1))).build();
                GraphReply r;
                boolean unknown;
                try (MailboxGate.Slot slot = gate.enter(mailbox)) {
                    // no Authorization header: the upload URL carries its own token, and Graph refuses a bearer token there
                    r = uploadExchange(request);
                    unknown = r.status() == 500 || r.status() == 502 || r.status() == 504 || (r.status() == 503 && r.retryAfter() == null);
                } catch (IOException e) {
                    if (attempt >= ATTEMPTS) {
                        throw GraphFailures.network(e, true, false);
                    }
                    r = null;
                    unknown = true;
                }
                if (r != null && (r.status() == 200 || r.status() == 201 || r.status() == 202)) {
                    checkTaken(r, last, isLast);
                    return;
                }
                if (r != null && (r.status() == 429 || (r.status() == 503 && r.retryAfter() != null)) && attempt < ATTEMPTS) {
                    Duration wait = r.wait(context.clock().instant()).orElse(Duration.ofSeconds(attempt));
                    if (wait.compareTo(MAX_WAIT) <= 0) {
                        pause(wait); // not processed: the same range again
                        continue;
                    }
                }
                if (unknown && attempt < ATTEMPTS) {
                    pause(r == null ? Duration.ofSeconds(attempt - 1L) : r.wait(context.clock().instant()).orElse(Duration.ofSeconds(attempt)));
                    from = nextExpected(first, last, isLast);
                    if (from > last) {
                        return; // the chunk was stored, only its answer was lost
                    }
                    continue;
                }
                throw r == null ? new MailException(MailErrorCode.TEMPORARY_FAILURE, "uploading a chunk failed; nothing was sent")
                        : GraphFailures.draftStep(r, "upload a chunk", mailbox, context.clock().instant());
            }
        }

        /** A 200, 201 or 202 to a chunk: the session must have taken it. */
        private void checkTaken(GraphReply r, long last, boolean isLast) {
            if (isLast ? r.status() == 201 : r.status() != 201 && nextStart(r) == last + 1) {
                return;
            }
            throw new MailException(MailErrorCode.TEMPORARY_FAILURE, "the upload session did not take a chunk of an attachment (bytes up to " + last
                    + " of " + size + " sent, Graph answered " + r.status() + (isLast ? ", not 201 Created for the last" : rangesOf(r)) + "); nothing was sent, the message is tried again "
                    + "from the start", r.text(), null, List.of(), null);
        }

        /** After an answer that does not tell whether a chunk was stored: where the session stands, from {@code GET} of its URL. */
        private long nextExpected(long first, long last, boolean isLast) {
            GraphReply r;
            try (MailboxGate.Slot slot = gate.enter(mailbox)) {
                r = uploadExchange(HttpRequest.newBuilder(uploadUrl).timeout(timeout()).GET().build());
            } catch (IOException e) {
                throw GraphFailures.network(e, false, false);
            }
            if (r.status() == 200) {
                long next = nextStart(r);
                if (next >= first && next <= last + 1 && !(isLast && next == last + 1)) {
                    return next;
                }
            }
            // a finished session is gone (404): whether the last chunk completed the attachment cannot be told
            throw new MailException(MailErrorCode.TEMPORARY_FAILURE, "after an unclear answer to a chunk, the upload session could not tell "
                    + "where it stands (" + r.text() + rangesOf(r) + "); nothing was sent, the message is tried again from the start", r.text(),
                    null, List.of(), null);
        }

        /** One request to the upload URL (never with a bearer token): any status, a 401 included. */
        private GraphReply uploadExchange(HttpRequest request) throws IOException {
            try {
                return GraphReply.of(transport.client(account).send(request, HttpResponse.BodyHandlers.ofString()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for Graph");
            }
        }

        @Override
        public void end(MimeSplitter.Leaf leaf) throws IOException {
            if (encoded != null) {
                byte[] content = encoded.toByteArray();
                encoded = null;
                postAttachment(leaf, content);
                done++;
                return;
            }
            if (b64Length > 0) {
                byte[] rest = java.util.Arrays.copyOf(b64, b64Length);
                b64Length = 0;
                byte[] decoded;
                try {
                    decoded = Base64.getDecoder().decode(rest);
                } catch (IllegalArgumentException e) {
                    throw new Abort(new MailException(MailErrorCode.INVALID_EMAIL, "an attachment of the message is not valid base64; nothing was sent"));
                }
                for (int at = 0; at < decoded.length; ) {
                    int n = Math.min(decoded.length - at, CHUNK - chunkLength);
                    System.arraycopy(decoded, at, chunk, chunkLength, n);
                    chunkLength += n;
                    at += n;
                    if (chunkLength == CHUNK) {
                        put();
                    }
                }
            }
            put();
            if (offset != size) {
                throw new Abort(new MailException(MailErrorCode.INTERNAL, "an attachment of the message changed size between two writes ("
                        + offset + " of " + size + " bytes); nothing was sent"));
            }
            done++;
        }

        /** A smaller attachment that does not fit in the draft: one POST with its base64 as contentBytes. */
        private void postAttachment(MimeSplitter.Leaf leaf, byte[] base64) throws IOException {
            byte[] h = attachmentHead(leaf);
            byte[] body = new byte[h.length + base64.length + 2];
            System.arraycopy(h, 0, body, 0, h.length);
            System.arraycopy(base64, 0, body, h.length, base64.length);
            body[body.length - 2] = '"';
            body[body.length - 1] = '}';
            URI uri = URI.create(base + "/" + URLEncoder.encode(draftId, StandardCharsets.UTF_8) + "/attachments");
            try {
                // not repeated after a 5xx: a POST that was carried out would attach the file twice
                GraphReply r = step("add an attachment", true, false, t -> post(uri, t, "application/json", body));
                if (r.status() != 201 && r.status() != 200) {
                    throw new Abort(GraphFailures.draftStep(r, "add an attachment", mailbox, context.clock().instant()));
                }
            } catch (MailException e) {
                throw new Abort(e);
            }
        }
    }

    /** The start of the first of {@code nextExpectedRanges} ("12345-" or "12345-67890"), or -1. */
    static long nextStart(GraphReply r) {
        JsonElement ranges = ranges(r);
        if (ranges == null || !ranges.isJsonArray() || ranges.getAsJsonArray().isEmpty() || !ranges.getAsJsonArray().get(0).isJsonPrimitive()) {
            return -1;
        }
        String first = ranges.getAsJsonArray().get(0).getAsString();
        int dash = first.indexOf('-');
        try {
            return Long.parseLong(dash < 0 ? first.strip() : first.substring(0, dash).strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String rangesOf(GraphReply r) {
        JsonElement ranges = ranges(r);
        return ranges == null ? "" : ", nextExpectedRanges " + ranges;
    }

    /** {@code nextExpectedRanges} in any case: the upload URL (outlook.office.com) answers {@code NextExpectedRanges}. */
    private static JsonElement ranges(GraphReply r) {
        for (Map.Entry<String, JsonElement> e : json(r.body()).entrySet()) {
            if (e.getKey().equalsIgnoreCase("nextExpectedRanges")) {
                return e.getValue();
            }
        }
        return null;
    }

    /** The little JSON written here. */
    static final class GraphJson {
        private GraphJson() {
        }

        private static final com.google.gson.Gson GSON = new com.google.gson.Gson(); // thread-safe

        static String write(Object value) {
            return GSON.toJson(value);
        }

        static String quote(String s) {
            return GSON.toJson(s);
        }
    }

}
