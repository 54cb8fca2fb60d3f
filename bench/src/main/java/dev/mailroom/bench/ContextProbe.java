package dev.mailroom.bench;

import dev.mailroom.Diagnosis;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.spi.OutgoingMessage;
import dev.mailroom.spi.SendResult;
import dev.mailroom.spi.Transport;
import dev.mailroom.spi.TransportContext;
import dev.mailroom.spi.TransportProvider;

/** A transport that serves no account and keeps the context Mailroom opened it with, to measure what transports get. */
final class ContextProbe implements TransportProvider {
    volatile TransportContext context;

    @Override
    public String id() {
        return "bench-probe";
    }

    @Override
    public boolean supports(ResolvedAccount account) {
        return false;
    }

    @Override
    public Transport open(TransportContext context) {
        this.context = context;
        return new Transport() {
            @Override
            public SendResult send(ResolvedAccount account, OutgoingMessage message) {
                throw new UnsupportedOperationException("the probe sends nothing");
            }

            @Override
            public Diagnosis diagnose(ResolvedAccount account) {
                throw new UnsupportedOperationException("the probe diagnoses nothing");
            }

            @Override
            public void close() {
            }
        };
    }
}
