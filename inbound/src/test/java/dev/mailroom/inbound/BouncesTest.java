package dev.mailroom.inbound;

import dev.mailroom.testkit.MailCorpus;
import dev.mailroom.testkit.MailCorpus.Kind;
import dev.mailroom.testkit.MailCorpus.Sample;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** F7: bounces read from the real-world corpus with Angus' DSN support, and what is not a bounce. */
final class BouncesTest {
    @Test
    @DisplayName("F7: every corpus bounce (Postfix, Exchange, Gmail DSNs, a qmail failure notice) gives the original Message-ID"
            + " and whether it is permanent")
    void corpusBounces() {
        for (Sample s : MailCorpus.of(Kind.BOUNCE)) {
            Optional<Bounce> b = Bounce.parse(s.bytes());
            assertThat(b).as(s.name()).isPresent();
            assertThat(b.get().originalMessageId()).as(s.name()).isEqualTo(s.originalMessageId());
            assertThat(b.get().permanent()).as(s.name()).isEqualTo(s.permanent());
            assertThat(b.get().standard()).as(s.name()).isEqualTo(s != Sample.QMAIL_BOUNCE);
        }
    }

    @Test
    @DisplayName("F7: a Postfix DSN names the recipient, action, status, diagnostic code and reporting server")
    void postfixDetails() {
        Bounce b = Bounce.parse(Sample.POSTFIX_DSN.bytes()).orElseThrow();
        assertThat(b.reportingMta()).hasValue("mail.acme.test");
        assertThat(b.recipients()).hasSize(1);
        Bounce.Recipient r = b.recipients().get(0);
        assertThat(r.address()).isEqualTo("nobody@kunde.example");
        assertThat(r.action()).isEqualTo("failed");
        assertThat(r.status()).isEqualTo("5.1.1");
        assertThat(r.diagnosticCode()).hasValueSatisfying(d -> assertThat(d).startsWith("smtp; 550 5.1.1").contains("User unknown"));
        assertThat(b.permanentRecipients()).containsExactly(r);

        Bounce.Recipient exchange = Bounce.parse(Sample.EXCHANGE_NDR.bytes()).orElseThrow().recipients().get(0);
        assertThat(exchange.address()).isEqualTo("gone@partner.example");
        assertThat(exchange.status()).isEqualTo("5.1.10");
        Bounce.Recipient delayed = Bounce.parse(Sample.POSTFIX_DELAYED_DSN.bytes()).orElseThrow().recipients().get(0);
        assertThat(delayed.action()).isEqualTo("delayed");
        assertThat(delayed.permanent()).isFalse();
        Bounce.Recipient qmail = Bounce.parse(Sample.QMAIL_BOUNCE.bytes()).orElseThrow().recipients().get(0);
        assertThat(qmail.address()).isEqualTo("alt@oldhost.example");
        assertThat(qmail.status()).isEqualTo("5.1.1");
    }

    @Test
    @DisplayName("F7: persons, auto-replies, list mail, broken mail and bombs are no bounces; neither is a read receipt")
    void notBounces() {
        for (Sample s : Sample.values()) {
            if (s.kind() != Kind.BOUNCE) {
                assertThat(Bounce.parse(s.bytes())).as(s.name()).isEmpty();
            }
        }
        String mdn = "From: kunde@example.test\r\nTo: support@acme.test\r\nSubject: Gelesen: Anfrage\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/report; report-type=disposition-notification; boundary=\"m\"\r\n\r\n--m\r\n"
                + "Content-Type: text/plain\r\n\r\ngelesen\r\n--m\r\nContent-Type: message/disposition-notification\r\n\r\n"
                + "Final-Recipient: rfc822; kunde@example.test\r\nDisposition: manual-action/MDN-sent-manually; displayed\r\n--m--\r\n";
        assertThat(Bounce.parse(mdn.getBytes(StandardCharsets.US_ASCII))).isEmpty();
        String quoting = "From: kunde@example.test\r\nSubject: Undeliverable mail?\r\n\r\nMessage-ID: <x@y>\r\n";
        assertThat(Bounce.parse(quoting.getBytes(StandardCharsets.US_ASCII))).as("a person asking about a bounce").isEmpty();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    @DisplayName("F7: a person writing as postmaster about a bounce, and an RFC 3834 auto-reply with an empty Return-Path, are no bounces")
    void lookalikesAreNoBounces() {
        String human = "From: Postmaster <postmaster@kunde.example>\r\nTo: support@acme.test\r\nSubject: Re: your undeliverable mail\r\n"
                + "Message-ID: <h1@kunde.example>\r\n\r\nHallo, we fixed the mailbox, the 5.1.1 should be gone.\r\n";
        assertThat(Bounce.parse(ascii(human))).as("subject not a bounce subject at its start, no report").isEmpty();
        String autoReply = "Return-Path: <>\r\nFrom: kunde@example.test\r\nTo: support@acme.test\r\nAuto-Submitted: auto-replied\r\n"
                + "Subject: Undeliverable until Monday: I am out of office\r\n\r\nI am away, 5.0.0 days left.\r\n";
        assertThat(Bounce.parse(ascii(autoReply))).as("an auto-reply, not from a mail system").isEmpty();
    }

    @Test
    @DisplayName("F7: a non-standard bounce without a status is not permanent; an indented address in a signature is no recipient")
    void nonStandardWithoutStatus() {
        String raw = "Return-Path: <>\r\nFrom: MAILER-DAEMON@mx.example\r\nTo: support@acme.test\r\nSubject: Undelivered Mail\r\n\r\n"
                + "Your mail could not be delivered.\r\n\r\n-- \r\n   The mail system\r\n   help@mx.example\r\n";
        Bounce b = Bounce.parse(ascii(raw)).orElseThrow();
        assertThat(b.permanent()).isFalse();
        assertThat(b.recipients()).extracting(Bounce.Recipient::address).doesNotContain("help@mx.example");
    }
}
