package dev.mailroom.core;

import dev.mailroom.Diagnosis;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.spi.OutgoingMessage;
import dev.mailroom.spi.SendResult;
import dev.mailroom.spi.Transport;
import dev.mailroom.spi.TransportProvider;
import dev.mailroom.spi.TransportContext;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;

/**
 * A transport whose behaviour per send is a function the test supplies (slow, hanging, failing); it records the
 * Message-ID of every message it took.
 */
final class ScriptedTransport implements TransportProvider, Transport {
    /** Message-IDs of the messages taken, in order; a Message-ID twice is a duplicate delivery. */
    final List<String> delivered = new CopyOnWriteArrayList<>();
    private final BiFunction<ResolvedAccount, OutgoingMessage, SendResult> behaviour;

    /**
     * @param behaviour called for each send; may block (bounded), throw a {@code MailException}, or return
     *                  {@code null} to take the message
     */
    ScriptedTransport(BiFunction<ResolvedAccount, OutgoingMessage, SendResult> behaviour) {
        this.behaviour = behaviour;
    }

    /** Takes every message after {@code millis} ms, like a working server across a slow network. */
    static ScriptedTransport slow(long millis) {
        return new ScriptedTransport((account, message) -> {
            try {
                Thread.sleep(millis); // the simulated server's latency, not a synchronisation
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new dev.mailroom.MailException(dev.mailroom.MailErrorCode.TIMEOUT, "interrupted");
            }
            return null;
        });
    }

    @Override
    public String id() {
        return "fake"; // the id RecordingTransport enqueues with
    }

    @Override
    public boolean supports(ResolvedAccount account) {
        return account.smtpHost().isPresent();
    }

    @Override
    public Transport open(TransportContext settings) {
        return this;
    }

    @Override
    public SendResult send(ResolvedAccount account, OutgoingMessage message) {
        SendResult result = behaviour.apply(account, message);
        delivered.add(message.messageId());
        return result != null ? result : SendResult.builder("250 2.0.0 Ok: queued").accepted(message.recipients()).build();
    }

    @Override
    public Diagnosis diagnose(ResolvedAccount account) {
        return new Diagnosis(account.account().email(), id(), List.of(), List.of(), List.of());
    }

    @Override
    public void close() {
    }
}
