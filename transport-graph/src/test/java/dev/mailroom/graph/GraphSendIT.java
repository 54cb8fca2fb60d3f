package dev.mailroom.graph;

import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.spi.OutgoingMessage;
import dev.mailroom.spi.SendResult;
import dev.mailroom.spi.Transport;
import dev.mailroom.testkit.FakeGraphApi;
import dev.mailroom.testkit.FakeGraphApi.Failure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.mailroom.graph.GraphFixtures.MAILBOX;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Graph sendMail against the testkit's fake Graph: the request, every error mapping, ambiguity and the per-mailbox cap. */
final class GraphSendIT {
    private final FakeGraphApi graph = FakeGraphApi.start();
    private final GraphFixtures.CountingTokens tokens = new GraphFixtures.CountingTokens();
    private Transport transport = open(GraphTransportProvider.builder().graphUrl(graph.rootUrl()).build());

    private Transport open(GraphTransportProvider provider) {
        return provider.open(GraphFixtures.context(tokens));
    }

    @AfterEach
    void stop() {
        transport.close();
        graph.close();
    }

    private SendResult send(OutgoingMessage m) {
        return transport.send(GraphFixtures.resolved(), m);
    }

    private MailException refused(Failure f) {
        graph.failNext(f);
        MailException e = assertThrows(MailException.class, () -> send(GraphFixtures.message(500, "kunde@example.test")));
        assertTrue(graph.delivered().isEmpty());
        return e;
    }

    @Test
    @DisplayName("D4: sendMail for the account's mailbox with the MIME bytes in base64 as text/plain: Graph gets exactly what Mailroom rendered; 202 is accepted")
    void send_mimeExactly() throws Exception {
        OutgoingMessage m = GraphFixtures.message(2000, "kunde@example.test");
        SendResult r = send(m);
        assertTrue(r.serverReply().startsWith("202 Accepted"), r.serverReply());
        assertEquals(List.of("kunde@example.test"), r.accepted().stream().map(a -> a.address()).toList());
        FakeGraphApi.Request q = graph.requests().get(0);
        assertEquals(List.of("POST", MAILBOX, "token-1", "text/plain"), List.of(q.method(), q.user(), q.token(), q.contentType()));
        java.io.ByteArrayOutputStream rendered = new java.io.ByteArrayOutputStream();
        m.writeTo(rendered);
        assertArrayEquals(rendered.toByteArray(), q.mime());
    }

    @Test
    @DisplayName("D4: Bcc recipients (envelope only) go in a Bcc header in front, which Exchange does not pass on; To/Cc/Bcc all get it")
    void bcc_passedInHeader() {
        send(GraphFixtures.message(300, "kunde@example.test", "archiv@example.test"));
        assertTrue(graph.requests().get(0).text().startsWith("Bcc: archiv@example.test\r\n"));
        FakeGraphApi.Delivered d = graph.delivered().get(0);
        assertEquals(List.of("kunde@example.test", "archiv@example.test"), d.recipients());
        assertFalse(d.text().contains("archiv@"));
    }

    @Test
    @DisplayName("D4: a To address outside the envelope (retry for some recipients) is refused before any request: Graph would send to it again")
    void headerOutsideEnvelope_refused() {
        OutgoingMessage m = GraphFixtures.message(300, "kunde@example.test");
        OutgoingMessage retry = OutgoingMessage.builder(m.messageId(), m.envelopeFrom(), List.of(dev.mailroom.EmailAddress.of("other@example.test")))
                .content(m.content()).build();
        MailException e = assertThrows(MailException.class, () -> send(retry));
        assertEquals(MailErrorCode.PERMANENT_FAILURE, e.code());
        assertTrue(graph.requests().isEmpty());
    }

    @Test
    @DisplayName("D4: 401 refreshes the token once and sends with the fresh one; a second 401 is AUTH_FAILED")
    void unauthorized_refreshOnce() {
        graph.failNext(Failure.unauthorized());
        send(GraphFixtures.message(300, "kunde@example.test"));
        assertEquals(List.of("token-1", "token-2"), graph.requests().stream().map(FakeGraphApi.Request::token).toList());
        assertEquals(1, tokens.refreshes.get());
        graph.failNext(Failure.unauthorized()).failNext(Failure.unauthorized());
        MailException e = assertThrows(MailException.class, () -> send(GraphFixtures.message(300, "kunde@example.test")));
        assertEquals(MailErrorCode.AUTH_FAILED, e.code());
        assertTrue(e.serverReply().orElseThrow().contains("InvalidAuthenticationToken"));
    }

