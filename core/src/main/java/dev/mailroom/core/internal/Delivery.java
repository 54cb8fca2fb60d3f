package dev.mailroom.core.internal;

import dev.mailroom.DeliveryLogEntry;
import dev.mailroom.Email;
import dev.mailroom.EmailAddress;
import dev.mailroom.MailContext;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.Preview;
import dev.mailroom.Receipt;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Resolution;
import dev.mailroom.core.DeliveryAttempt;
import dev.mailroom.spi.SendResult;
import dev.mailroom.spi.Transport;
import dev.mailroom.spi.TransportCapabilities;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Direct sending: resolution, composition, rendering, the transport call and the delivery-log lines of each
 * attempt; and the dry runs (preview, resolve) that go the same way without sending. Thread-safe.
 */
public final class Delivery {
    private final Resolver resolver;
    private final TransportRegistry transports;
    private final MessageRenderer renderer;
    private final Composer composer;
    private final Limits limits;
    private final DeliveryRecords records;
    private final Lifecycle lifecycle;
    private final Listeners listeners;

    /**
     * @param resolver chooses the account
     * @param transports the open transports
     * @param renderer renders messages
     * @param composer applies sender policy and signatures
     * @param limits the message limits
     * @param records the delivery log
     * @param lifecycle whether the Mailroom is open
     */
    public Delivery(Resolver resolver, TransportRegistry transports, MessageRenderer renderer, Composer composer, Limits limits,
                    DeliveryRecords records, Lifecycle lifecycle) {
        this(resolver, transports, renderer, composer, limits, records, lifecycle, Listeners.NONE);
    }

    /**
     * @param resolver chooses the account
     * @param transports the open transports
     * @param renderer renders messages
     * @param composer applies sender policy and signatures
     * @param limits the message limits
     * @param records the delivery log
     * @param lifecycle whether the Mailroom is open
     * @param listeners told of every attempt
     */
    public Delivery(Resolver resolver, TransportRegistry transports, MessageRenderer renderer, Composer composer, Limits limits,
                    DeliveryRecords records, Lifecycle lifecycle, Listeners listeners) {
        this.listeners = listeners;
        this.resolver = resolver;
        this.transports = transports;
        this.renderer = renderer;
        this.composer = composer;
        this.limits = limits;
        this.records = records;
        this.lifecycle = lifecycle;
    }

