package dev.mailroom.smtp;

import dev.mailroom.EmailAddress;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Security;
import dev.mailroom.spi.OutgoingMessage;
import dev.mailroom.spi.PoolLimits;
import dev.mailroom.spi.ProtocolLog;
import dev.mailroom.spi.SendResult;
import dev.mailroom.spi.Transport;
import dev.mailroom.spi.TransportContext;
import dev.mailroom.testkit.ScriptedSmtpServer;
import dev.mailroom.testkit.ScriptedSmtpServer.Command;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Issue #16: bulk content path, PIPELINING, CHUNKING (BDAT) and the fallback when a server breaks an extension it advertised. */
final class SmtpWireIT {
    /** Lines a dot-stuffing bug would change: a lone dot, leading dots, a dot after a blank line, no final line end. */
    private static final String TRICKY = "Subject: dots\r\nMessage-ID: <1@acme.test>\r\n\r\n.\r\n..two\r\n.three\r\n\r\n.\r\nend . \r\n.last";

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final List<String> log = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private ScriptedSmtpServer start(ScriptedSmtpServer.Builder b) {
        ScriptedSmtpServer s = b.build().start();
        toClose.add(s);
        return s;
    }

    private Transport transport(Duration readTimeout) {
        Transport t = new SmtpTransportProvider().open(TransportContext.builder()
                .timeouts(Duration.ofSeconds(5), readTimeout, Duration.ofSeconds(5))
                .hostDefaultSecurity(Security.NONE).protocolLog((id, line) -> log.add(line))
                .poolLimits(new PoolLimits(2, Duration.ofSeconds(30), Duration.ofSeconds(5))).build());
        toClose.add(t);
        return t;
    }

    private Transport transport() {
        return transport(Duration.ofSeconds(5));
    }

    private static ResolvedAccount account(ScriptedSmtpServer server) {
        return ResolvedAccount.of(SmtpFixtures.systemAccount(server.host(), server.port(), Security.NONE).debug(true).build(), null,
                Security.NONE);
    }

    private static OutgoingMessage message(String content, List<String> to, boolean partial) {
        byte[] bytes = content.getBytes(StandardCharsets.US_ASCII);
        return OutgoingMessage.builder("<1@acme.test>", EmailAddress.of("app@acme.test"), to.stream().map(EmailAddress::of).toList())
                .partialDelivery(partial).copyToSent(false).content(bytes).sizeEstimate(bytes.length).build();
    }

    private static OutgoingMessage message(String content) {
        return message(content, List.of("kunde@example.test"), false);
    }

    /** What the server stores: the content with a final line end. */
    private static String stored(String content) {
        return content.endsWith("\r\n") ? content : content + "\r\n";
    }

    @ParameterizedTest(name = "server advertises [{0}]")
    @ValueSource(strings = {"", "PIPELINING", "CHUNKING", "PIPELINING CHUNKING"})
    @DisplayName("#16: the bulk content path keeps every byte: DATA dot-stuffs (the server unstuffs), BDAT sends the bytes as they are")
    void content_arrivesByteForByte(String extensions) {
        ScriptedSmtpServer server = start(ScriptedSmtpServer.builder().advertise(extensions.split(" ")));
        transport().send(account(server), message(TRICKY));
        assertThat(new String(server.received().single().raw(), StandardCharsets.US_ASCII)).isEqualTo(stored(TRICKY));
        boolean chunking = extensions.contains("CHUNKING");
        assertThat(server.commands()).filteredOn(c -> c.startsWith("BDAT") || c.equals("DATA"))
                .containsExactly(chunking ? "BDAT " + stored(TRICKY).length() + " LAST" : "DATA");
        assertThat(log).noneMatch(l -> l.contains("..two") || l.contains(".three") || l.contains(".last"))
                .anyMatch(l -> l.startsWith("[message content: "));
    }