    @Test
    @DisplayName("D4: 403 ErrorAccessDenied (no Mail.Send) is API_PERMISSION_MISSING with a hint naming Mail.Send")
    void accessDenied() {
        MailException e = refused(Failure.accessDenied());
        assertEquals(MailErrorCode.API_PERMISSION_MISSING, e.code());
        assertTrue(e.getMessage().contains("Mail.Send") && e.hint().contains("Mail.Send"), e.hint());
        assertTrue(e.serverReply().orElseThrow().startsWith("403 ErrorAccessDenied"));
    }

    @Test
    @DisplayName("D4: 403 ErrorSendAsDenied is SENDER_REJECTED with the Send As hint")
    void sendAsDenied() {
        MailException e = refused(Failure.status(403, "ErrorSendAsDenied", "The user account which was used to submit this request does not have the "
                + "right to send mail on behalf of the specified sending account."));
        assertEquals(MailErrorCode.SENDER_REJECTED, e.code());
        assertTrue(e.hint().contains("Send As"));
    }

    @Test
    @DisplayName("D4: a sender that is not a mailbox of the directory (404 ErrorInvalidUser) is SENDER_REJECTED with the directory hint")
    void senderNotInDirectory() {
        graph.mailbox("someone-else@contoso.test");
        MailException e = assertThrows(MailException.class, () -> send(GraphFixtures.message(300, "kunde@example.test")));
        assertEquals(MailErrorCode.SENDER_REJECTED, e.code());
        assertTrue(e.serverReply().orElseThrow().contains("ErrorInvalidUser") && e.hint().contains("directory"), e.toString());
    }

    @Test
    @DisplayName("D4: MailboxNotEnabledForRESTAPI is SENDER_REJECTED with a hint about Exchange Online mailboxes")
    void mailboxNotEnabled() {
        MailException e = refused(Failure.status(404, "MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted on-premise."));
        assertEquals(MailErrorCode.SENDER_REJECTED, e.code());
        assertTrue(e.hint().contains("Exchange Online"));
    }

    @Test
    @DisplayName("D4: 413 from Graph is MESSAGE_TOO_LARGE; a message over 150 MiB is refused before any request")
    void tooLarge() {
        MailException e = refused(Failure.status(413, "RequestBodyTooLarge", "The maximum request length supported is 4MB."));
        assertEquals(MailErrorCode.MESSAGE_TOO_LARGE, e.code());
        int before = graph.requests().size();
        OutgoingMessage small = GraphFixtures.message(300, "kunde@example.test");
        OutgoingMessage huge = OutgoingMessage.builder(small.messageId(), small.envelopeFrom(), small.recipients())
                .content(out -> { throw new AssertionError("not read"); }).exactSize(GraphTransportProvider.MAX_MESSAGE_SIZE + 1).build();
        MailException big = assertThrows(MailException.class, () -> send(huge));
        assertEquals(MailErrorCode.MESSAGE_TOO_LARGE, big.code());
        assertEquals(before, graph.requests().size());
        assertEquals(0, tokens.tokens.get() - before, "no token fetched for a message refused up front");
    }