    /**
     * Sends an email through the account resolution chooses; blocks until accepted or failed.
     *
     * @param context who sends
     * @param email the email
     * @return the receipt
     * @throws MailException on any failure; also recorded in the delivery log
     */
    public Receipt send(MailContext context, Email email) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(email, "email");
        lifecycle.ensureOpen();
        long t0 = System.nanoTime();
        Resolver.Choice choice;
        String transportId;
        try {
            choice = resolver.resolve(context, email.from().orElse(null));
            transportId = transports.select(choice.account());
        } catch (MailException e) {
            records.failure(DeliveryLogEntry.Operation.SEND, null, context, null, null, e, null);
            throw e;
        }
        return deliver(DeliveryLogEntry.Operation.SEND, context, choice, transportId, email, t0);
    }

    /**
     * What {@link #send} would send, without sending.
     *
     * @param context who would send
     * @param email the email
     * @return the preview, secrets redacted
     * @throws MailException when no account may send, or the email cannot be composed
     */
    public Preview preview(MailContext context, Email email) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(email, "email");
        lifecycle.ensureOpen();
        Resolver.Choice choice = resolver.resolve(context, email.from().orElse(null));
        String transportId = transports.select(choice.account());
        Composer.Composition c = composer.compose(context, email, choice);
        // the same rendering as sending: SMTPUTF8 decisions, header safety, the envelope as it goes on the wire
        RenderedMessage m = renderer.render(email, c, EmailAddress.of(c.from().address()), choice.account().account().utf8Headers(),
                transports.capabilities(transportId).smtpUtf8(), transportId);
        List<String> warnings = new ArrayList<>(c.warnings());
        if (m.smtpUtf8()) {
            warnings.add("the message needs SMTPUTF8 (B4): it fails if the server does not offer it");
        }
        return new Preview(choice.account().redacted(), transportId, m.envelopeFrom(), m.recipients(),
                c.from(), c.replyTo(), email.subject(), c.text(), c.html(), c.signature(), m.smtpUtf8(), warnings);
    }

    /**
     * Which account would send an email, with which sender and by which rule.
     *
     * @param context who would send
     * @param email the email (only its From address matters)
     * @return the resolution, secrets redacted
     * @throws MailException when no account may send
     */
    public Resolution resolve(MailContext context, Email email) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(email, "email");
        lifecycle.ensureOpen();
        Resolver.Choice choice = resolver.resolve(context, email.from().orElse(null));
        String transportId = transports.select(choice.account());
        return new Resolution(choice.account().redacted(), composer.compose(context, email.toBuilder().noSignature().build(), choice).from(),
                transportId, choice.rule());
    }

    /**
     * Which account sends a context's mail.
     *
     * @param context who would send
     * @return the resolution, secrets redacted
     * @throws MailException when no account may send
     */
    public Resolution resolve(MailContext context) {
        Objects.requireNonNull(context, "context");
        lifecycle.ensureOpen();
        Resolver.Choice choice = resolver.resolve(context, null);
        return new Resolution(choice.account().redacted(), choice.account().sender(), transports.select(choice.account()), choice.rule());
    }

    /**
     * Composes, renders and sends one email through a chosen account and transport, and records the outcome.
     *
     * @param op the operation to log
     * @param ctx who sends
     * @param choice the account and sender rule
     * @param transportId the transport chosen for the account
     * @param email the email
     * @param t0 {@link System#nanoTime()} when the call began
     * @return the receipt
     * @throws MailException on any failure of rendering or sending; recorded in the delivery log
     */
    public Receipt deliver(DeliveryLogEntry.Operation op, MailContext ctx, Resolver.Choice choice, String transportId, Email email, long t0) {
        Composer.Composition composition = composer.compose(ctx, email, choice);
        ResolvedAccount account = choice.account();
        long t1 = System.nanoTime();
        RenderedMessage message = null;
        try {
            limits.checkRecipients(email);
            TransportCapabilities caps = transports.capabilities(transportId);
            message = renderer.render(email, composition, EmailAddress.of(composition.from().address()),
                    account.account().utf8Headers(), caps.smtpUtf8(), transportId);
            long maxMessageSize = limits.maxMessageSize();
            if (message.sizeEstimate() > maxMessageSize) {
                throw new MailException(MailErrorCode.MESSAGE_TOO_LARGE, "the message is about " + message.sizeEstimate()
                        + " bytes, more than this Mailroom's limit of " + maxMessageSize + " bytes; nothing was sent");
            }
            if (caps.maxMessageSize() > 0 && message.sizeEstimate() > caps.maxMessageSize()) {
                throw new MailException(MailErrorCode.MESSAGE_TOO_LARGE, "the message is about " + message.sizeEstimate()
                        + " bytes; transport '" + transportId + "' takes at most " + caps.maxMessageSize() + " bytes; nothing was sent");
            }
            Transport transport = transports.get(transportId);
            // The rendered parts are written straight to the transport's stream: no copy of the bytes (ADR 014).
            SendResult result = transport.send(account, message.outgoing());
            long t2 = System.nanoTime();
            Receipt receipt = new Receipt(message.messageId(), account.id(), account.account().email(), transportId,
                    result.serverReply(), result.accepted(), records.clock().instant(), Duration.ofNanos(t1 - t0), Duration.ofNanos(t2 - t1),
                    result.sentCopy(), result.sentCopyError());
            records.record(new DeliveryLogEntry(receipt.sentAt(), account.id(), account.account().email().address(),
                    ctx.tenant().orElse(null), op, DeliveryLogEntry.Outcome.SUCCESS, null, result.serverReply(),
                    message.messageId(), transportId, "sent to " + result.accepted().size() + " recipient(s)"
                    + (result.sentCopy() != null ? ", copy in " + result.sentCopy() : "")));
            if (result.sentCopyError() != null) {
                // A failed copy never fails the send; it is on the receipt and in the log
                records.record(new DeliveryLogEntry(receipt.sentAt(), account.id(), account.account().email().address(),
                        ctx.tenant().orElse(null), DeliveryLogEntry.Operation.SENT_COPY, DeliveryLogEntry.Outcome.FAILURE,
                        null, null, message.messageId(), transportId, result.sentCopyError()));
            }
            listeners.attempted(new DeliveryAttempt(op, account.id(), transportId, DeliveryAttempt.Outcome.SENT, null, Duration.ofNanos(t2 - t1), false));
            return receipt;
        } catch (MailException e) {
            records.failure(op, account.id(), ctx, account.account().email().address(), transportId, e, message == null ? null : message.messageId());
            failed(op, account, transportId, e.code(), t1);
            throw e;
        } catch (RuntimeException e) {
            MailException m = new MailException(MailErrorCode.INTERNAL, "sending failed unexpectedly: " + e, null, null, List.of(), e);
            records.failure(op, account.id(), ctx, account.account().email().address(), transportId, m, message == null ? null : message.messageId());
            failed(op, account, transportId, MailErrorCode.INTERNAL, t1);
            throw m;
        }
    }

    private void failed(DeliveryLogEntry.Operation op, ResolvedAccount account, String transportId, MailErrorCode code, long t1) {
        listeners.attempted(new DeliveryAttempt(op, account.id(), transportId, DeliveryAttempt.Outcome.FAILED, code,
                Duration.ofNanos(System.nanoTime() - t1), false));
    }
}
