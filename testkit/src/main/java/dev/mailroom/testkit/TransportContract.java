package dev.mailroom.testkit;

import dev.mailroom.Diagnosis;
import dev.mailroom.DiagnosisStep;
import dev.mailroom.EmailAddress;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.spi.OutgoingMessage;
import dev.mailroom.spi.SendResult;
import dev.mailroom.spi.Transport;
import dev.mailroom.spi.TransportContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every transport must do, whatever its protocol: the bytes go out unchanged, the envelope (not the
 * headers) decides who gets the message, failures are typed by category, a failure after the message
 * was handed over is ambiguous and one before is not, diagnosis never throws and names its stages, and
 * nothing waits forever.
 *
 * <p>A transport module extends this class in its tests and says how to bring about each
 * {@link Situation} against its test server (a scripted SMTP server, a fake HTTP API):
 *
 * <pre>{@code
 * final class SmtpTransportContractTest extends TransportContract {
 *     protected Transport open(TransportContext context) { return new SmtpTransportProvider().open(context); }
 *     protected Target target(Situation situation) { ... start a ScriptedSmtpServer scripted for it ... }
 * }
 * }</pre>
 */
public abstract class TransportContract {
    /** The bound for "finite": every call must return well within it, with the contract's timeouts of one second. */
    protected static final Duration FINITE = Duration.ofSeconds(30);

    private final List<AutoCloseable> open = new ArrayList<>();

    /** The situations a test brings about at the far end. */
    public enum Situation {
        /** Everything works: the message is taken for every recipient. */
        WORKS,
        /** The login is refused (wrong password, revoked token). */
        LOGIN_REFUSED,
        /**
         * The recipient {@code refused@example.test} (the second of the messages sent then) is refused for good
         * (SMTP 550 at RCPT, an API's invalid recipient); the first one is taken.
         */
        SECOND_RECIPIENT_REFUSED,
        /** Nothing listens where the account points. */
        UNREACHABLE,
        /** The far end takes the connection and never answers. */
        SILENT,
        /** The connection breaks after the whole message was handed over, before the far end confirmed it. */
        DROPPED_AFTER_MESSAGE
    }

    /**
     * A message the far end took.
     *
     * @param envelopeFrom the envelope sender it was given
     * @param recipients the envelope recipients it accepted
     * @param bytes the message's bytes as it received them
     */
    public record Delivered(String envelopeFrom, List<String> recipients, byte[] bytes) {
        /**
         * Validates and copies.
         *
         * @param envelopeFrom see the record description
         * @param recipients see the record description
         * @param bytes see the record description
         */
        public Delivered {
            recipients = List.copyOf(recipients);
            bytes = bytes.clone();
        }
    }

    /** The far end of one test: the account that leads there and what arrived. */
    public interface Target extends AutoCloseable {
        /** @return an account the transport serves, pointing at the far end */
        ResolvedAccount account();

        /** @return the messages the far end took so far, in order */
        List<Delivered> delivered();

        /** Stops the far end. */
        @Override
        default void close() {
        }

        /**
         * A far end from its parts.
         *
         * @param account the account that leads there
         * @param delivered what arrived so far, read on each call
         * @param close stops the far end
         * @return the target
         */
        static Target of(ResolvedAccount account, java.util.function.Supplier<List<Delivered>> delivered, Runnable close) {
            Objects.requireNonNull(account, "account");
            Objects.requireNonNull(delivered, "delivered");
            Objects.requireNonNull(close, "close");
            return new Target() {
                @Override
                public ResolvedAccount account() {
                    return account;
                }

                @Override
                public List<Delivered> delivered() {
                    return delivered.get();
                }

                @Override
                public void close() {
                    close.run();
                }
            };
        }
    }

    /**
     * Opens the transport under test.
     *
     * @param context the context, with timeouts of one second
     * @return the open transport
     */
    protected abstract Transport open(TransportContext context);

    /**
     * Brings about a situation at the far end.
     *
     * @param situation what the far end does
     * @return the far end, closed after the test
     * @throws Exception if it cannot be set up
     */
    protected abstract Target target(Situation situation) throws Exception;

    /**
     * Whether the far end can refuse single recipients while it takes the message for the others (SMTP's RCPT
     * TO). An HTTP API that takes or refuses a message as a whole (Gmail, Graph) says false: then a refused
     * recipient fails the message as a whole, with partial delivery allowed too.
     *
     * @return true unless overridden
     */
    protected boolean refusesSingleRecipients() {
        return true;
    }

    /**
     * Whether the far end uses the envelope sender the transport gives (SMTP's MAIL FROM). An API that always
     * sends as the mailbox (Gmail) says false: then the envelope sender must be the account's address.
     *
     * @return true unless overridden
     */
    protected boolean honoursEnvelopeSender() {
        return true;
    }

