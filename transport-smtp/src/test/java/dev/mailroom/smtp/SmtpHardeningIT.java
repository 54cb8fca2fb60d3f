package dev.mailroom.smtp;

import dev.mailroom.Attachment;
import dev.mailroom.Diagnosis;
import dev.mailroom.DiagnosisStep;
import dev.mailroom.DiagnosisStep.Outcome;
import dev.mailroom.DiagnosisStep.Stage;
import dev.mailroom.Email;
import dev.mailroom.EmailAddress;
import dev.mailroom.MailContext;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.Receipt;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Security;
import dev.mailroom.core.InMemoryAccountRepository;
import dev.mailroom.core.Mailroom;
import dev.mailroom.spi.ProtocolLog;
import dev.mailroom.spi.OutgoingMessage;
import dev.mailroom.spi.SendResult;
import dev.mailroom.spi.Transport;
import dev.mailroom.spi.PoolLimits;
import dev.mailroom.spi.TransportContext;
import dev.mailroom.testkit.ReceivedMail;
import dev.mailroom.testkit.ScriptedSmtpServer;
import dev.mailroom.testkit.ScriptedSmtpServer.Command;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Issue #10 (items 2, 3, 6, 10, 14, 17): what the SMTP transport makes of greetings, 421s, sender refusals, SIZE and recipient limits. */
@ParameterizedClass(name = "server advertises [{0}]")
@ValueSource(strings = {"", "PIPELINING"}) // #16: with pipelining every outcome stays the same
final class SmtpHardeningIT {
    @Parameter
    String extensions;

    private static final String SENDER_NOT_OWNED = "553 5.7.1 <app@acme.test>: Sender address rejected: not owned by user other@acme.test";

    private final InMemoryAccountRepository repo = new InMemoryAccountRepository();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private ScriptedSmtpServer start(ScriptedSmtpServer.Builder b) {
        ScriptedSmtpServer s = b.advertise(extensions.split(" ")).build().start();
        toClose.add(s);
        return s;
    }

    private Mailroom mailroomFor(ScriptedSmtpServer server, Security security) {
        repo.save(SmtpFixtures.withLogin(SmtpFixtures.systemAccount(server.host(), server.port(), security), "app@acme.test", "pw").build());
        Mailroom m = SmtpFixtures.mailroom(repo);
        toClose.add(m);
        return m;
    }

    private static MailException sendFails(Mailroom m, Email email) {
        try {
            m.send(MailContext.system(), email);
        } catch (MailException e) {
            return e;
        }
        throw new AssertionError("the send succeeded");
    }

    // ------------------------------------------------------------------ item 2: greeting and 421

    @Test
    @DisplayName("#10.2: a 5xx greeting is CONNECTION_REJECTED (account problem) with the greeting verbatim, on send and in diagnose")
    void greeting5xx_connectionRejected() {
        String greeting = "554 5.7.1 client host blocked";
        ScriptedSmtpServer server = start(ScriptedSmtpServer.builder().reply(Command.GREETING, greeting));
        Mailroom m = mailroomFor(server, Security.NONE);
        MailException e = sendFails(m, SmtpFixtures.email());
        assertThat(e.code()).as(e.toString()).isEqualTo(MailErrorCode.CONNECTION_REJECTED);
        assertThat(e.code().category()).isEqualTo(MailErrorCode.Category.ACCOUNT);
        assertThat(e.serverReply()).hasValue(greeting);

        Diagnosis d = m.diagnose(repo.findAll().get(0));
        DiagnosisStep f = d.failure().orElseThrow();
        assertThat(f.stage()).as(d.report()).isEqualTo(Stage.GREETING);
        assertThat(f.code()).isEqualTo(MailErrorCode.CONNECTION_REJECTED);
        assertThat(f.serverReply()).isEqualTo(greeting);
    }

