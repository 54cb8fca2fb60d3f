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

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

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
            + "from the rest of the MIME and sent")
    void twentyMegabytes_uploadSession() {
        LargeMessages.Part part = LargeMessages.Part.file("bericht.pdf", 20 * MB, 42);
        OutgoingMessage m = LargeMessages.message(List.of("kunde@example.test"), part);
        SendResult r = send(m);
        assertTrue(r.serverReply().startsWith("202"), r.serverReply());
        FakeGraphApi.Delivered d = graph.delivered().get(0);
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

    @Test
    @DisplayName("B8 D4: bounded heap: a JVM of its own with -Xmx64m sends a 100 MB attachment (133 MB of base64 in the MIME) through the "
            + "fake in the same JVM; it would run out of memory if anything held the message or the attachment whole")
    void hundredMegabytes_inSixtyFourMegabyteHeap() throws Exception {
        String javaExe = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(javaExe, "-Xmx64m", "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"),
                GraphUploadHeapMain.class.getName(), String.valueOf(100 * MB)).redirectErrorStream(true);
        Process p = pb.start();
        String out;
        try {
            java.util.concurrent.CompletableFuture<String> read = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                } catch (java.io.IOException e) {
                    return e.toString();
                }
            });
            assertTrue(p.waitFor(180, TimeUnit.SECONDS), "the forked JVM did not finish in 180 s");
            out = read.get(10, TimeUnit.SECONDS);
        } finally {
            p.destroyForcibly();
        }
        System.out.println("forked JVM: " + out.strip());
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("OK " + 100 * MB), out);
    }

    @Test
    @DisplayName("B8 D4: without Mail.ReadWrite the draft is refused 403: MESSAGE_TOO_LARGE (this message only, the mailbox is not held) "
            + "naming Mail.ReadWrite with a hint; nothing sent, no draft left, no upload; a small mail after it goes out")
    void withoutMailReadWrite() {
        graph.withoutMailReadWrite();
        MailException e = assertThrows(MailException.class, () -> send(large(4 * MB)));
        assertEquals(MailErrorCode.MESSAGE_TOO_LARGE, e.code());
        assertEquals(MailErrorCode.Category.MESSAGE, e.code().category());
        assertTrue(e.getMessage().contains("Mail.ReadWrite") && e.hint().contains("Mail.ReadWrite"), e.toString());
        assertTrue(e.serverReply().orElseThrow().startsWith("403 ErrorAccessDenied"));
        assertEquals(List.of(Step.CREATE_DRAFT), steps());
        assertTrue(graph.drafts().isEmpty() && graph.delivered().isEmpty());
        send(GraphFixtures.message(2000, "kunde@example.test")); // sendMail needs only Mail.Send
        assertEquals(1, graph.delivered().size());
    }

    @Test
    @DisplayName("B8 D4: a failed chunk (404, the session expired) deletes the draft: TEMPORARY, the error says so, nothing is sent, no draft is left")
    void chunkFailure_deletesDraft() {
        graph.failNext(Step.UPLOAD_CHUNK, Failure.status(404, "ErrorItemNotFound", "The upload session does not exist or has expired."));
        MailException e = assertThrows(MailException.class, () -> send(large(5 * MB)));
        assertEquals(MailErrorCode.TEMPORARY_FAILURE, e.code());
        assertTrue(e.getMessage().contains("the draft was deleted"), e.getMessage());
        assertFalse(e.getMessage().contains("upload-secret"), "the upload URL's token is never shown");
        assertEquals(List.of(Step.CREATE_DRAFT, Step.CREATE_UPLOAD_SESSION, Step.UPLOAD_CHUNK, Step.DELETE), steps());
        assertTrue(graph.drafts().isEmpty() && graph.delivered().isEmpty());
    }

    private static OutgoingMessage withPostedAttachments() {
        return LargeMessages.message(List.of("kunde@example.test"), LargeMessages.Part.file("a.pdf", 1_500_000, 1),
                LargeMessages.Part.file("b.pdf", 1_400_000, 2), LargeMessages.Part.file("big.pdf", 3_500_000, 4));
    }

    @Test
    @DisplayName("B8 D4 review: the send budget (from the outbox lease) spent before the final send: the draft is deleted, TEMPORARY_FAILURE "
            + "(retryable, not ambiguous), POST /send never made")
    void sendBudgetSpent_noSend() {
        graph.delayEach(Duration.ofMillis(60));
        Transport budgeted = GraphTransportProvider.builder().graphUrl(graph.rootUrl()).build().open(dev.mailroom.spi.TransportContext.builder()
                .timeouts(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2)).accessTokens(tokens)
                .sendBudget(Duration.ofMillis(100)).build());
        try {
            MailException e = assertThrows(MailException.class, () -> budgeted.send(GraphFixtures.resolved(), large(4 * MB)));
            assertEquals(MailErrorCode.TEMPORARY_FAILURE, e.code(), e.toString());
            assertTrue(e.getMessage().contains("the draft was deleted"), e.getMessage());
            assertFalse(steps().contains(Step.SEND_DRAFT), steps().toString());
            assertTrue(graph.drafts().isEmpty() && graph.delivered().isEmpty());
        } finally {
            budgeted.close();
        }
    }

    @Test
    @DisplayName("B8 D4 review: upload-step refusals are TEMPORARY (the mail is tried again from the start), never an account code; hints "
            + "do not name Mail.Send or sendMail")
    void uploadStepRefusals_mapped() {
        record Case(Step step, Failure failure, MailErrorCode code, boolean posts) {
        }
        List<Case> cases = List.of(
                new Case(Step.CREATE_UPLOAD_SESSION, Failure.status(404, "ErrorItemNotFound", "The specified object was not found in the store."),
                        MailErrorCode.TEMPORARY_FAILURE, false),
                new Case(Step.UPLOAD_CHUNK, Failure.status(416, "InvalidRange", "The range is not valid."), MailErrorCode.TEMPORARY_FAILURE, false),
                new Case(Step.UPLOAD_CHUNK, Failure.status(400, "InvalidRange", "The range is not valid."), MailErrorCode.TEMPORARY_FAILURE, false),
                new Case(Step.UPLOAD_CHUNK, Failure.unauthorized(), MailErrorCode.TEMPORARY_FAILURE, false),
                new Case(Step.ADD_ATTACHMENT, Failure.status(404, "ErrorItemNotFound", "The specified object was not found in the store."),
                        MailErrorCode.TEMPORARY_FAILURE, true),
                new Case(Step.SEND_DRAFT, Failure.status(404, "ErrorItemNotFound", "The specified object was not found in the store."),
                        MailErrorCode.TEMPORARY_FAILURE, false),
                new Case(Step.CREATE_UPLOAD_SESSION, Failure.accessDenied(), MailErrorCode.MESSAGE_TOO_LARGE, false),
                new Case(Step.ADD_ATTACHMENT, Failure.accessDenied(), MailErrorCode.MESSAGE_TOO_LARGE, true),
                new Case(Step.ADD_ATTACHMENT, Failure.status(413, "RequestBodyTooLarge", "The maximum request length supported is 4MB."),
                        MailErrorCode.MESSAGE_TOO_LARGE, true));
        for (Case c : cases) {
            graph.failNext(c.step(), c.failure());
            MailException e = assertThrows(MailException.class, () -> send(c.posts() ? withPostedAttachments() : large(4 * MB)), c.toString());
            String all = e.getMessage() + " " + e.hint();
            assertEquals(c.code(), e.code(), c + ": " + e);
            assertFalse(all.contains("Mail.Send") || all.contains("sendMail"), c + ": " + all);
            assertTrue(e.getMessage().contains("draft was deleted"), c + ": " + e.getMessage());
            if (c.failure().equals(Failure.accessDenied()) || e.code() == MailErrorCode.MESSAGE_TOO_LARGE && e.serverReply().orElse("").startsWith("403")) {
                assertTrue(all.contains("Mail.ReadWrite"), c + ": " + all);
            }
            assertTrue(graph.drafts().isEmpty() && graph.delivered().isEmpty(), c.toString());
        }
    }

    @Test
    @DisplayName("B8 D4 review: an attachment POST answered 504 after it was applied is not repeated (it would attach twice): TEMPORARY, the "
            + "draft is deleted, nothing sent")
    void attachmentPost504_notRepeated() {
        graph.failNext(Step.ADD_ATTACHMENT, Failure.status(504, "GatewayTimeout", "Gateway Timeout").retryAfter("0").afterApplying());
        MailException e = assertThrows(MailException.class, () -> send(withPostedAttachments()));
        assertEquals(MailErrorCode.TEMPORARY_FAILURE, e.code(), e.toString());
        assertEquals(1, steps().stream().filter(s -> s == Step.ADD_ATTACHMENT).count(), steps().toString());
        assertTrue(graph.drafts().isEmpty() && graph.delivered().isEmpty());
    }

    @Test
    @DisplayName("B8 D4 review: a chunk stored but answered 504 (or its connection dropped): the upload URL is asked where it stands and the "
            + "upload resumes there; the attachment arrives whole, once")
    void chunkApplied504_resumes() {
        for (Failure f : List.of(Failure.status(504, "GatewayTimeout", "Gateway Timeout").retryAfter("0").afterApplying(),
                Failure.dropAfterBody().afterApplying())) {
            int before = graph.delivered().size();
            graph.failNext(Step.UPLOAD_CHUNK, f);
            LargeMessages.Part part = LargeMessages.Part.file("bericht.pdf", 8 * MB, 11);
            send(LargeMessages.message(List.of("kunde@example.test"), part));
            FakeGraphApi.Delivered d = graph.delivered().get(before);
            assertEquals(1, d.attachments().size(), f.toString());
            assertEquals(List.of(8 * MB, part.sha256()), List.of(d.attachments().get(0).size(), d.attachments().get(0).sha256()), f.toString());
            assertTrue(steps().contains(Step.UPLOAD_STATUS), steps().toString());
        }
    }

    @Test
    @DisplayName("B8 D4 review: a chunk the session did not take (200 with nextExpectedRanges where it was), the last one not answered 201: "
            + "TEMPORARY, the draft deleted, never sent without its attachment")
    void chunkNotApplied_noticed() {
        for (long size : List.of(3_200_000L, 8 * MB)) { // one chunk (the last), several (an intermediate one)
            graph.failNext(Step.UPLOAD_CHUNK, Failure.chunkNotApplied());
            MailException e = assertThrows(MailException.class, () -> send(large(size)));
            assertEquals(MailErrorCode.TEMPORARY_FAILURE, e.code(), size + ": " + e);
            assertTrue(e.getMessage().contains("draft was deleted"), e.getMessage());
            assertTrue(graph.drafts().isEmpty() && graph.delivered().isEmpty(), String.valueOf(size));
        }
    }

    @Test
    @DisplayName("B8 D4 review: sizes around the upload-session minimum and the request limit: one POST while its base64 and JSON fit, an upload "
            + "session when they do not (back to one POST when Graph finds it too small), exact multiples of the chunk size")
    void sizeBoundaries() {
        long min = 3L << 20;
        long chunk = 10 * 320 * 1024;
        record Expect(long size, boolean uploaded) {
        }
        for (Expect x : List.of(new Expect(min - 200_000, false), new Expect(3_000_000, false), new Expect(min, true), new Expect(min + 1, true),
                new Expect(2 * chunk, true), new Expect(chunk, true))) {
            int before = graph.delivered().size();
            int requests = graph.requests().size();
            LargeMessages.Part part = LargeMessages.Part.file("grenze.pdf", x.size(), x.size());
            send(LargeMessages.message(List.of("kunde@example.test"), part));
            FakeGraphApi.Attachment a = graph.delivered().get(before).attachments().get(0);
            assertEquals(List.of(x.size(), part.sha256(), x.uploaded()), List.of(a.size(), a.sha256(), a.uploaded()), x.toString());
            List<FakeGraphApi.Request> mine = graph.requests().subList(requests, graph.requests().size());
            if (x.size() % chunk == 0) {
                assertEquals(x.size() / chunk, mine.stream().filter(q -> q.step() == Step.UPLOAD_CHUNK).count(), mine.toString());
            }
        }
        // just under the minimum: too large for one POST (base64 + JSON over 4 MB), an upload session if Graph counts 3 MB in decimal
        graph.sessionMinimum(3_000_000);
        LargeMessages.Part part = LargeMessages.Part.file("grenze.pdf", min - 1, 5);
        send(LargeMessages.message(List.of("kunde@example.test"), part));
        FakeGraphApi.Attachment a = graph.delivered().get(graph.delivered().size() - 1).attachments().get(0);
        assertEquals(List.of(min - 1, part.sha256(), true), List.of(a.size(), a.sha256(), a.uploaded()));
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

    @Test
    @DisplayName("B8 D4 review: a send interrupted during its uploads still deletes its draft (the flag is cleared for the delete and set "
            + "again after)")
    void interrupted_draftDeleted() throws Exception {
        graph.delayEach(Duration.ofMillis(200));
        java.util.concurrent.atomic.AtomicReference<Object> outcome = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean flagAfter = new java.util.concurrent.atomic.AtomicBoolean();
        Thread sender = new Thread(() -> {
            try {
                outcome.set(send(large(8 * MB)));
            } catch (MailException e) {
                outcome.set(e);
            }
            flagAfter.set(Thread.currentThread().isInterrupted());
        }, "graph-sender");
        sender.start();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!steps().contains(Step.CREATE_UPLOAD_SESSION) && System.nanoTime() < until) {
            Thread.onSpinWait(); // the fake records the request as it comes, before its 200 ms delay
        }
        sender.interrupt();
        sender.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(sender.isAlive());
        assertTrue(outcome.get() instanceof MailException, String.valueOf(outcome.get()));
        assertTrue(((MailException) outcome.get()).getMessage().contains("the draft was deleted"), outcome.get().toString());
        assertTrue(graph.drafts().isEmpty() && graph.delivered().isEmpty(), graph.drafts().toString());
        assertTrue(flagAfter.get(), "the interrupt flag is set again");
    }

    @Test
    @DisplayName("B8 D4 review: two attachments through upload sessions in one message, both whole")
    void twoSessionAttachments() {
        LargeMessages.Part a = LargeMessages.Part.file("eins.pdf", 4 * MB, 21);
        LargeMessages.Part b = LargeMessages.Part.file("zwei.pdf", 7 * MB, 22);
        send(LargeMessages.message(List.of("kunde@example.test"), a, b));
        List<FakeGraphApi.Attachment> got = graph.delivered().get(0).attachments();
        assertEquals(List.of(List.of("eins.pdf", 4 * MB, a.sha256(), true), List.of("zwei.pdf", 7 * MB, b.sha256(), true)),
                got.stream().map(x -> List.<Object>of(x.name(), x.size(), x.sha256(), x.uploaded())).toList());
    }

    @Test
    @DisplayName("B8 D4 review: a forwarded message (message/rfc822 with its own multipart and base64 attachment) stays whole in the draft, a "
            + "body line that only looks like the boundary is text; the large file goes through a session")
    void rfc822AndBoundaryLikeLine() {
        String b = "----=_outer_0815";
        String inner = "From: alt@example.test\r\nSubject: weitergeleitet\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"inner_1\"\r\n"
                + "\r\n--inner_1\r\nContent-Type: text/plain\r\n\r\nAlter Text\r\n--inner_1\r\nContent-Type: application/pdf; name=\"alt.pdf\"\r\n"
                + "Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"alt.pdf\"\r\n\r\n"
                + java.util.Base64.getMimeEncoder().encodeToString(new byte[30_000]) + "\r\n--inner_1--\r\n";
        LargeMessages.Part big = LargeMessages.Part.file("gross.pdf", 4 * MB, 23);
        String id = "<fwd-" + System.nanoTime() + "@contoso.test>";
        OutgoingMessage m = OutgoingMessage.builder(id, dev.mailroom.EmailAddress.of(MAILBOX), List.of(dev.mailroom.EmailAddress.of("kunde@example.test")))
                .content(out -> {
                    out.write(("Message-ID: " + id + "\r\nFrom: " + MAILBOX + "\r\nTo: kunde@example.test\r\nSubject: Fwd\r\nMIME-Version: 1.0\r\n"
                            + "Content-Type: multipart/mixed; boundary=\"" + b + "\"\r\n\r\n--" + b + "\r\nContent-Type: text/plain\r\n\r\nSiehe unten.\r\n--"
                            + b + "-kein-Trenner\r\n--" + b + "x\r\n--" + b + "\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; "
                            + "filename=\"fwd.eml\"\r\n\r\n" + inner + "--" + b + "\r\nContent-Type: application/pdf; name=\"gross.pdf\"\r\n"
                            + "Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"gross.pdf\"\r\n\r\n")
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    java.io.OutputStream keepOpen = new java.io.FilterOutputStream(out) {
                        @Override
                        public void write(byte[] bytes, int off, int len) throws java.io.IOException {
                            out.write(bytes, off, len);
                        }

                        @Override
                        public void close() throws java.io.IOException {
                            flush();
                        }
                    };
                    try (java.io.OutputStream enc = java.util.Base64.getMimeEncoder().wrap(keepOpen)) {
                        big.generate(enc);
                    }
                    out.write(("\r\n--" + b + "--\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                }).build();
        send(m);
        FakeGraphApi.Delivered d = graph.delivered().get(0);
        assertEquals(List.of(List.of("gross.pdf", 4 * MB, big.sha256(), true)),
                d.attachments().stream().map(x -> List.<Object>of(x.name(), x.size(), x.sha256(), x.uploaded())).toList());
        String draft = d.text();
        assertTrue(draft.contains(inner), "the forwarded message is in the draft, whole");
        assertTrue(draft.contains("\r\n--" + b + "-kein-Trenner\r\n--" + b + "x\r\n"), "boundary-like text lines stay text");
        assertFalse(draft.contains("gross.pdf"));
    }
}
