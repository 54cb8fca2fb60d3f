package dev.mailroom.graph;

import dev.mailroom.Diagnosis;
import dev.mailroom.DiagnosisStep;
import dev.mailroom.DiagnosisStep.Stage;
import dev.mailroom.Email;
import dev.mailroom.MailContext;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.Receipt;
import dev.mailroom.core.InMemoryAccountRepository;
import dev.mailroom.core.Mailroom;
import dev.mailroom.testkit.FakeGraphApi;
import dev.mailroom.testkit.FakeMicrosoftIdentity;
import dev.mailroom.testkit.TestCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.mailroom.graph.GraphFixtures.APP_ID;
import static dev.mailroom.graph.GraphFixtures.DIRECTORY;
import static dev.mailroom.graph.GraphFixtures.MAILBOX;
import static dev.mailroom.graph.GraphFixtures.SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Microsoft 365 account with application credentials end to end behind Mailroom's facade: core's token source gets
 * the app token from the fake identity platform (msal4j), the Graph transport sends through the fake Graph.
 */
final class GraphMailroomIT {
    private final FakeMicrosoftIdentity identity = FakeMicrosoftIdentity.start().directory(DIRECTORY).app(APP_ID, SECRET, "Mail.Send", "User.Read.All");
    private final FakeGraphApi graph = FakeGraphApi.start().mailbox(MAILBOX);
    private final InMemoryAccountRepository repo = new InMemoryAccountRepository();
    private Mailroom mailroom;

    @AfterEach
    void stop() {
        if (mailroom != null) {
            mailroom.close();
        }
        graph.close();
        identity.close();
    }

    private Mailroom mailroom(String secret) {
        mailroom = Mailroom.builder().accountRepository(repo).sslContext(TestCertificates.clientContext())
                .transport(GraphTransportProvider.builder().graphUrl(graph.rootUrl()).build())
                .connectTimeout(Duration.ofSeconds(2)).readTimeout(Duration.ofSeconds(2)).writeTimeout(Duration.ofSeconds(2)).build();
        mailroom.oauth().registerClient(GraphFixtures.client(identity, secret));
        repo.save(GraphFixtures.account().build());
        return mailroom;
    }

    private static Email email() {
        return Email.builder().to("kunde@example.test").bcc("archiv@example.test").subject("Rechnung 4711").text("Guten Tag").build();
    }

    @Test
    @DisplayName("D4 B8: an app-credentials account sends through Graph with a token of scope graph .default; the Sent copy is Exchange's, no IMAP copy")
    void send_endToEnd() {
        Receipt r = mailroom(SECRET).send(MailContext.system(), email());
        assertEquals("graph", r.transport());
        assertTrue(r.serverReply().startsWith("202 Accepted"), r.serverReply());
        assertTrue(r.sentCopyFolder().isEmpty(), "Exchange keeps the Sent copy (Sent Items)");
        assertEquals(List.of("kunde@example.test", "archiv@example.test"), graph.delivered().get(0).recipients());
        assertEquals(identity.issuedAccessTokens().get(0), graph.requests().get(0).token());
        assertEquals("https://graph.microsoft.com/.default", identity.requests().get(0).scope().replace(" offline_access", "")
                .replace("openid", "").replace("profile", "").strip());
    }