    @Test
    @DisplayName("#10.2: a 4xx greeting is SERVER_BUSY (connection category) with the greeting verbatim, on send and in diagnose")
    void greeting4xx_serverBusy() {
        String greeting = "421 4.3.2 mail.example.test Service shutting down";
        ScriptedSmtpServer server = start(ScriptedSmtpServer.builder().reply(Command.GREETING, ScriptedSmtpServer.andDrop(greeting)));
        Mailroom m = mailroomFor(server, Security.NONE);
        MailException e = sendFails(m, SmtpFixtures.email());
        assertThat(e.code()).as(e.toString()).isEqualTo(MailErrorCode.SERVER_BUSY);
        assertThat(e.code().category()).isEqualTo(MailErrorCode.Category.CONNECTION);
        assertThat(e.serverReply()).hasValue(greeting);

        Diagnosis d = m.diagnose(repo.findAll().get(0));
        DiagnosisStep f = d.failure().orElseThrow();
        assertThat(f.stage()).as(d.report()).isEqualTo(Stage.GREETING);
        assertThat(f.code()).isEqualTo(MailErrorCode.SERVER_BUSY);
        assertThat(f.serverReply()).isEqualTo(greeting);
    }

    static Stream<Arguments> closingBeforeEndOfData() {
        return Stream.of(Arguments.of(Command.EHLO), Arguments.of(Command.AUTH), Arguments.of(Command.MAIL), Arguments.of(Command.RCPT),
                Arguments.of(Command.DATA));
    }

    @ParameterizedTest(name = "421 at {0}")
    @MethodSource("closingBeforeEndOfData")
    @DisplayName("#10.2: a 421 before the end of data is SERVER_BUSY with the 421 verbatim; nothing delivered")
    void closing421BeforeEndOfData_serverBusy(Command command) {
        String reply = "421 4.7.0 mail.example.test Error: too many connections, closing connection";
        ScriptedSmtpServer server = start(ScriptedSmtpServer.builder().reply(command, ScriptedSmtpServer.andDrop(reply)));
        MailException e = sendFails(mailroomFor(server, Security.NONE), SmtpFixtures.email());
        assertThat(e.code()).as(e.toString()).isEqualTo(MailErrorCode.SERVER_BUSY);
        assertThat(e.serverReply()).hasValue(reply);
        server.received().assertNone();
    }

    // ------------------------------------------------------------------ item 3: the sender refused at RCPT

