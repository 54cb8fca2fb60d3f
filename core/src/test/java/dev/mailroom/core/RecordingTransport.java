package dev.mailroom.core;

import dev.mailroom.Diagnosis;
import dev.mailroom.MailException;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.spi.RenderedMessage;
import dev.mailroom.spi.SendResult;
import dev.mailroom.spi.Transport;
import dev.mailroom.spi.TransportProvider;
import dev.mailroom.spi.TransportSettings;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A transport that records what it was asked to send, or fails as told. */
final class RecordingTransport implements TransportProvider, Transport {
    record Sent(ResolvedAccount account, RenderedMessage message) {
    }

    final List<Sent> sent = new CopyOnWriteArrayList<>();
    /** Every send call's account address, also the failed ones. */
    final List<String> attempts = new CopyOnWriteArrayList<>();
    /** Failures for one account address only. */
    final java.util.Map<String, MailException> failFor = new java.util.concurrent.ConcurrentHashMap<>();
    volatile MailException failWith;
    /** Recipients the "server" defers (4xx at RCPT) on their first attempt, with the reply; the others take the message. */
    final java.util.Map<String, String> deferOnce = new java.util.concurrent.ConcurrentHashMap<>();
    private final String id;

    RecordingTransport() {
        this("fake");
    }

    RecordingTransport(String id) {
        this.id = id;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public boolean supports(ResolvedAccount account) {
        return account.smtpHost().isPresent();
    }

    @Override
    public Transport open(TransportSettings settings) {
        return this;
    }

    @Override
    public SendResult send(ResolvedAccount account, RenderedMessage message) {
        String address = account.account().email().address();
        attempts.add(address);
        MailException forAccount = failFor.get(address);
        if (forAccount != null) {
            throw forAccount;
        }
        if (failWith != null) {
            throw failWith;
        }
        sent.add(new Sent(account, message));
        List<SendResult.RefusedRecipient> refused = message.recipients().stream()
                .map(r -> { String reply = deferOnce.remove(r.address()); return reply == null ? null : new SendResult.RefusedRecipient(r, reply, true); })
                .filter(java.util.Objects::nonNull).toList();
        List<dev.mailroom.EmailAddress> accepted = message.recipients().stream()
                .filter(r -> refused.stream().noneMatch(x -> x.address().equals(r))).toList();
        return new SendResult("250 2.0.0 Ok: queued as FAKE" + sent.size(), accepted, null, null, refused);
    }

    @Override
    public Diagnosis diagnose(ResolvedAccount account) {
        return new Diagnosis(account.account().email(), id, List.of(), List.of(), List.of());
    }

    @Override
    public void close() {
    }
}
