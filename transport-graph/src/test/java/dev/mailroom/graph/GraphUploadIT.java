package dev.mailroom.graph;

import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Security;
import dev.mailroom.spi.OutgoingMessage;
import dev.mailroom.spi.SendResult;
import dev.mailroom.spi.Transport;
import dev.mailroom.testkit.FakeGraphApi;
import dev.mailroom.testkit.FakeGraphApi.Failure;
import dev.mailroom.testkit.FakeGraphApi.Step;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static dev.mailroom.graph.GraphFixtures.MAILBOX;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Messages over Graph's request limit: a draft, upload sessions in chunks, then send; failures delete the draft. */
final class GraphUploadIT {
    private static final long MB = 1_000_000;
    private final FakeGraphApi graph = FakeGraphApi.start();
    private final GraphFixtures.CountingTokens tokens = new GraphFixtures.CountingTokens();
    private final Transport transport = GraphTransportProvider.builder().graphUrl(graph.rootUrl()).build().open(GraphFixtures.context(tokens));

    @AfterEach
    void stop() {
        transport.close();
        graph.close();
    }

    private SendResult send(OutgoingMessage m) {
        return transport.send(GraphFixtures.resolved(), m);
    }

    private static OutgoingMessage large(long size) {
        return LargeMessages.message(List.of("kunde@example.test"), LargeMessages.Part.file("bericht.pdf", size, 7));
    }

    private List<Step> steps() {
        return graph.requests().stream().map(FakeGraphApi.Request::step).toList();
    }

