package dev.mailroom.gmail;

import dev.mailroom.Authentication;
import dev.mailroom.Diagnosis;
import dev.mailroom.DiagnosisStep;
import dev.mailroom.Email;
import dev.mailroom.MailContext;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.Receipt;
import dev.mailroom.Secret;
import dev.mailroom.core.InMemoryAccountRepository;
import dev.mailroom.core.Mailroom;
import dev.mailroom.testkit.FakeGmailApi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Gmail transport behind Mailroom's facade: registered by the host, found by the service loader, sending and diagnosing. */
final class GmailMailroomIT {
    private final FakeGmailApi gmail = FakeGmailApi.start();
    private final GmailFixtures.CountingTokens tokens = new GmailFixtures.CountingTokens();
    private final InMemoryAccountRepository repo = new InMemoryAccountRepository();
    private Mailroom mailroom;

    @AfterEach
    void stop() {
        if (mailroom != null) {
            mailroom.close();
        }
        gmail.close();
    }

    private Mailroom mailroom() {
        mailroom = Mailroom.builder().accountRepository(repo).accessTokens(tokens)
                .transport(GmailTransportProvider.builder().rootUrl(gmail.rootUrl()).build())
                .connectTimeout(Duration.ofSeconds(2)).readTimeout(Duration.ofSeconds(2)).writeTimeout(Duration.ofSeconds(2)).build();
        return mailroom;
    }

    @Test
    @DisplayName("#12 the service loader registers gmail next to smtp; a host's own instance replaces the discovered one")
    void discovered() {
        assertTrue(Mailroom.builder().accountRepository(repo).build().transports().contains("gmail"));
        assertTrue(mailroom().transports().contains("gmail"));
    }

    @Test
    @DisplayName("#12 a Gmail API account sends through Gmail: To, Cc and Bcc delivered, no Bcc header for the recipients, no IMAP copy")
    void send_throughFacade() {
        repo.save(GmailFixtures.account().build());
        Email email = Email.builder().to("kunde@example.test").cc("buchhaltung@example.test").bcc("archiv@example.test")
                .subject("Rechnung 4711").text("Guten Tag").build();
        Receipt r = mailroom().send(MailContext.system(), email);
        assertEquals("gmail", r.transport());
        assertTrue(r.serverReply().startsWith("200 OK: Gmail message id"), r.serverReply());
        assertEquals(3, r.recipients().size());
        assertTrue(r.sentCopyFolder().isEmpty(), "Gmail files the Sent copy itself");
        FakeGmailApi.Delivered d = gmail.delivered().get(0);
        assertEquals(List.of("kunde@example.test", "buchhaltung@example.test", "archiv@example.test"), d.recipients());
        assertFalse(d.text().toLowerCase(java.util.Locale.ROOT).contains("archiv@"), "the Bcc recipient is hidden from the others");
        assertTrue(gmail.requests().get(0).text().startsWith("Bcc: archiv@example.test\r\n"));
    }

    @Test
    @DisplayName("#12 a Gmail API account with a password login is refused before anything is sent (AUTHENTICATION field problem)")
    void passwordLogin_refused() {
        repo.save(GmailFixtures.account().authentication(Authentication.password("u", Secret.of("pw"))).build());
        MailException e = assertThrows(MailException.class, () -> mailroom().send(MailContext.system(),
                Email.builder().to("kunde@example.test").subject("s").text("t").build()));
        assertEquals(MailErrorCode.ACCOUNT_INCOMPLETE, e.code(), e.toString());
        assertTrue(gmail.requests().isEmpty());
    }

    @Test
    @DisplayName("#12 diagnose: SETTINGS, TOKEN, TCP, AUTH and PERMISSION pass with a probe Gmail refuses; nothing is sent")
    void diagnose_passes() {
        Diagnosis d = mailroom().diagnose(GmailFixtures.account().build());
        assertTrue(d.ok(), d::report);
        assertEquals(List.of(DiagnosisStep.Stage.SETTINGS, DiagnosisStep.Stage.TOKEN, DiagnosisStep.Stage.TCP, DiagnosisStep.Stage.AUTH,
                DiagnosisStep.Stage.PERMISSION), d.steps().stream().map(DiagnosisStep::stage).toList(), d::report);
        assertTrue(gmail.delivered().isEmpty());
        assertFalse(String.join("\n", d.transcript()).contains("token-"), "no token in the transcript");
    }

    @Test
    @DisplayName("#12 diagnose: a grant without gmail.send fails the PERMISSION stage with API_PERMISSION_MISSING")
    void diagnose_permissionMissing() {
        gmail.failAlways(FakeGmailApi.Failure.scopeInsufficient());
        Diagnosis d = mailroom().diagnose(GmailFixtures.account().build());
        DiagnosisStep f = d.failure().orElseThrow(() -> new AssertionError(d.report()));
        assertEquals(DiagnosisStep.Stage.PERMISSION, f.stage(), d::report);
        assertEquals(MailErrorCode.API_PERMISSION_MISSING, f.code());
    }

    @Test
    @DisplayName("#12 diagnose: a token source that fails fails the TOKEN stage with its code")
    void diagnose_tokenFails() {
        tokens.fail = true;
        Diagnosis d = mailroom().diagnose(GmailFixtures.account().build());
        DiagnosisStep f = d.failure().orElseThrow(() -> new AssertionError(d.report()));
        assertEquals(DiagnosisStep.Stage.TOKEN, f.stage());
        assertEquals(MailErrorCode.OAUTH_GRANT_REVOKED, f.code());
    }
}