    @Test
    @DisplayName("#16: PIPELINING: MAIL FROM, RCPT TO and DATA go out without waiting for replies (a server holding its replies until DATA)")
    void pipelining_envelopeAndDataInOneBatch() {
        ScriptedSmtpServer server = start(ScriptedSmtpServer.builder().advertise("PIPELINING").holdRepliesUntil(Command.DATA));
        SendResult r = transport().send(account(server), message(TRICKY));
        assertThat(r.serverReply()).startsWith("250");
        assertThat(new String(server.received().single().raw(), StandardCharsets.US_ASCII)).isEqualTo(stored(TRICKY));
        // the protocol log shows the batch: all commands before the first reply
        int mail = indexOf(l -> l.startsWith("MAIL FROM"));
        assertThat(log.get(mail + 1)).startsWith("RCPT TO");
        assertThat(log.get(mail + 2)).isEqualTo("DATA");
    }

    @Test
    @DisplayName("#16: PIPELINING + CHUNKING: envelope and the whole message in one BDAT chunk, one round trip")
    void pipeliningAndChunking_oneBatch() {
        ScriptedSmtpServer server = start(ScriptedSmtpServer.builder().advertise("PIPELINING", "CHUNKING").holdRepliesUntil(Command.BDAT));
        transport().send(account(server), message(TRICKY));
        assertThat(new String(server.received().single().raw(), StandardCharsets.US_ASCII)).isEqualTo(stored(TRICKY));
        assertThat(server.commands()).doesNotContain("DATA");
    }

    @Test
    @DisplayName("#16: CHUNKING: a message larger than one chunk goes in chunks that each carry their size; the bytes arrive unchanged")
    void chunking_severalChunks() {
        ScriptedSmtpServer server = start(ScriptedSmtpServer.builder().advertise("PIPELINING", "CHUNKING"));
        StringBuilder body = new StringBuilder("Subject: big\r\n\r\n");
        while (body.length() < 600_000) {
            body.append(".line ").append(body.length()).append(" of a large message\r\n");
        }
        transport().send(account(server), message(body.toString()));
        assertThat(new String(server.received().single().raw(), StandardCharsets.US_ASCII)).isEqualTo(body.toString());
        assertThat(server.commands()).filteredOn(c -> c.startsWith("BDAT"))
                .containsExactly("BDAT 262144", "BDAT 262144", "BDAT " + (body.length() - 2 * 262144) + " LAST");
    }