    @Test
    @DisplayName("D4: 429 with Retry-After is RATE_LIMITED with that wait; nothing sent")
    void throttled() {
        MailException e = refused(Failure.status(429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.").retryAfter("7"));
        assertEquals(MailErrorCode.RATE_LIMITED, e.code());
        assertEquals(Duration.ofSeconds(7), e.retryAfter().orElseThrow());
    }

    @Test
    @DisplayName("D4: 503 with Retry-After is TEMPORARY_FAILURE with that wait (Graph's throttling answer: not processed)")
    void unavailableWithRetryAfter() {
        MailException e = refused(Failure.status(503, "ServiceUnavailable", "Service Unavailable").retryAfter("11"));
        assertEquals(MailErrorCode.TEMPORARY_FAILURE, e.code());
        assertEquals(Duration.ofSeconds(11), e.retryAfter().orElseThrow());
    }

    @Test
    @DisplayName("D4: 504 after the whole request went out is DELIVERY_UNCERTAIN, and the request was made once (no blind retry)")
    void gatewayTimeout_ambiguous() {
        MailException e = refused(Failure.status(504, "GatewayTimeout", "Gateway Timeout"));
        assertEquals(MailErrorCode.DELIVERY_UNCERTAIN, e.code());
        assertEquals(1, graph.requests().size());
    }

    @Test
    @DisplayName("D4: a connection dropped after the request is DELIVERY_UNCERTAIN, sent once only")
    void dropped_ambiguous() {
        MailException e = refused(Failure.dropAfterBody());
        assertEquals(MailErrorCode.DELIVERY_UNCERTAIN, e.code());
        assertEquals(1, graph.requests().size());
    }

    @Test
    @DisplayName("D4: 400 ErrorInvalidRecipients is RECIPIENT_REJECTED; other 400s INVALID_EMAIL")
    void badRequests() {
        graph.refuseRecipient("kunde@example.test");
        MailException e = assertThrows(MailException.class, () -> send(GraphFixtures.message(300, "kunde@example.test")));
        assertEquals(MailErrorCode.RECIPIENT_REJECTED, e.code());
        assertEquals(MailErrorCode.INVALID_EMAIL, refused(Failure.status(400, "ErrorMimeContentInvalid", "The MIME content is invalid.")).code());
    }

    @Test
    @DisplayName("D4: at most 4 sendMail requests per mailbox at once: 10 concurrent sends never have more than 4 under way; another mailbox is not held up")
    void concurrencyCap() throws Exception {
        graph.holdSends();
        ExecutorService pool = Executors.newFixedThreadPool(11); // ten for the mailbox, one for the other
        try {
            List<Future<SendResult>> sends = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                sends.add(pool.submit(() -> send(GraphFixtures.message(300, "kunde@example.test"))));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (graph.inFlight() < 4 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(4, graph.inFlight(), "four under way, the others wait for a slot");
            // another mailbox has slots of its own
            dev.mailroom.ResolvedAccount other = dev.mailroom.ResolvedAccount.of(GraphFixtures.account().id("graph-2").email("other@contoso.test")
                    .build(), null, dev.mailroom.Security.STARTTLS);
            Future<SendResult> otherSend = pool.submit(() -> transport.send(other, GraphFixtures.message(300, "kunde@example.test")));
            while (graph.inFlight() < 5 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(5, graph.inFlight());
            graph.release();
            for (Future<SendResult> f : sends) {
                f.get(10, TimeUnit.SECONDS);
            }
            otherSend.get(10, TimeUnit.SECONDS);
            assertEquals(5, graph.maxInFlight(), "4 for the mailbox plus 1 for the other");
            assertEquals(11, graph.delivered().size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @DisplayName("D4: a send that finds its mailbox's 4 slots busy beyond the bounded wait fails POOL_EXHAUSTED without a request")
    void concurrencyCap_boundedWait() throws Exception {
        transport.close();
        transport = open(GraphTransportProvider.builder().graphUrl(graph.rootUrl()).concurrentPerMailbox(1, Duration.ofMillis(50)).build());
        graph.holdSends();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<SendResult> first = pool.submit(() -> send(GraphFixtures.message(300, "kunde@example.test")));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (graph.inFlight() < 1 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            MailException e = assertThrows(MailException.class, () -> send(GraphFixtures.message(300, "kunde@example.test")));
            assertEquals(MailErrorCode.POOL_EXHAUSTED, e.code());
            assertEquals(1, graph.requests().size());
            graph.release();
            first.get(10, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @DisplayName("D4: an account with a password login is refused with AUTH_METHOD_NOT_SUPPORTED before any request")
    void passwordLogin_refused() {
        dev.mailroom.ResolvedAccount pw = dev.mailroom.ResolvedAccount.of(GraphFixtures.account().authentication(
                dev.mailroom.Authentication.password("u", dev.mailroom.Secret.of("pw"))).build(), null, dev.mailroom.Security.STARTTLS);
        MailException e = assertThrows(MailException.class, () -> transport.send(pw, GraphFixtures.message(300, "kunde@example.test")));
        assertEquals(MailErrorCode.AUTH_METHOD_NOT_SUPPORTED, e.code());
        assertTrue(graph.requests().isEmpty());
        assertEquals(new String(new byte[0], StandardCharsets.UTF_8), "");
        assertTrue(Arrays.asList(GraphTransportProvider.class.getInterfaces()).contains(dev.mailroom.spi.TransportProvider.class));
    }
}