    @Test
    @DisplayName("D4: 20 concurrent sends get one token (single-flight per directory, client and scope), and later sends reuse it")
    void oneTokenForConcurrentSends() throws Exception {
        mailroom(SECRET);
        ExecutorService pool = Executors.newFixedThreadPool(20);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Receipt>> sends = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                sends.add(pool.submit(() -> {
                    start.await();
                    return mailroom.send(MailContext.system(), email());
                }));
            }
            start.countDown();
            for (Future<Receipt> f : sends) {
                f.get(20, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(20, graph.delivered().size());
        assertEquals(1, identity.tokenCalls(), "single-flight: one token request");
        mailroom.send(MailContext.system(), email());
        assertEquals(1, identity.tokenCalls(), "cached until shortly before expiry");
    }

    @Test
    @DisplayName("D4: Graph refusing the token (401) makes core fetch a new one once; the send goes through")
    void unauthorized_newToken() {
        mailroom(SECRET).send(MailContext.system(), email());
        graph.failNext(FakeGraphApi.Failure.unauthorized());
        mailroom.send(MailContext.system(), email());
        assertEquals(2, identity.tokenCalls());
        List<String> used = graph.requests().stream().map(FakeGraphApi.Request::token).toList();
        assertEquals(List.of(identity.issuedAccessTokens().get(0), identity.issuedAccessTokens().get(0), identity.issuedAccessTokens().get(1)), used);
    }

    @Test
    @DisplayName("D4: a wrong client secret fails the send with OAUTH_CLIENT_REJECTED naming the wrong secret, nothing is sent, and the secret is in no message or log")
    void wrongSecret_classified_noSecretAnywhere() {
        String wrong = "Wr0ng~canary-secret-ABCDEFGHIJKLMNOP";
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        MailException e;
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            e = assertThrows(MailException.class, () -> mailroom(wrong).send(MailContext.system(), email()));
        } finally {
            System.setErr(err);
        }
        assertEquals(MailErrorCode.OAUTH_CLIENT_REJECTED, e.code(), e.toString());
        assertTrue(e.hint().contains("secret is wrong"), e.hint());
        assertTrue(graph.requests().isEmpty());
        String log = captured.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("AADSTS7000215"), "the refusal is logged: " + log);
        for (String text : List.of(log, e.toString(), String.valueOf(e.hint()), e.serverReply().orElse(""))) {
            assertFalse(text.contains(wrong), "secret leaked: " + text);
        }
    }

    @Test
    @DisplayName("D4: an expired client secret fails with OAUTH_CLIENT_REJECTED and a hint that it expired; the account's health names it")
    void expiredSecret() {
        identity.expireSecret(APP_ID);
        MailException e = assertThrows(MailException.class, () -> mailroom(SECRET).send(MailContext.system(), email()));
        assertEquals(MailErrorCode.OAUTH_CLIENT_REJECTED, e.code());
        assertTrue(e.hint().contains("expired"), e.hint());
        int calls = identity.tokenCalls();
        assertThrows(MailException.class, () -> mailroom.send(MailContext.system(), email()));
        assertEquals(calls, identity.tokenCalls(), "a refused client is not asked again at once");
    }

    @Test
    @DisplayName("D4 C1: diagnose: SETTINGS, TOKEN, TCP, AUTH, SENDER (user lookup) and PERMISSION (Mail.Send in the token) pass; nothing is sent")
    void diagnose_passes() {
        Diagnosis d = mailroom(SECRET).diagnose(GraphFixtures.account().build());
        assertTrue(d.ok(), d::report);
        assertEquals(List.of(Stage.SETTINGS, Stage.TOKEN, Stage.TCP, Stage.AUTH, Stage.SENDER, Stage.PERMISSION),
                d.steps().stream().map(DiagnosisStep::stage).toList(), d::report);
        assertTrue(graph.delivered().isEmpty());
        assertTrue(d.transcript().get(0).startsWith("GET " + graph.rootUrl() + "v1.0/users/" + "app%40contoso.test"), d.transcript().get(0));
        assertFalse(String.join("\n", d.transcript()).contains(identity.issuedAccessTokens().get(0)), "no token in the transcript");
    }

    @Test
    @DisplayName("D4 C1: diagnose: a sender that is not in the directory fails SENDER with Graph's reply and the directory hint")
    void diagnose_senderUnknown() {
        mailroom(SECRET);
        Diagnosis d = mailroom.diagnose(GraphFixtures.account().email("nobody@contoso.test").build());
        DiagnosisStep f = d.failure().orElseThrow(() -> new AssertionError(d.report()));
        assertEquals(Stage.SENDER, f.stage(), d::report);
        assertEquals(MailErrorCode.SENDER_REJECTED, f.code());
        assertTrue(f.serverReply().contains("Request_ResourceNotFound") && f.hint().contains("directory"), f.toString());
    }

    @Test
    @DisplayName("D4 C1: diagnose: an app without Mail.Send fails PERMISSION with API_PERMISSION_MISSING; without User.Read.All the lookup fails SENDER")
    void diagnose_permissions() {
        identity.app(APP_ID, SECRET, "User.Read.All");
        Diagnosis d = mailroom(SECRET).diagnose(GraphFixtures.account().build());
        DiagnosisStep f = d.failure().orElseThrow(() -> new AssertionError(d.report()));
        assertEquals(Stage.PERMISSION, f.stage(), d::report);
        assertEquals(MailErrorCode.API_PERMISSION_MISSING, f.code());
        graph.failNext(FakeGraphApi.Failure.status(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."));
        Diagnosis d2 = mailroom.diagnose(GraphFixtures.account().build());
        DiagnosisStep f2 = d2.failure().orElseThrow(() -> new AssertionError(d2.report()));
        assertEquals(Stage.SENDER, f2.stage(), d2::report);
        assertTrue(f2.hint().contains("User.Read.All"));
    }

    @Test
    @DisplayName("D4 C1: diagnose: a wrong secret fails TOKEN with OAUTH_CLIENT_REJECTED and Microsoft's AADSTS reply")
    void diagnose_tokenFails() {
        Diagnosis d = mailroom("wrong").diagnose(GraphFixtures.account().build());
        DiagnosisStep f = d.failure().orElseThrow(() -> new AssertionError(d.report()));
        assertEquals(Stage.TOKEN, f.stage());
        assertEquals(MailErrorCode.OAUTH_CLIENT_REJECTED, f.code());
        assertTrue(f.serverReply().contains("AADSTS7000215"), f.toString());
    }
}