    @ParameterizedTest(name = "server advertises [{0}]")
    @ValueSource(strings = {"PIPELINING", "PIPELINING CHUNKING"})
    @DisplayName("#16: pipelined partial delivery keeps per-recipient outcomes: accepted, refused for good, deferred")
    void pipelining_partialDelivery_perRecipient(String extensions) {
        String unknown = "550 5.1.1 <b@example.test>: Recipient address rejected: User unknown";
        String full = "452 4.2.2 <c@example.test>: mailbox full";
        ScriptedSmtpServer server = start(ScriptedSmtpServer.builder().advertise(extensions.split(" "))
                .reply(Command.RCPT, "250 2.1.5 Ok", unknown, full));
        SendResult r = transport().send(account(server), message(TRICKY, List.of("a@example.test", "b@example.test", "c@example.test"), true));
        assertThat(r.accepted()).extracting(EmailAddress::address).containsExactly("a@example.test");
        assertThat(r.refused()).extracting(x -> x.address().address(), SendResult.RefusedRecipient::reply, SendResult.RefusedRecipient::temporary)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("b@example.test", unknown, false),
                        org.assertj.core.groups.Tuple.tuple("c@example.test", full, true));
        assertThat(server.received().single().envelopeRecipients()).containsExactly("a@example.test");
    }

    @ParameterizedTest(name = "server advertises [{0}]")
    @ValueSource(strings = {"PIPELINING", "PIPELINING CHUNKING"})
    @DisplayName("#16: a pipelined direct send to several recipients reads their replies before the content: one refused, nothing sent")
    void pipelining_directSend_allOrNothing(String extensions) {
        ScriptedSmtpServer server = start(ScriptedSmtpServer.builder().advertise(extensions.split(" "))
                .reply(Command.RCPT, "250 2.1.5 Ok", "550 5.1.1 unknown"));
        Transport t = transport();
        assertThatThrownBy(() -> t.send(account(server), message(TRICKY, List.of("a@example.test", "b@example.test"), false)))
                .isInstanceOfSatisfying(MailException.class, e -> assertThat(e.code()).isEqualTo(MailErrorCode.RECIPIENT_REJECTED));
        assertThat(server.commands()).noneMatch(c -> c.equals("DATA") || c.startsWith("BDAT")).contains("RSET");
        server.received().assertNone();
    }

    @Test
    @DisplayName("#16: MAIL FROM refused with a large message already pipelined in chunks: SENDER_REJECTED, not a chunk error")
    void pipelinedChunks_mailRefused_senderRejected() {
        String refusal = "553 5.7.1 <app@acme.test>: Sender address rejected: not owned by user other@acme.test";
        ScriptedSmtpServer server = start(ScriptedSmtpServer.builder().advertise("PIPELINING", "CHUNKING").reply(Command.MAIL, refusal));
        String big = "Subject: big\r\n\r\n" + "y".repeat(70).concat("\r\n").repeat(9000); // more than two chunks
        Transport t = transport();
        assertThatThrownBy(() -> t.send(account(server), message(big)))
                .isInstanceOfSatisfying(MailException.class, e -> {
                    assertThat(e.code()).isEqualTo(MailErrorCode.SENDER_REJECTED);
                    assertThat(e.serverReply()).hasValue(refusal);
                });
        server.received().assertNone();
    }

    @Test
    @DisplayName("#16: a pipelined reply that never comes: a clear warning, the connection closed, the message sent once with the plain sequence")
    void pipelinedReplyMissing_fallsBackToPlainSequence() {
        // MAIL FROM is not answered on the first connection: its reply slot is taken by RCPT's, RCPT's by DATA's 354.
        ScriptedSmtpServer server = start(ScriptedSmtpServer.builder().advertise("PIPELINING")
                .reply(Command.MAIL, ScriptedSmtpServer.SILENT, "250 2.1.0 Ok"));
        Transport t = transport();
        ResolvedAccount account = account(server);
        t.send(account, message(TRICKY));
        assertThat(server.received().all()).hasSize(1);
        assertThat(server.connections()).isEqualTo(2);
        // the fresh connection waits for each reply: MAIL FROM's reply comes before RCPT TO is sent
        log.clear();
        t.send(account, message(TRICKY));
        int mail = indexOf(l -> l.startsWith("MAIL FROM"));
        assertThat(log.get(mail + 1)).startsWith("250");
        assertThat(server.received().all()).hasSize(2);
    }

    @Test
    @DisplayName("#16: BDAT refused although CHUNKING was advertised: the message goes once, with DATA, on a fresh connection")
    void bdatRefused_fallsBackToData() {
        ScriptedSmtpServer server = start(ScriptedSmtpServer.builder().advertise("CHUNKING")
                .reply(Command.BDAT, "502 5.5.2 Error: command not recognized"));
        transport().send(account(server), message(TRICKY));
        assertThat(new String(server.received().single().raw(), StandardCharsets.US_ASCII)).isEqualTo(stored(TRICKY));
        assertThat(server.commands()).contains("DATA");
        assertThat(server.connections()).isEqualTo(2);
    }

    @Test
    @DisplayName("#16: replies out of step after the whole message was on the wire: DELIVERY_UNCERTAIN, not sent again")
    void misbehaviourAfterContentComplete_ambiguous_notRetried() {
        ScriptedSmtpServer server = start(ScriptedSmtpServer.builder().advertise("PIPELINING", "CHUNKING")
                .reply(Command.MAIL, ScriptedSmtpServer.SILENT, "250 2.1.0 Ok"));
        Transport t = transport(Duration.ofMillis(500));
        assertThatThrownBy(() -> t.send(account(server), message(TRICKY)))
                .isInstanceOfSatisfying(MailException.class, e -> assertThat(e.code()).isEqualTo(MailErrorCode.DELIVERY_UNCERTAIN));
        assertThat(server.connections()).isEqualTo(1);
        assertThat(server.received().all()).hasSize(1); // the server did take it: the outbox retries it flagged as a possible duplicate
    }

    @Test
    @DisplayName("#16: a slow reply to the end of the content is a timeout (DELIVERY_UNCERTAIN), not a broken extension: pipelining stays on")
    void slowEndOfData_pipeliningStaysOn() {
        ScriptedSmtpServer server = start(ScriptedSmtpServer.builder().advertise("PIPELINING")
                .reply(Command.END_OF_DATA, ScriptedSmtpServer.SILENT, "250 2.0.0 Ok: queued"));
        Transport t = transport(Duration.ofMillis(500));
        ResolvedAccount account = account(server);
        assertThatThrownBy(() -> t.send(account, message(TRICKY)))
                .isInstanceOfSatisfying(MailException.class, e -> assertThat(e.code()).isEqualTo(MailErrorCode.DELIVERY_UNCERTAIN));
        log.clear();
        t.send(account, message(TRICKY));
        int mail = indexOf(l -> l.startsWith("MAIL FROM"));
        assertThat(log.get(mail + 1)).startsWith("RCPT TO"); // still pipelined
    }

    @Test
    @DisplayName("#16: the server hangs up after the last BDAT chunk: DELIVERY_UNCERTAIN, as after the final '.'")
    void hangUpAfterLastChunk_ambiguous() {
        ScriptedSmtpServer server = start(ScriptedSmtpServer.builder().advertise("PIPELINING", "CHUNKING")
                .reply(Command.END_OF_DATA, ScriptedSmtpServer.DROP));
        Transport t = transport();
        assertThatThrownBy(() -> t.send(account(server), message(TRICKY)))
                .isInstanceOfSatisfying(MailException.class, e -> assertThat(e.code()).isEqualTo(MailErrorCode.DELIVERY_UNCERTAIN));
        assertThat(server.connections()).isEqualTo(1);
    }

    @ParameterizedTest(name = "server advertises [{0}]")
    @ValueSource(strings = {"SIZE 5000", "SIZE 5000|CHUNKING", "SIZE 5000|PIPELINING|CHUNKING"})
    @DisplayName("#16: content that grows past the server's SIZE is cut off before its end: MESSAGE_TOO_LARGE, nothing delivered")
    void overServerSize_cutOff(String extensions) {
        ScriptedSmtpServer server = start(ScriptedSmtpServer.builder().advertise(extensions.split("\\|")));
        String big = "Subject: big\r\n\r\n" + "x".repeat(70).concat("\r\n").repeat(200);
        OutgoingMessage unknownSize = OutgoingMessage.builder("<1@acme.test>", EmailAddress.of("app@acme.test"),
                List.of(EmailAddress.of("kunde@example.test"))).copyToSent(false).content(big.getBytes(StandardCharsets.US_ASCII)).build();
        Transport t = transport();
        assertThatThrownBy(() -> t.send(account(server), unknownSize))
                .isInstanceOfSatisfying(MailException.class, e -> assertThat(e.code()).isEqualTo(MailErrorCode.MESSAGE_TOO_LARGE));
        server.received().assertNone();
    }

    private int indexOf(java.util.function.Predicate<String> p) {
        for (int i = 0; i < log.size(); i++) {
            if (p.test(log.get(i))) {
                return i;
            }
        }
        throw new AssertionError("no such line in " + log);
    }
}
