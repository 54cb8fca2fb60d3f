package dev.mailroom.gmail;

import dev.mailroom.EmailAddress;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.spi.OutgoingMessage;
import dev.mailroom.spi.SendResult;
import dev.mailroom.spi.Transport;
import dev.mailroom.spi.TransportContext;
import dev.mailroom.testkit.FakeGmailApi;
import dev.mailroom.testkit.FakeGmailApi.Failure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sending through the Gmail API against the testkit's fake: paths, refusals, tokens, no client-side retries. */
final class GmailSendIT {
    private final FakeGmailApi gmail = FakeGmailApi.start();
    private final GmailFixtures.CountingTokens tokens = new GmailFixtures.CountingTokens();

    @AfterEach
    void stop() {
        gmail.close();
    }

    private Transport transport() {
        return transport(GmailTransportProvider.builder().rootUrl(gmail.rootUrl()).build(), GmailFixtures.context(tokens));
    }

    private static Transport transport(GmailTransportProvider provider, TransportContext context) {
        return provider.open(context);
    }

    private static byte[] bytes(OutgoingMessage m) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.writeTo(out);
        return out.toByteArray();
    }

    private MailException refusal(Failure failure) {
        gmail.failNext(failure);
        return assertThrows(MailException.class, () -> transport().send(GmailFixtures.resolved(), GmailFixtures.message(500, "to@example.test")));
    }

    @Test
    @DisplayName("#12 a small message goes as gzipped JSON raw for user me; the result names the Gmail id and every recipient")
    void smallMessage_raw() throws IOException {
        OutgoingMessage m = GmailFixtures.message(2_000, "to@example.test");
        SendResult r = transport().send(GmailFixtures.resolved(), m);
        FakeGmailApi.Request q = gmail.requests().get(0);
        assertFalse(q.upload());
        assertEquals("me", q.userId());
        assertEquals("gzip", q.contentEncoding());
        assertEquals("token-1", q.token());
        assertArrayEquals(bytes(m), q.raw());
        assertTrue(r.serverReply().startsWith("200 OK: Gmail message id 18c"), r.serverReply());
        assertEquals(List.of(EmailAddress.of("to@example.test")), r.accepted());
    }

    @Test
    @DisplayName("#12 a message above the raw limit goes to the upload endpoint (message/rfc822), byte for byte")
    void largeMessage_upload() throws IOException {
        Transport t = transport(GmailTransportProvider.builder().rootUrl(gmail.rootUrl()).rawLimit(10_000).build(), GmailFixtures.context(tokens));
        OutgoingMessage small = GmailFixtures.message(9_000, "to@example.test");
        OutgoingMessage large = GmailFixtures.message(12_000, "to@example.test");
        t.send(GmailFixtures.resolved(), small);
        t.send(GmailFixtures.resolved(), large);
        assertFalse(gmail.requests().get(0).upload());
        assertTrue(gmail.requests().get(1).upload());
        assertArrayEquals(bytes(large), gmail.requests().get(1).raw());
    }

    @Test
    @DisplayName("#12 a 6 MB message goes to the upload endpoint with the default raw limit")
    void sixMegabytes_upload() throws IOException {
        OutgoingMessage m = GmailFixtures.message(6_000_000, "to@example.test");
        transport().send(GmailFixtures.resolved(), m);
        assertTrue(gmail.requests().get(0).upload());
        assertArrayEquals(bytes(m), gmail.requests().get(0).raw());
    }

    @Test
    @DisplayName("#12 a message of unknown size that grows past the raw limit is streamed to the upload endpoint")
    void unknownSize_streamed() throws IOException {
        Transport t = transport(GmailTransportProvider.builder().rootUrl(gmail.rootUrl()).rawLimit(10_000).build(), GmailFixtures.context(tokens));
        OutgoingMessage known = GmailFixtures.message(50_000, "to@example.test");
        byte[] b = bytes(known);
        OutgoingMessage unknown = known.toBuilder().content(out -> out.write(b)).sizeEstimate(-1).build();
        t.send(GmailFixtures.resolved(), unknown);
        assertTrue(gmail.requests().get(0).upload());
        assertArrayEquals(b, gmail.requests().get(0).raw());
    }

    @Test
    @DisplayName("#12 a message over 36,700,160 bytes is refused with MESSAGE_TOO_LARGE before any request")
    void tooLarge_refusedBeforeSending() {
        OutgoingMessage big = OutgoingMessage.builder("<big@example.test>", EmailAddress.of(GmailFixtures.MAILBOX), List.of(EmailAddress.of("to@example.test")))
                .content(out -> {
                    throw new AssertionError("the content must not be written");
                }).exactSize(36_700_161).build();
        MailException e = assertThrows(MailException.class, () -> transport().send(GmailFixtures.resolved(), big));
        assertEquals(MailErrorCode.MESSAGE_TOO_LARGE, e.code());
        assertTrue(gmail.requests().isEmpty());
        assertEquals(0, tokens.tokens.get(), "not even a token is fetched");
    }

    @Test
    @DisplayName("#12 a message of unknown size that grows over 35 MiB is cut off: MESSAGE_TOO_LARGE, nothing delivered")
    void unknownSize_tooLarge_cutOff() {
        byte[] header = "Message-ID: <huge@example.test>\r\nTo: to@example.test\r\nSubject: huge\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] chunk = new byte[1 << 20];
        java.util.Arrays.fill(chunk, (byte) 'x');
        OutgoingMessage huge = OutgoingMessage.builder("<huge@example.test>", EmailAddress.of(GmailFixtures.MAILBOX), List.of(EmailAddress.of("to@example.test")))
                .content((OutputStream out) -> {
                    out.write(header);
                    for (int i = 0; i < 40; i++) {
                        out.write(chunk);
                    }
                }).build();
        MailException e = assertThrows(MailException.class, () -> transport().send(GmailFixtures.resolved(), huge));
        assertEquals(MailErrorCode.MESSAGE_TOO_LARGE, e.code(), e.toString());
        assertTrue(gmail.delivered().isEmpty());
        assertTrue(gmail.requests().isEmpty(), "refused before any request");
    }

    @Test
    @DisplayName("#12 a message of unknown size above the raw limit whose content fails part-way: no request reaches the API, not even a truncated one")
    void unknownSize_failsPartWay_noTruncatedRequest() throws IOException {
        Transport t = transport(GmailTransportProvider.builder().rootUrl(gmail.rootUrl()).rawLimit(10_000).build(), GmailFixtures.context(tokens));
        byte[] start = bytes(GmailFixtures.message(50_000, "to@example.test"));
        OutgoingMessage failing = OutgoingMessage.builder("<fails@example.test>", EmailAddress.of(GmailFixtures.MAILBOX),
                List.of(EmailAddress.of("to@example.test"))).content((OutputStream out) -> {
                    out.write(start);
                    throw new IOException("the spool file went away");
                }).build();
        MailException e = assertThrows(MailException.class, () -> t.send(GmailFixtures.resolved(), failing));
        assertEquals(MailErrorCode.INTERNAL, e.code(), e.toString());
        assertTrue(gmail.requests().isEmpty(), "a truncated message was sent: " + gmail.requests());
    }

    @Test
    @DisplayName("#12 a message of known size whose source fails while it is uploaded: TEMPORARY_FAILURE, nothing delivered, not refused for good")
    void knownSize_sourceFailsDuringUpload_temporary() throws IOException {
        Transport t = transport(GmailTransportProvider.builder().rootUrl(gmail.rootUrl()).rawLimit(10_000).build(), GmailFixtures.context(tokens));
        byte[] start = bytes(GmailFixtures.message(50_000, "to@example.test"));
        OutgoingMessage failing = OutgoingMessage.builder("<fails@example.test>", EmailAddress.of(GmailFixtures.MAILBOX),
                List.of(EmailAddress.of("to@example.test"))).content((OutputStream out) -> {
                    out.write(start);
                    throw new IOException("the database stream broke");
                }).exactSize(80_000).build();
        MailException e = assertThrows(MailException.class, () -> t.send(GmailFixtures.resolved(), failing));
        assertEquals(MailErrorCode.TEMPORARY_FAILURE, e.code(), e.toString());
        assertTrue(e.getMessage().contains("the database stream broke"), e.getMessage());
        assertTrue(gmail.delivered().isEmpty(), "a truncated message was delivered");
    }

    @Test
    @DisplayName("#12 408 (the server gave up waiting) is temporary; 404 (a wrong root URL or proxy) holds the account; neither fails the mail for good")
    void requestTimeoutAndNotFound_notPermanent() {
        assertEquals(MailErrorCode.TEMPORARY_FAILURE, refusal(Failure.status(408, "requestTimeout", "Request timed out")).code());
        MailException notFound = refusal(Failure.status(404, "notFound", "Not Found"));
        assertEquals(MailErrorCode.CONNECTION_REJECTED, notFound.code());
        assertTrue(notFound.code().category().isAccountProblem());
    }

    @Test
    @DisplayName("#12 the JDK's HttpURLConnection logs request headers at FINE: the access token never reaches a handler")
    void jdkHttpLogging_atFine_tokenRedacted() {
        java.util.logging.Logger jdk = java.util.logging.Logger.getLogger("sun.net.www.protocol.http.HttpURLConnection");
        java.util.logging.Level before = jdk.getLevel();
        List<String> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                if (isLoggable(r)) {
                    logged.add(new java.util.logging.SimpleFormatter().formatMessage(r));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        capture.setLevel(java.util.logging.Level.ALL);
        jdk.setFilter(null); // as a host that configures logging afresh would leave it
        jdk.setLevel(java.util.logging.Level.ALL);
        jdk.addHandler(capture);
        try {
            transport().send(GmailFixtures.resolved(), GmailFixtures.message(500, "to@example.test"));
        } finally {
            jdk.removeHandler(capture);
            jdk.setLevel(before);
        }
        assertTrue(logged.stream().anyMatch(l -> l.contains("Authorization: ****")), "the JDK logged the request: " + logged);
        assertTrue(logged.stream().noneMatch(l -> l.contains("token-1")), "the token was logged: " + logged);
    }

    @Test
    @DisplayName("#12 401: the token is refreshed once and the message sent once with the fresh token")
    void unauthorized_refreshOnce() {
        gmail.acceptOnly("token-2");
        transport().send(GmailFixtures.resolved(), GmailFixtures.message(500, "to@example.test"));
        assertEquals(List.of(1, 1), tokens.counts());
        assertEquals(List.of("token-1", "token-2"), gmail.requests().stream().map(FakeGmailApi.Request::token).toList());
        assertEquals(1, gmail.delivered().size());
    }

    @Test
    @DisplayName("#12 401 twice: AUTH_FAILED (an account problem) after exactly one refresh, nothing delivered")
    void unauthorizedTwice_accountProblem() {
        gmail.failAlways(Failure.unauthorized());
        MailException e = assertThrows(MailException.class, () -> transport().send(GmailFixtures.resolved(), GmailFixtures.message(500, "to@example.test")));
        assertEquals(MailErrorCode.AUTH_FAILED, e.code());
        assertTrue(e.code().category().isAccountProblem());
        assertEquals(List.of(1, 1), tokens.counts());
        assertEquals(2, gmail.requests().size());
        assertFalse(e.getMessage().contains("token-"), "no token in the message");
        assertFalse(e.serverReply().orElse("").contains("token-"));
    }

    @Test
    @DisplayName("#12 429 with Retry-After: RATE_LIMITED with that wait; the mailbox's next send fails at once without a request")
    void tooManyRequests_rateLimited() {
        MailException e = refusal(Failure.status(429, "rateLimitExceeded", "Too many requests").retryAfter("7"));
        assertEquals(MailErrorCode.RATE_LIMITED, e.code());
        assertEquals(Duration.ofSeconds(7), e.retryAfter().orElseThrow());
        assertTrue(e.isRetryable());
    }

    @Test
    @DisplayName("#12 after a rate limit the transport waits as asked: the next send of the mailbox is refused without a request")
    void rateLimited_pausesMailbox() {
        Transport t = transport();
        gmail.failNext(Failure.status(429, "rateLimitExceeded", "Too many requests").retryAfter("30"));
        assertThrows(MailException.class, () -> t.send(GmailFixtures.resolved(), GmailFixtures.message(500, "to@example.test")));
        MailException again = assertThrows(MailException.class, () -> t.send(GmailFixtures.resolved(), GmailFixtures.message(500, "to@example.test")));
        assertEquals(MailErrorCode.RATE_LIMITED, again.code());
        assertTrue(again.retryAfter().orElseThrow().compareTo(Duration.ofSeconds(25)) > 0, again.toString());
        assertEquals(1, gmail.requests().size());
    }

    @Test
    @DisplayName("#12 403 userRateLimitExceeded with a time in Google's message: RATE_LIMITED until then")
    void userRateLimit_rateLimited() {
        Instant at = Instant.now().plusSeconds(120);
        MailException e = refusal(Failure.status(403, "userRateLimitExceeded", "User-rate limit exceeded.  Retry after " + at));
        assertEquals(MailErrorCode.RATE_LIMITED, e.code());
        long seconds = e.retryAfter().orElseThrow().toSeconds();
        assertTrue(seconds > 100 && seconds <= 120, e.retryAfter().toString());
    }

    @Test
    @DisplayName("#12 403 dailyLimitExceeded: DAILY_LIMIT_REACHED, retry at the next midnight in America/Los_Angeles")
    void dailyLimit_untilPacificMidnight() {
        Instant now = Instant.parse("2026-11-29T20:30:00Z"); // 12:30 in Los Angeles (PST, UTC-8)
        Transport t = transport(GmailTransportProvider.builder().rootUrl(gmail.rootUrl()).build(), TransportContext.builder()
                .timeouts(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2)).accessTokens(tokens)
                .clock(Clock.fixed(now, ZoneOffset.UTC)).build());
        gmail.failNext(Failure.status(403, "dailyLimitExceeded", "Daily Limit Exceeded"));
        MailException e = assertThrows(MailException.class, () -> t.send(GmailFixtures.resolved(), GmailFixtures.message(500, "to@example.test")));
        assertEquals(MailErrorCode.DAILY_LIMIT_REACHED, e.code());
        assertEquals(Duration.ofHours(11).plusMinutes(30), e.retryAfter().orElseThrow()); // until 2026-11-30T08:00Z
        MailException again = assertThrows(MailException.class, () -> t.send(GmailFixtures.resolved(), GmailFixtures.message(500, "to@example.test")));
        assertEquals(MailErrorCode.DAILY_LIMIT_REACHED, again.code(), "the mailbox waits for the new quota day without asking again");
        assertEquals(1, gmail.requests().size());
    }

    @Test
    @DisplayName("#12 403 domainPolicy: PROVIDER_POLICY_REFUSED (an account problem)")
    void domainPolicy() {
        MailException e = refusal(Failure.status(403, "domainPolicy", "The domain administrators have disabled Gmail apps."));
        assertEquals(MailErrorCode.PROVIDER_POLICY_REFUSED, e.code());
        assertTrue(e.serverReply().orElseThrow().contains("domainPolicy"));
    }

    @Test
    @DisplayName("#12 403 insufficientPermissions / ACCESS_TOKEN_SCOPE_INSUFFICIENT: API_PERMISSION_MISSING naming gmail.send")
    void insufficientPermissions() {
        MailException e = refusal(Failure.scopeInsufficient());
        assertEquals(MailErrorCode.API_PERMISSION_MISSING, e.code());
        assertTrue(e.getMessage().contains("gmail.send"));
    }

    @Test
    @DisplayName("#12 400 invalid message: INVALID_EMAIL; 400 invalid recipient header: RECIPIENT_REJECTED")
    void badRequest() {
        assertEquals(MailErrorCode.INVALID_EMAIL, refusal(Failure.status(400, "invalidArgument", "Invalid value for ByteString")).code());
        assertEquals(MailErrorCode.RECIPIENT_REJECTED, refusal(Failure.status(400, "invalidArgument", "Invalid To header")).code());
    }

    @Test
    @DisplayName("#12 500 after the body was written: DELIVERY_UNCERTAIN, and exactly one request (no client-side retry)")
    void serverError_afterBody_ambiguous_noRetry() {
        gmail.failAlways(Failure.status(500, "backendError", "Backend Error"));
        MailException e = assertThrows(MailException.class, () -> transport().send(GmailFixtures.resolved(), GmailFixtures.message(500, "to@example.test")));
        assertEquals(MailErrorCode.DELIVERY_UNCERTAIN, e.code());
        assertEquals(MailErrorCode.Category.AMBIGUOUS, e.code().category());
        assertEquals(1, gmail.requests().size(), "Google's client must not retry a send");
    }

    @Test
    @DisplayName("#12 503 on the upload endpoint: DELIVERY_UNCERTAIN and one request; a dropped connection after the body too")
    void serviceUnavailable_upload_noRetry() {
        Transport t = transport(GmailTransportProvider.builder().rootUrl(gmail.rootUrl()).rawLimit(1_000).build(), GmailFixtures.context(tokens));
        gmail.failNext(Failure.status(503, "backendError", "Service unavailable").retryAfter("5"));
        gmail.failNext(Failure.dropAfterBody());
        MailException e = assertThrows(MailException.class, () -> t.send(GmailFixtures.resolved(), GmailFixtures.message(5_000, "to@example.test")));
        assertEquals(MailErrorCode.DELIVERY_UNCERTAIN, e.code());
        MailException dropped = assertThrows(MailException.class, () -> t.send(GmailFixtures.resolved(), GmailFixtures.message(5_000, "to@example.test")));
        assertEquals(MailErrorCode.DELIVERY_UNCERTAIN, dropped.code());
        assertEquals(2, gmail.requests().size());
    }

    @Test
    @DisplayName("#12 Bcc: envelope recipients in no header go to Gmail in a Bcc header; Gmail delivers to them and strips it")
    void bcc_fromEnvelope() throws IOException {
        OutgoingMessage m = GmailFixtures.message(500, "to@example.test", "hidden@example.test", "second@example.test");
        SendResult r = transport().send(GmailFixtures.resolved(), m);
        String sent = gmail.requests().get(0).text();
        assertTrue(sent.startsWith("Bcc: hidden@example.test, second@example.test\r\n"), sent.substring(0, 80));
        FakeGmailApi.Delivered d = gmail.delivered().get(0);
        assertEquals(List.of("to@example.test", "hidden@example.test", "second@example.test"), d.recipients());
        assertArrayEquals(bytes(m), d.bytes(), "what recipients get is the message as Mailroom rendered it");
        assertEquals(3, r.accepted().size());
    }

    @Test
    @DisplayName("#12 a To/Cc address outside the envelope (a retry for some recipients) is refused before any request")
    void headerRecipientOutsideEnvelope_refused() throws IOException {
        OutgoingMessage full = GmailFixtures.message(500, "to@example.test");
        byte[] b = bytes(full);
        OutgoingMessage retry = OutgoingMessage.builder(full.messageId(), full.envelopeFrom(), List.of(EmailAddress.of("other@example.test")))
                .content(b).build();
        MailException e = assertThrows(MailException.class, () -> transport().send(GmailFixtures.resolved(), retry));
        assertEquals(MailErrorCode.PERMANENT_FAILURE, e.code());
        assertTrue(gmail.requests().isEmpty());
    }

    @Test
    @DisplayName("#12 an account without OAuth 2.0 is refused: AUTH_METHOD_NOT_SUPPORTED, no request")
    void passwordAccount_refused() {
        var account = dev.mailroom.ResolvedAccount.of(GmailFixtures.account().authentication(dev.mailroom.Authentication.password("u",
                dev.mailroom.Secret.of("pw"))).build(), null, dev.mailroom.Security.STARTTLS);
        MailException e = assertThrows(MailException.class, () -> transport().send(account, GmailFixtures.message(500, "to@example.test")));
        assertEquals(MailErrorCode.AUTH_METHOD_NOT_SUPPORTED, e.code());
        assertTrue(gmail.requests().isEmpty());
    }

    @Test
    @DisplayName("#12 the token source's failure (grant revoked) passes through, nothing is sent")
    void tokenSourceFails() {
        tokens.fail = true;
        MailException e = assertThrows(MailException.class, () -> transport().send(GmailFixtures.resolved(), GmailFixtures.message(500, "to@example.test")));
        assertEquals(MailErrorCode.OAUTH_GRANT_REVOKED, e.code());
        assertTrue(gmail.requests().isEmpty());
    }

    @Test
    @DisplayName("#12 a write that stalls (the server stops reading) is aborted after the write timeout: TIMEOUT, not ambiguous")
    void stalledWrite_aborted() throws IOException {
        try (java.net.ServerSocket deaf = new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            List<java.net.Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        java.net.Socket s = deaf.accept();
                        s.setReceiveBufferSize(4096);
                        held.add(s); // never reads
                    }
                } catch (IOException e) {
                    // closed
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            Transport t = transport(GmailTransportProvider.builder().rootUrl(java.net.URI.create("http://127.0.0.1:" + deaf.getLocalPort() + "/"))
                    .rawLimit(1_000).build(), TransportContext.builder().timeouts(Duration.ofSeconds(2), Duration.ofSeconds(2),
                    Duration.ofMillis(300)).accessTokens(tokens).build());
            long t0 = System.nanoTime();
            byte[] noise = new byte[6_000_000];
            new java.util.Random(1).nextBytes(noise); // does not shrink when gzipped: the socket buffers fill up
            byte[] bytes = ("Message-ID: <deaf@example.test>\r\nTo: to@example.test\r\nSubject: deaf\r\n\r\n"
                    + java.util.Base64.getMimeEncoder().encodeToString(noise)).getBytes(StandardCharsets.US_ASCII);
            OutgoingMessage m = OutgoingMessage.builder("<deaf@example.test>", EmailAddress.of(GmailFixtures.MAILBOX),
                    List.of(EmailAddress.of("to@example.test"))).content(bytes).build();
            MailException e = assertThrows(MailException.class, () -> t.send(GmailFixtures.resolved(), m));
            assertEquals(MailErrorCode.TIMEOUT, e.code(), e.toString());
            assertTrue(Duration.ofNanos(System.nanoTime() - t0).compareTo(Duration.ofSeconds(10)) < 0);
            for (java.net.Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    @DisplayName("#12 503 answered before the message was taken (early, body unread): TEMPORARY_FAILURE with Retry-After, not ambiguous")
    void serviceUnavailable_beforeBody_notAmbiguous() {
        Transport t = transport(GmailTransportProvider.builder().rootUrl(gmail.rootUrl()).rawLimit(1_000).build(), GmailFixtures.context(tokens));
        byte[] noise = new byte[8_000_000];
        new java.util.Random(2).nextBytes(noise);
        byte[] bytes = ("Message-ID: <early@example.test>\r\nTo: to@example.test\r\nSubject: early\r\n\r\n"
                + java.util.Base64.getMimeEncoder().encodeToString(noise)).getBytes(StandardCharsets.US_ASCII);
        gmail.failNext(Failure.status(503, "backendError", "Service unavailable").retryAfter("5").beforeBody());
        MailException e = assertThrows(MailException.class, () -> t.send(GmailFixtures.resolved(), OutgoingMessage.builder("<early@example.test>",
                EmailAddress.of(GmailFixtures.MAILBOX), List.of(EmailAddress.of("to@example.test"))).content(bytes).build()));
        assertEquals(MailErrorCode.TEMPORARY_FAILURE, e.code(), e.toString());
        assertEquals(Duration.ofSeconds(5), e.retryAfter().orElseThrow());
        assertEquals(1, gmail.requests().size());
    }

    @Test
    @DisplayName("#12 HTTPS with the account's trust from the context; an untrusted certificate is CERTIFICATE_UNTRUSTED and nothing is sent")
    void https_trustFromContext() {
        try (FakeGmailApi https = FakeGmailApi.startHttps()) {
            GmailTransportProvider provider = GmailTransportProvider.builder().rootUrl(https.rootUrl()).build();
            Transport trusting = transport(provider, TransportContext.builder().timeouts(Duration.ofSeconds(2), Duration.ofSeconds(2),
                    Duration.ofSeconds(2)).tls(dev.mailroom.testkit.TestCertificates.clientContext()).accessTokens(tokens).build());
            trusting.send(GmailFixtures.resolved(), GmailFixtures.message(500, "to@example.test"));
            trusting.send(GmailFixtures.resolved(), GmailFixtures.message(500, "to@example.test"));
            assertEquals(2, https.delivered().size());
            MailException e = assertThrows(MailException.class, () -> transport(provider, GmailFixtures.context(tokens))
                    .send(GmailFixtures.resolved(), GmailFixtures.message(500, "to@example.test")));
            assertEquals(MailErrorCode.CERTIFICATE_UNTRUSTED, e.code(), e.toString());
            assertEquals(2, https.requests().size());
        }
    }
}