    @Test
    @DisplayName("B8 D4: a 20 MB attachment goes through an upload session in chunks (no Authorization, 320 KiB multiples); the draft is made "
            + "from the rest of the MIME and sent; the live heap grows by at most 10 MB")
    void twentyMegabytes_uploadSession_boundedHeap() throws Exception {
        send(large(4 * MB)); // warm-up: HTTP client, classes, buffers
        LargeMessages.Part part = LargeMessages.Part.file("bericht.pdf", 20 * MB, 42);
        OutgoingMessage m = LargeMessages.message(List.of("kunde@example.test"), part);
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long before = liveHeap(memory);
        AtomicLong highest = new AtomicLong(before);
        AtomicBoolean sending = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (sending.get()) {
                highest.accumulateAndGet(liveHeap(memory), Math::max);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // a sampling interval, not a synchronisation
            }
        }, "heap-sampler");
        sampler.setDaemon(true);
        sampler.start();
        SendResult r;
        try {
            r = send(m);
        } finally {
            sending.set(false);
            sampler.join(TimeUnit.SECONDS.toMillis(30));
        }
        long growth = highest.get() - before;
        System.out.printf("live heap before %d KiB, highest while sending 20 MB %d KiB, growth %d KiB%n", before >> 10, highest.get() >> 10,
                growth >> 10);
        assertTrue(growth <= 10L << 20, "live heap grew by " + growth + " bytes while sending 20 MB");

        assertTrue(r.serverReply().startsWith("202"), r.serverReply());
        FakeGraphApi.Delivered d = graph.delivered().get(1);
        assertEquals(List.of("kunde@example.test"), d.recipients());
        assertEquals(1, d.attachments().size());
        FakeGraphApi.Attachment a = d.attachments().get(0);
        assertEquals(List.of("bericht.pdf", "application/pdf", 20 * MB, part.sha256(), true),
                List.of(a.name(), a.contentType(), a.size(), a.sha256(), a.uploaded()));
        assertNull(a.bytes(), "the fake keeps only a digest of 20 MB");
        String draft = d.text();
        assertTrue(draft.contains("Message-ID: " + m.messageId()) && draft.contains("X-Mailroom-Tag: quarterly")
                && draft.contains("Der Bericht liegt bei."), "headers and text stay in the draft's MIME");
        assertFalse(draft.contains("bericht.pdf"), "the attachment is not in the draft");
        List<FakeGraphApi.Request> chunks = graph.requests().stream().filter(q -> q.step() == Step.UPLOAD_CHUNK).toList();
        assertTrue(chunks.size() >= 7, chunks.toString());
        assertTrue(chunks.stream().allMatch(q -> q.token().isEmpty()), "no bearer token to the upload URL");
        assertTrue(graph.drafts().isEmpty());
    }

    /** The live heap: after a full collection, heap pools only. */
    private static long liveHeap(MemoryMXBean memory) {
        System.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    @Test
    @DisplayName("B8 D4: without Mail.ReadWrite the draft is refused 403: API_PERMISSION_MISSING naming Mail.ReadWrite with a hint; nothing sent, "
            + "no draft left, no upload")
    void withoutMailReadWrite() {
        graph.withoutMailReadWrite();
        MailException e = assertThrows(MailException.class, () -> send(large(4 * MB)));
        assertEquals(MailErrorCode.API_PERMISSION_MISSING, e.code());
        assertTrue(e.getMessage().contains("Mail.ReadWrite") && e.hint().contains("Mail.ReadWrite"), e.toString());
        assertTrue(e.serverReply().orElseThrow().startsWith("403 ErrorAccessDenied"));
        assertEquals(List.of(Step.CREATE_DRAFT), steps());
        assertTrue(graph.drafts().isEmpty() && graph.delivered().isEmpty());
        send(GraphFixtures.message(2000, "kunde@example.test")); // sendMail needs only Mail.Send
        assertEquals(1, graph.delivered().size());
    }

    @Test
    @DisplayName("B8 D4: a failed chunk (500) deletes the draft: the error says so, nothing is sent, no draft is left")
    void chunkFailure_deletesDraft() {
        graph.failNext(Step.UPLOAD_CHUNK, Failure.status(500, "InternalServerError", "Something went wrong."));
        MailException e = assertThrows(MailException.class, () -> send(large(5 * MB)));
        assertEquals(MailErrorCode.TEMPORARY_FAILURE, e.code());
        assertTrue(e.getMessage().contains("the draft was deleted"), e.getMessage());
        assertFalse(e.getMessage().contains("upload-secret"), "the upload URL's token is never shown");
        assertEquals(List.of(Step.CREATE_DRAFT, Step.CREATE_UPLOAD_SESSION, Step.UPLOAD_CHUNK, Step.DELETE), steps());
        assertTrue(graph.drafts().isEmpty() && graph.delivered().isEmpty());
    }

    @Test
    @DisplayName("B8 D4: 429 with Retry-After on a chunk is honoured: the same range again after the wait, then sent once")
    void throttledChunk_retryAfterHonoured() {
        graph.failNext(Step.UPLOAD_CHUNK, Failure.status(429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.")
                .retryAfter("1"));
        send(large(4 * MB));
        List<FakeGraphApi.Request> chunks = graph.requests().stream().filter(q -> q.step() == Step.UPLOAD_CHUNK).toList();
        assertEquals(chunks.get(0).contentRange(), chunks.get(1).contentRange(), "the throttled range is sent again");
        long waited = chunks.get(1).nanoTime() - chunks.get(0).nanoTime();
        assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(950), "waited " + waited / 1_000_000 + " ms for Retry-After: 1");
        assertEquals(1, steps().stream().filter(s -> s == Step.SEND_DRAFT).count());
        assertEquals(4 * MB, graph.delivered().get(0).attachments().get(0).size());
    }

    @Test
    @DisplayName("B8 D4: 503 with Retry-After on the draft and 504 on the upload session are retried (they send nothing)")
    void unavailableSteps_retried() {
        graph.failNext(Step.CREATE_DRAFT, Failure.status(503, "ServiceUnavailable", "Service Unavailable").retryAfter("0"));
        graph.failNext(Step.CREATE_UPLOAD_SESSION, Failure.status(504, "GatewayTimeout", "Gateway Timeout").retryAfter("0"));
        send(large(4 * MB));
        assertEquals(1, graph.delivered().size());
        assertEquals(2, steps().stream().filter(s -> s == Step.CREATE_DRAFT).count());
        assertEquals(2, steps().stream().filter(s -> s == Step.CREATE_UPLOAD_SESSION).count());
    }

    @Test
    @DisplayName("B8 D4: 504 on the final send is DELIVERY_UNCERTAIN, the send is not repeated, the draft's fate is in the message")
    void sendAmbiguous_notRepeated() {
        graph.failNext(Step.SEND_DRAFT, Failure.status(504, "GatewayTimeout", "Gateway Timeout"));
        MailException e = assertThrows(MailException.class, () -> send(large(4 * MB)));
        assertEquals(MailErrorCode.DELIVERY_UNCERTAIN, e.code());
        assertEquals(1, steps().stream().filter(s -> s == Step.SEND_DRAFT).count());
        assertTrue(e.getMessage().contains("draft"), e.getMessage());
        assertTrue(graph.drafts().isEmpty());
    }

    @Test
    @DisplayName("B8 D4: a connection dropped on the final send is DELIVERY_UNCERTAIN and the send is made once")
    void sendDropped_ambiguous() {
        graph.failNext(Step.SEND_DRAFT, Failure.dropAfterBody());
        MailException e = assertThrows(MailException.class, () -> send(large(4 * MB)));
        assertEquals(MailErrorCode.DELIVERY_UNCERTAIN, e.code(), e.toString());
        assertEquals(1, steps().stream().filter(s -> s == Step.SEND_DRAFT).count());
    }

    @Test
    @DisplayName("B8 D4: 401 on the draft refreshes the token once and goes on with the fresh one")
    void unauthorizedDraft_refreshOnce() {
        graph.failNext(Step.CREATE_DRAFT, Failure.unauthorized());
        send(large(4 * MB));
        assertEquals(1, tokens.refreshes.get());
        assertEquals(List.of("token-1", "token-2"), graph.requests().stream().filter(q -> q.step() == Step.CREATE_DRAFT)
                .map(FakeGraphApi.Request::token).toList());
        assertEquals(1, graph.delivered().size());
    }

    @Test
    @DisplayName("B8 D4: a refused send (400 ErrorInvalidRecipients) deletes the draft")
    void sendRefused_deletesDraft() {
        graph.refuseRecipient("kunde@example.test");
        MailException e = assertThrows(MailException.class, () -> send(large(4 * MB)));
        assertEquals(MailErrorCode.RECIPIENT_REJECTED, e.code());
        assertEquals(Step.DELETE, steps().get(steps().size() - 1));
        assertTrue(graph.drafts().isEmpty() && graph.delivered().isEmpty());
    }

    @Test
    @DisplayName("B8 D4: small attachments stay in the draft; when they do not fit, the largest go as one POST each; an inline image keeps its "
            + "Content-ID; Bcc recipients are in the draft's Bcc header")
    void mediumAttachments_andInline() {
        OutgoingMessage m = LargeMessages.message(List.of("kunde@example.test", "archiv@example.test"),
                LargeMessages.Part.file("a.pdf", 1_500_000, 1), LargeMessages.Part.file("b.pdf", 1_400_000, 2),
                LargeMessages.Part.file("c.pdf", 20_000, 3), new LargeMessages.Part("logo.png", "image/png", 3_500_000, 4, "logo@contoso.test"));
        send(m);
        FakeGraphApi.Delivered d = graph.delivered().get(0);
        assertEquals(List.of("kunde@example.test", "archiv@example.test"), d.recipients());
        List<String> names = d.attachments().stream().map(FakeGraphApi.Attachment::name).toList();
        assertTrue(names.contains("logo.png") && names.contains("a.pdf"), names.toString());
        FakeGraphApi.Attachment logo = d.attachments().stream().filter(a -> a.name().equals("logo.png")).findFirst().orElseThrow();
        assertEquals(List.of(true, "logo@contoso.test", true), List.of(logo.inline(), logo.contentId(), logo.uploaded()));
        FakeGraphApi.Attachment a = d.attachments().stream().filter(x -> x.name().equals("a.pdf")).findFirst().orElseThrow();
        assertEquals(List.of(false, LargeMessages.Part.file("a.pdf", 1_500_000, 1).sha256()), List.of(a.uploaded(), a.sha256()));
        assertTrue(d.text().contains("c.pdf"), "the small one stays in the draft's MIME");
        FakeGraphApi.Request draft = graph.requests().stream().filter(q -> q.step() == Step.CREATE_DRAFT).findFirst().orElseThrow();
        assertTrue(draft.text().startsWith("Bcc: archiv@example.test\r\n"), "Bcc recipients named in the draft");
        assertTrue(draft.mime().length < GraphTransportProvider.SINGLE_REQUEST_SIZE);
    }

    @Test
    @DisplayName("B8 D4: messages up to 3 MiB still take one sendMail request; a text too large for one request without attachments is "
            + "refused before any request")
    void smallStillSendMail() {
        send(GraphFixtures.message(2_000_000, "kunde@example.test"));
        assertEquals(List.of(Step.SEND_MAIL), steps());
        MailException e = assertThrows(MailException.class, () -> send(GraphFixtures.message((int) GraphTransportProvider.SINGLE_REQUEST_SIZE + 10,
                "kunde@example.test")));
        assertEquals(MailErrorCode.MESSAGE_TOO_LARGE, e.code());
        assertEquals(1, graph.requests().size());
    }

    @Test
    @DisplayName("B8 D4: at most 4 requests per mailbox at once during uploads (chunk PUTs included): 6 large sends in parallel, the fake "
            + "answering each request 30 ms late, never see more than 4 under way for the mailbox")
    void capHoldsDuringUploads() throws Exception {
        graph.delayEach(Duration.ofMillis(30));
        ExecutorService pool = Executors.newFixedThreadPool(7);
        try {
            List<Future<SendResult>> sends = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                sends.add(pool.submit(() -> send(large(4 * MB))));
            }
            ResolvedAccount other = ResolvedAccount.of(GraphFixtures.account().id("graph-2").email("other@contoso.test").build(), null,
                    Security.STARTTLS);
            Future<SendResult> otherSend = pool.submit(() -> transport.send(other,
                    LargeMessages.message("other@contoso.test", List.of("kunde@example.test"), LargeMessages.Part.file("x.pdf", 4 * MB, 9))));
            for (Future<SendResult> f : sends) {
                f.get(60, TimeUnit.SECONDS);
            }
            otherSend.get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(7, graph.delivered().size());
        int most = graph.maxInFlight(MAILBOX);
        assertTrue(most <= 4, "at most 4 under way for the mailbox, saw " + most);
        assertTrue(most >= 2, "the sends did run in parallel (saw " + most + ")");
        assertTrue(graph.maxInFlight("other@contoso.test") >= 1);
    }
}