    static Stream<Arguments> senderRefusals() {
        return Stream.of(
                Arguments.of(Command.RCPT, SENDER_NOT_OWNED),
                Arguments.of(Command.RCPT, "550 5.7.60 SMTP; Client does not have permissions to send as this sender"),
                Arguments.of(Command.END_OF_DATA, "550 5.7.60 SMTP; Client does not have permissions to send as this sender"),
                Arguments.of(Command.MAIL, SENDER_NOT_OWNED));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("senderRefusals")
    @DisplayName("#10.3: a refusal that names the sender is SENDER_REJECTED wherever it comes, not a recipient error")
    void senderRefusal_anywhere_senderRejected(Command command, String reply) {
        ScriptedSmtpServer server = start(ScriptedSmtpServer.builder().reply(command, reply));
        MailException e = sendFails(mailroomFor(server, Security.NONE), SmtpFixtures.email());
        assertThat(e.code()).as(e.toString()).isEqualTo(MailErrorCode.SENDER_REJECTED);
        assertThat(e.code().category().isAccountProblem()).isTrue();
        assertThat(e.serverReply()).hasValue(reply);
        server.received().assertNone();
    }

    @Test
    @DisplayName("#10.3: in a partial-delivery send, a RCPT refusal of the sender fails the whole message before DATA")
    void partialDelivery_senderRefusedAtRcpt_failsWholeMessage() throws Exception {
        ScriptedSmtpServer server = start(ScriptedSmtpServer.builder().reply(Command.RCPT, "250 2.1.5 Ok", SENDER_NOT_OWNED));
        try (Transport t = transport()) {
            OutgoingMessage msg = message(List.of("a@example.test", "b@example.test"), true, -1);
            assertThatThrownBy(() -> t.send(account(server, Security.NONE), msg)).isInstanceOfSatisfying(MailException.class, e -> {
                assertThat(e.code()).as(e.toString()).isEqualTo(MailErrorCode.SENDER_REJECTED);
                assertThat(e.serverReply()).hasValue(SENDER_NOT_OWNED);
            });
        }
        if (extensions.contains("PIPELINING")) {
            assertThat(server.commands()).doesNotContain("."); // DATA went with the envelope; the content never did
        } else {
            assertThat(server.commands()).doesNotContain("DATA");
        }
        server.received().assertNone();
    }

    @Test
    @DisplayName("#10.3: a partial-delivery send still goes to the recipients accepted when another is unknown")
    void partialDelivery_unknownRecipient_stillPerRecipient() throws Exception {
        String unknown = "550 5.1.1 <b@example.test>: Recipient address rejected: User unknown";
        ScriptedSmtpServer server = start(ScriptedSmtpServer.builder().reply(Command.RCPT, "250 2.1.5 Ok", unknown));
        try (Transport t = transport()) {
            SendResult r = t.send(account(server, Security.NONE), message(List.of("a@example.test", "b@example.test"), true, -1));
            assertThat(r.accepted()).extracting(EmailAddress::address).containsExactly("a@example.test");
            assertThat(r.refused()).singleElement().satisfies(x -> {
                assertThat(x.reply()).isEqualTo(unknown);
                assertThat(x.temporary()).isFalse();
            });
        }
        assertThat(server.received().single().envelopeRecipients()).containsExactly("a@example.test");
    }

    // ------------------------------------------------------------------ item 6: 421 or hang-up after "."

    @Test
    @DisplayName("#10.6: a 421 after the final '.' (then a hang-up) is DELIVERY_UNCERTAIN with the 421 verbatim, sent once")
    void closing421AfterDot_uncertain() {
        String reply = "421 4.7.0 mail.example.test Try again later, closing connection";
        ScriptedSmtpServer server = start(ScriptedSmtpServer.builder().reply(Command.END_OF_DATA, ScriptedSmtpServer.andDrop(reply)));
        MailException e = sendFails(mailroomFor(server, Security.NONE), SmtpFixtures.email());
        assertThat(e.code()).as(e.toString()).isEqualTo(MailErrorCode.DELIVERY_UNCERTAIN);
        assertThat(e.code().category()).isEqualTo(MailErrorCode.Category.AMBIGUOUS);
        assertThat(e.serverReply()).hasValue(reply);
        assertThat(server.commands().stream().filter("DATA"::equals).count()).isEqualTo(1);
    }

    @Test
    @DisplayName("#10.6: a definite refusal after the final '.' stays definite even when the server hangs up after it")
    void refusalAfterDotThenHangUp_staysDefinite() {
        String reply = "552 5.3.4 Message size exceeds fixed limit";
        ScriptedSmtpServer server = start(ScriptedSmtpServer.builder().reply(Command.END_OF_DATA, ScriptedSmtpServer.andDrop(reply)));
        MailException e = sendFails(mailroomFor(server, Security.NONE), SmtpFixtures.email());
        assertThat(e.code()).as(e.toString()).isEqualTo(MailErrorCode.MESSAGE_TOO_LARGE);
        assertThat(e.serverReply()).hasValue(reply);
    }

    // ------------------------------------------------------------------ item 10: SIZE

    @Test
    @DisplayName("#10.10: an attachment of unknown length over the server's SIZE is cut off before the final '.': MESSAGE_TOO_LARGE, nothing delivered")
    void unknownLength_overServerSize_abortedBeforeDot() {
        ScriptedSmtpServer server = start(ScriptedSmtpServer.builder().reply(Command.EHLO, "250 scripted.test\n250 AUTH PLAIN LOGIN\n250 SIZE 50000"));
        Mailroom m = mailroomFor(server, Security.NONE);
        byte[] big = new byte[600_000];
        Email email = SmtpFixtures.email().toBuilder().attach(Attachment.of("big.bin", "application/octet-stream",
                () -> new ByteArrayInputStream(big))).build();
        MailException e = sendFails(m, email);
        assertThat(e.code()).as(e.toString()).isEqualTo(MailErrorCode.MESSAGE_TOO_LARGE);
        assertThat(e.getMessage()).contains("50000");
        assertThat(e.serverReply()).hasValue("250 SIZE 50000");
        assertThat(server.commands()).contains("DATA").doesNotContain(".");
        assertThat(server.dataBytesReceived()).isLessThan(200_000);
        server.received().assertNone();
        m.send(MailContext.system(), SmtpFixtures.email()); // the account is fine for a small one
        assertThat(server.received().count()).isEqualTo(1);
    }

    @Test
    @DisplayName("#10.10: a message of known size declares SIZE= on MAIL FROM when the server offers SIZE")
    void knownSize_declaredOnMailFrom() {
        ScriptedSmtpServer server = start(ScriptedSmtpServer.builder().reply(Command.EHLO, "250 scripted.test\n250 AUTH PLAIN LOGIN\n250 SIZE 100000"));
        mailroomFor(server, Security.NONE).send(MailContext.system(), SmtpFixtures.email());
        assertThat(server.commands()).anySatisfy(c -> assertThat(c).startsWith("MAIL FROM:<app@acme.test>").containsPattern(" SIZE=\\d+"));
    }

    @Test
    @DisplayName("#10.10: over the advertised SIZE with a known size: refused before MAIL FROM, the EHLO line verbatim")
    void knownSize_overLimit_refusedBeforeMailFrom() {
        ScriptedSmtpServer server = start(ScriptedSmtpServer.builder().reply(Command.EHLO, "250 scripted.test\n250 AUTH PLAIN LOGIN\n250 SIZE 10000"));
        Email big = SmtpFixtures.email().toBuilder().attach(Attachment.of("a.bin", "application/octet-stream", new byte[20_000])).build();
        MailException e = sendFails(mailroomFor(server, Security.NONE), big);
        assertThat(e.code()).isEqualTo(MailErrorCode.MESSAGE_TOO_LARGE);
        assertThat(e.serverReply()).hasValue("250 SIZE 10000");
        assertThat(server.commands()).noneMatch(c -> c.startsWith("MAIL"));
    }

    // ------------------------------------------------------------------ item 14: diagnose

    @Test
    @DisplayName("#10.14: diagnose probes RCPT TO with the account's own address, then RSET: a sender refused at RCPT fails SENDER")
    void diagnose_senderRefusedAtRcpt() {
        ScriptedSmtpServer server = start(ScriptedSmtpServer.builder().reply(Command.RCPT, SENDER_NOT_OWNED));
        Mailroom m = mailroomFor(server, Security.NONE);
        Diagnosis d = m.diagnose(repo.findAll().get(0));
        DiagnosisStep f = d.failure().orElseThrow();
        assertThat(f.stage()).as(d.report()).isEqualTo(Stage.SENDER);
        assertThat(f.code()).isEqualTo(MailErrorCode.SENDER_REJECTED);
        assertThat(f.serverReply()).isEqualTo(SENDER_NOT_OWNED);
        assertThat(server.commands()).contains("RCPT TO:<app@acme.test>", "RSET").doesNotContain("DATA");
    }

    @Test
    @DisplayName("#10.14: a probe recipient greylisted (450) or unknown (550 5.1.1) says nothing against the sender: SENDER passes, with the reply")
    void diagnose_probeRecipientRefused_senderPasses() {
        for (String refusal : List.of("450 4.2.0 <app@acme.test>: Recipient address rejected: Greylisted, try again later",
                "550 5.1.1 <app@acme.test>: Recipient address rejected: User unknown in local recipient table")) {
            ScriptedSmtpServer server = start(ScriptedSmtpServer.builder().reply(Command.RCPT, refusal));
            Diagnosis d = mailroomFor(server, Security.NONE).diagnose(repo.findAll().get(0));
            assertThat(d.ok()).as(d.report()).isTrue();
            assertThat(d.step(Stage.SENDER).orElseThrow().detail()).contains(refusal);
        }
    }

    @Test
    @DisplayName("#10.14: diagnose passes SENDER only after the RCPT probe was accepted, and resets the transaction")
    void diagnose_senderAcceptedAtRcpt() {
        ScriptedSmtpServer server = start(ScriptedSmtpServer.builder());
        Diagnosis d = mailroomFor(server, Security.NONE).diagnose(repo.findAll().get(0));
        assertThat(d.ok()).as(d.report()).isTrue();
        assertThat(d.step(Stage.GREETING).orElseThrow().serverReply()).isEqualTo("220 scripted.test ESMTP");
        assertThat(server.commands()).contains("RCPT TO:<app@acme.test>", "RSET").doesNotContain("DATA");
    }

    @Test
    @DisplayName("#10.14: STARTTLS not offered: GREETING and CAPABILITIES passed with the EHLO reply, TLS fails")
    void diagnose_startTlsNotOffered_capabilitiesShown() {
        ScriptedSmtpServer server = start(ScriptedSmtpServer.builder());
        Diagnosis d = mailroomFor(server, Security.STARTTLS).diagnose(repo.findAll().get(0));
        assertThat(d.step(Stage.GREETING).orElseThrow().outcome()).as(d.report()).isEqualTo(Outcome.PASSED);
        assertThat(d.step(Stage.GREETING).orElseThrow().serverReply()).isEqualTo("220 scripted.test ESMTP");
        DiagnosisStep caps = d.step(Stage.CAPABILITIES).orElseThrow();
        assertThat(caps.outcome()).isEqualTo(Outcome.PASSED);
        assertThat(caps.serverReply()).startsWith("250-scripted.test").contains("AUTH PLAIN LOGIN").doesNotContain("STARTTLS");
        assertThat(d.capabilities()).isNotEmpty();
        DiagnosisStep f = d.failure().orElseThrow();
        assertThat(f.stage()).isEqualTo(Stage.TLS);
        assertThat(f.code()).isEqualTo(MailErrorCode.STARTTLS_NOT_OFFERED);
    }

    @Test
    @DisplayName("#10.14: a refused STARTTLS (454) is TLS_FAILED (retryable) with the reply verbatim, not AUTH_TEMPORARY; on send too")
    void startTlsRefused454_tlsFailed() {
        String refusal = "454 4.7.0 TLS not available";
        ScriptedSmtpServer server = start(ScriptedSmtpServer.builder().reply(Command.EHLO, "250 scripted.test\n250 STARTTLS\n250 AUTH PLAIN LOGIN"));
        Mailroom m = mailroomFor(server, Security.STARTTLS);
        Diagnosis d = m.diagnose(repo.findAll().get(0));
        assertThat(d.step(Stage.GREETING).orElseThrow().outcome()).as(d.report()).isEqualTo(Outcome.PASSED);
        assertThat(d.step(Stage.CAPABILITIES).orElseThrow().outcome()).isEqualTo(Outcome.PASSED);
        assertThat(d.step(Stage.CAPABILITIES).orElseThrow().serverReply()).contains("STARTTLS");
        DiagnosisStep f = d.failure().orElseThrow();
        assertThat(f.stage()).isEqualTo(Stage.TLS);
        assertThat(f.code()).isEqualTo(MailErrorCode.TLS_FAILED);
        assertThat(f.serverReply()).isEqualTo(refusal);

        MailException e = sendFails(m, SmtpFixtures.email());
        assertThat(e.code()).as(e.toString()).isEqualTo(MailErrorCode.TLS_FAILED);
        assertThat(e.isRetryable()).isTrue();
        assertThat(e.serverReply()).hasValue(refusal);
        assertThat(server.commands()).noneMatch(c -> c.startsWith("AUTH") || c.startsWith("MAIL"));
    }

    // ------------------------------------------------------------------ item 17: too many recipients on a direct send

    @Test
    @DisplayName("#10.17: a direct send meeting '452 4.5.3 too many recipients' goes out in further transactions, one copy each")
    void tooManyRecipients_split() {
        ScriptedSmtpServer server = start(ScriptedSmtpServer.builder().recipientLimit(2, "452 4.5.3 Error: too many recipients"));
        Email email = SmtpFixtures.email().toBuilder().cc("b@example.test", "c@example.test").bcc("d@example.test", "e@example.test").build();
        Receipt r = mailroomFor(server, Security.NONE).send(MailContext.system(), email);
        assertThat(r.recipients()).extracting(EmailAddress::address)
                .containsExactlyInAnyOrder("kunde@example.test", "b@example.test", "c@example.test", "d@example.test", "e@example.test");
        List<ReceivedMail> mails = server.received().all();
        assertThat(mails).hasSize(3);
        assertThat(mails.stream().flatMap(x -> x.envelopeRecipients().stream()).toList())
                .containsExactlyInAnyOrder("kunde@example.test", "b@example.test", "c@example.test", "d@example.test", "e@example.test");
        assertThat(mails).extracting(x -> x.header("Message-ID")).containsOnly(r.messageId());
    }

    @Test
    @DisplayName("#10.17: a later transaction's failure is PARTIALLY_DELIVERED, naming who got it and who did not")
    void tooManyRecipients_laterFailure_reported() {
        String spam = "554 5.7.1 Message rejected as spam";
        ScriptedSmtpServer server = start(ScriptedSmtpServer.builder().recipientLimit(2, "452 4.5.3 Error: too many recipients")
                .reply(Command.END_OF_DATA, "250 2.0.0 Ok: queued as 1", spam));
        Email email = SmtpFixtures.email().toBuilder().cc("b@example.test", "c@example.test").build();
        MailException e = sendFails(mailroomFor(server, Security.NONE), email);
        assertThat(e.code()).as(e.toString()).isEqualTo(MailErrorCode.PARTIALLY_DELIVERED);
        assertThat(e.isRetryable()).isFalse();
        assertThat(e.serverReply()).hasValue(spam);
        assertThat(e.getMessage()).contains("kunde@example.test, b@example.test").contains("not to c@example.test");
        assertThat(e.getCause()).isInstanceOfSatisfying(MailException.class, c -> assertThat(c.code()).isEqualTo(MailErrorCode.PERMANENT_FAILURE));
        assertThat(server.received().single().envelopeRecipients()).containsExactly("kunde@example.test", "b@example.test");
    }

    @Test
    @DisplayName("#10.17: a direct send still fails as a whole when a recipient is unknown (no split, nothing sent)")
    void direct_unknownRecipient_allOrNothing() {
        String unknown = "550 5.1.1 <b@example.test>: Recipient address rejected: User unknown";
        ScriptedSmtpServer server = start(ScriptedSmtpServer.builder().reply(Command.RCPT, "250 2.1.5 Ok", unknown));
        MailException e = sendFails(mailroomFor(server, Security.NONE), SmtpFixtures.email().toBuilder().cc("b@example.test").build());
        assertThat(e.code()).isEqualTo(MailErrorCode.RECIPIENT_REJECTED);
        assertThat(e.serverReply()).hasValue(unknown);
        assertThat(server.commands()).doesNotContain("DATA");
    }

    // ------------------------------------------------------------------ helpers

    private static Transport transport() {
        return new SmtpTransportProvider().open(TransportContext.builder()
                .timeouts(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5))
                .hostDefaultSecurity(Security.NONE).protocolLog(ProtocolLog.NONE)
                .poolLimits(new PoolLimits(2, Duration.ofSeconds(30), Duration.ofSeconds(5))).build());
    }

    private static ResolvedAccount account(ScriptedSmtpServer server, Security security) {
        return ResolvedAccount.of(SmtpFixtures.systemAccount(server.host(), server.port(), security).build(), null, Security.NONE);
    }

    private static OutgoingMessage message(List<String> to, boolean partial, long size) throws Exception {
        MimeMessage mime = new MimeMessage(Session.getInstance(new Properties()));
        mime.setFrom("app@acme.test");
        mime.setSubject("Test");
        mime.setText("Hello");
        mime.saveChanges();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        mime.writeTo(bytes);
        return OutgoingMessage.builder("<1@acme.test>", EmailAddress.of("app@acme.test"), to.stream().map(EmailAddress::of).toList())
                .partialDelivery(partial).copyToSent(false).content(bytes.toByteArray()).sizeEstimate(size).build();
    }
}