    /** @return the context the transport is opened with: one-second timeouts */
    protected TransportContext context() {
        return TransportContext.builder().timeouts(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1)).build();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        open.clear();
    }

    private Transport transport() {
        Transport t = open(context());
        open.add(t);
        return t;
    }

    private Target far(Situation situation) throws Exception {
        Target t = target(situation);
        open.add(t);
        return t;
    }

    /** The bytes of a message with what transports tend to get wrong: leading dots, a long line, a trailing space. */
    protected static byte[] trickyMessage(String messageId, String from, String to) {
        String text = "Message-ID: " + messageId + "\r\n"
                + "From: " + from + "\r\n"
                + "To: " + to + "\r\n"
                + "Subject: contract\r\n"
                + "Date: Mon, 2 Feb 2026 10:00:00 +0000\r\n"
                + "MIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=us-ascii\r\n"
                + "Content-Transfer-Encoding: 7bit\r\n"
                + "\r\n"
                + ".a line that starts with a dot\r\n"
                + "..and one with two\r\n"
                + ".\r\n"
                + "x".repeat(990) + "\r\n"
                + "a trailing space \r\n"
                + "\r\n"
                + "the end\r\n";
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static OutgoingMessage message(String from, List<String> recipients, boolean partial) {
        String id = "<contract-" + System.nanoTime() + "@example.test>";
        return OutgoingMessage.builder(id, EmailAddress.of(from), recipients.stream().map(EmailAddress::of).toList())
                .partialDelivery(partial).copyToSent(false)
                .content(trickyMessage(id, "Contract <header-from@example.test>", recipients.get(0))).build();
    }

    private static MailException failure(Runnable call) {
        long t0 = System.nanoTime();
        MailException e = assertThrows(MailException.class, call::run);
        assertTrue(Duration.ofNanos(System.nanoTime() - t0).compareTo(FINITE) < 0, "the failure took longer than " + FINITE);
        return e;
    }

    @Test
    @DisplayName("#11 contract: the bytes arrive unchanged, byte for byte (leading dots, long lines, trailing spaces)")
    void bytesArriveUnchanged() throws Exception {
        Target far = far(Situation.WORKS);
        OutgoingMessage m = message("bounce@example.test", List.of("to@example.test"), false);
        SendResult r = transport().send(far.account(), m);
        assertFalse(r.serverReply().isBlank(), "the result carries the far end's reply");
        assertEquals(1, far.delivered().size());
        java.io.ByteArrayOutputStream written = new java.io.ByteArrayOutputStream();
        m.writeTo(written);
        byte[] expected = written.toByteArray();
        assertArrayEquals(expected, far.delivered().get(0).bytes(), "the delivered bytes differ from the message's");
    }

    @Test
    @DisplayName("#11 contract: the envelope decides: envelope sender, and a Bcc recipient who is in no header")
    void envelopeHonoured() throws Exception {
        Target far = far(Situation.WORKS);
        OutgoingMessage m = message("bounce@example.test", List.of("to@example.test", "hidden@example.test"), false);
        SendResult r = transport().send(far.account(), m);
        assertEquals(List.of(EmailAddress.of("to@example.test"), EmailAddress.of("hidden@example.test")), r.accepted());
        Delivered d = far.delivered().get(0);
        assertEquals(honoursEnvelopeSender() ? "bounce@example.test" : far.account().account().email().address(), d.envelopeFrom());
        assertEquals(List.of("to@example.test", "hidden@example.test"), d.recipients());
        String text = new String(d.bytes(), StandardCharsets.US_ASCII);
        assertFalse(text.contains("hidden@example.test"), "the Bcc recipient must not appear in the bytes");
        assertFalse(text.toLowerCase(java.util.Locale.ROOT).contains("\nbcc:"), "no Bcc header");
    }

    @Test
    @DisplayName("#11 contract: a refused login is an AUTHENTICATION failure, and nothing is delivered")
    void loginRefused_isAuthentication() throws Exception {
        Target far = far(Situation.LOGIN_REFUSED);
        MailException e = failure(() -> transport().send(far.account(), message("bounce@example.test", List.of("to@example.test"), false)));
        assertEquals(MailErrorCode.Category.AUTHENTICATION, e.code().category(), e.toString());
        assertTrue(far.delivered().isEmpty());
    }

    @Test
    @DisplayName("#11 contract: all or nothing: one refused recipient fails the message (RECIPIENT) and nobody gets it")
    void refusedRecipient_allOrNothing() throws Exception {
        Target far = far(Situation.SECOND_RECIPIENT_REFUSED);
        MailException e = failure(() -> transport().send(far.account(),
                message("bounce@example.test", List.of("to@example.test", "refused@example.test"), false)));
        assertEquals(MailErrorCode.Category.RECIPIENT, e.code().category(), e.toString());
        assertNotEquals(MailErrorCode.Category.AMBIGUOUS, e.code().category());
        assertTrue(far.delivered().isEmpty(), "nothing is delivered when one recipient is refused");
    }

    @Test
    @DisplayName("#11 contract: partial delivery: the others get the message, the refused recipient is reported as permanent (or, where the far end refuses messages as a whole, nobody gets it)")
    void refusedRecipient_partialDelivery() throws Exception {
        Target far = far(Situation.SECOND_RECIPIENT_REFUSED);
        if (!refusesSingleRecipients()) {
            MailException e = failure(() -> transport().send(far.account(),
                    message("bounce@example.test", List.of("to@example.test", "refused@example.test"), true)));
            assertEquals(MailErrorCode.Category.RECIPIENT, e.code().category(), e.toString());
            assertTrue(far.delivered().isEmpty(), "a far end that refuses messages as a whole delivers nothing");
            return;
        }
        SendResult r = transport().send(far.account(),
                message("bounce@example.test", List.of("to@example.test", "refused@example.test"), true));
        assertEquals(List.of(EmailAddress.of("to@example.test")), r.accepted());
        assertEquals(1, r.refused().size());
        assertEquals(EmailAddress.of("refused@example.test"), r.refused().get(0).address());
        assertFalse(r.refused().get(0).temporary());
        assertEquals(List.of("to@example.test"), far.delivered().get(0).recipients());
    }

    @Test
    @DisplayName("#11 contract: nothing listening is a CONNECTION failure, never ambiguous")
    void unreachable_isConnection() throws Exception {
        Target far = far(Situation.UNREACHABLE);
        MailException e = failure(() -> transport().send(far.account(), message("bounce@example.test", List.of("to@example.test"), false)));
        assertEquals(MailErrorCode.Category.CONNECTION, e.code().category(), e.toString());
    }

    @Test
    @DisplayName("#11 contract: a far end that never answers fails within the timeouts, and is not ambiguous")
    void silent_failsInFiniteTime() throws Exception {
        Target far = far(Situation.SILENT);
        MailException e = failure(() -> transport().send(far.account(), message("bounce@example.test", List.of("to@example.test"), false)));
        assertNotEquals(MailErrorCode.Category.AMBIGUOUS, e.code().category(), e.toString());
        assertTrue(far.delivered().isEmpty());
    }

    @Test
    @DisplayName("#11 contract: a connection lost after the message was handed over is AMBIGUOUS (it may have been delivered)")
    void droppedAfterMessage_isAmbiguous() throws Exception {
        Target far = far(Situation.DROPPED_AFTER_MESSAGE);
        MailException e = failure(() -> transport().send(far.account(), message("bounce@example.test", List.of("to@example.test"), false)));
        assertEquals(MailErrorCode.Category.AMBIGUOUS, e.code().category(), e.toString());
    }

    @Test
    @DisplayName("#11 contract: diagnosis of a working account passes every stage it runs, starting with SETTINGS")
    void diagnose_works() throws Exception {
        Target far = far(Situation.WORKS);
        Diagnosis d = diagnose(far);
        assertTrue(d.failure().isEmpty(), d::report);
        assertFalse(d.steps().isEmpty());
        assertEquals(DiagnosisStep.Stage.SETTINGS, d.steps().get(0).stage());
        assertTrue(far.delivered().isEmpty(), "a diagnosis sends no message");
    }

    @Test
    @DisplayName("#11 contract: diagnosis reports a refused login as a failed stage with an AUTHENTICATION code, never by throwing")
    void diagnose_loginRefused() throws Exception {
        Diagnosis d = diagnose(far(Situation.LOGIN_REFUSED));
        DiagnosisStep f = d.failure().orElseThrow(() -> new AssertionError("no failed stage: " + d.report()));
        assertTrue(Arrays.asList(DiagnosisStep.Stage.AUTH, DiagnosisStep.Stage.TOKEN).contains(f.stage()), d::report);
        assertEquals(MailErrorCode.Category.AUTHENTICATION, Objects.requireNonNull(f.code(), "a failed stage has a code").category());
        assertTrue(f.hint() != null && !f.hint().isBlank(), "a failed stage has a hint");
    }

    @Test
    @DisplayName("#11 contract: diagnosis of an unreachable account fails at a connection stage with a CONNECTION code")
    void diagnose_unreachable() throws Exception {
        Diagnosis d = diagnose(far(Situation.UNREACHABLE));
        DiagnosisStep f = d.failure().orElseThrow(() -> new AssertionError("no failed stage: " + d.report()));
        assertEquals(MailErrorCode.Category.CONNECTION, Objects.requireNonNull(f.code(), "a failed stage has a code").category(), d::report);
    }

    private Diagnosis diagnose(Target far) {
        long t0 = System.nanoTime();
        Diagnosis d = transport().diagnose(far.account());
        assertTrue(Duration.ofNanos(System.nanoTime() - t0).compareTo(FINITE) < 0, "the diagnosis took longer than " + FINITE);
        return d;
    }
}
