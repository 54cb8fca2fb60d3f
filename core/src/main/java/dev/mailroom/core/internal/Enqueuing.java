package dev.mailroom.core.internal;

import dev.mailroom.DeliveryLogEntry;
import dev.mailroom.Email;
import dev.mailroom.EmailAddress;
import dev.mailroom.MailContext;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.Queued;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.spi.OutboxRepository;
import dev.mailroom.spi.TransportCapabilities;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Enqueuing: resolution and composition as for sending, the bytes rendered once into a spool, stored in the
 * outbox (one by one or in bounded batches for a fan-out), the workers woken. A host outbox's untyped failure
 * becomes {@link MailErrorCode#STORE_FAILED}. Thread-safe.
 */
public final class Enqueuing {
    /** Outbox rows per batched insert of a fan-out. */
    private static final int ENQUEUE_BATCH = 500;
    /** Rendered bytes per batched insert of {@link #enqueueAll}, at most (about: the last message may pass it). */
    private static final long ENQUEUE_BATCH_BYTES = 8L << 20;

    /**
     * The outcome of one email of {@link #enqueueAll}: queued, or why not.
     *
     * @param queued the queued entry, or {@code null}
     * @param error why the email was not queued, or {@code null}
     */
    public record Enqueued(Queued queued, MailException error) {
    }

    private final Resolver resolver;
    private final TransportRegistry transports;
    private final MessageRenderer renderer;
    private final Composer composer;
    private final OutboxRepository outbox;
    private final Limits limits;
    private final DeliveryRecords records;
    private final Lifecycle lifecycle;
    private final OutboxWorkers workers;

    /**
     * @param resolver chooses the account
     * @param transports the open transports
     * @param renderer renders messages
     * @param composer applies sender policy and signatures
     * @param outbox where entries are stored
     * @param limits the message limits
     * @param records the delivery log
     * @param lifecycle whether the Mailroom is open
     * @param workers this node's workers to wake after a store, or {@code null} for a node that only enqueues
     */
    public Enqueuing(Resolver resolver, TransportRegistry transports, MessageRenderer renderer, Composer composer, OutboxRepository outbox,
                     Limits limits, DeliveryRecords records, Lifecycle lifecycle, OutboxWorkers workers) {
        this.resolver = resolver;
        this.transports = transports;
        this.renderer = renderer;
        this.composer = composer;
        this.outbox = outbox;
        this.limits = limits;
        this.records = records;
        this.lifecycle = lifecycle;
        this.workers = workers;
    }

    /**
     * Stores one email durably in the outbox.
     *
     * @param context who sends
     * @param email the email
     * @param idempotencyKey the caller's key, 1 to 200 characters, or {@code null}
     * @return the queued entry; {@link Queued#existing()} for a repeated key
     * @throws MailException when no account may send, the email cannot be composed or the outbox fails
     */
    public Queued enqueue(MailContext context, Email email, String idempotencyKey) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(email, "email");
        checkKey(idempotencyKey);
        lifecycle.ensureOpen();
        OutboxRepository.NewEntry prepared;
        try {
            Resolver.Choice choice = resolver.resolve(context, email.from().orElse(null));
            prepared = prepare(context, choice, transports.select(choice.account()), email, idempotencyKey, DeliveryLogEntry.Operation.SEND);
        } catch (MailException e) {
            records.failure(DeliveryLogEntry.Operation.SEND, null, context, null, null, e, null);
            throw e;
        }
        OutboxRepository.Entry entry;
        try {
            entry = stored(() -> outbox.insert(prepared));
        } catch (MailException e) {
            records.failure(DeliveryLogEntry.Operation.SEND, prepared.accountId(), context, prepared.envelopeFrom().address(), prepared.transport(), e,
                    prepared.messageId());
            throw e;
        } finally {
            release(prepared);
        }
        wakeWorkers();
        return queued(entry, prepared);
    }

    /**
     * Enqueues many emails of one context through one resolution and batched inserts (notification fan-out).
     * An email that cannot be composed does not stop the others.
     *
     * @param context who sends
     * @param emails the emails
     * @param idempotencyKeys one key or {@code null} per email
     * @param op the operation to log
     * @return one outcome per email, in order
     * @throws MailException when no account may send in this context (nothing is stored then), or the outbox fails
     */
    public List<Enqueued> enqueueAll(MailContext context, List<Email> emails, List<String> idempotencyKeys, DeliveryLogEntry.Operation op) {
        lifecycle.ensureOpen();
        Resolver.Choice choice = resolver.resolve(context, null);
        String transportId = transports.select(choice.account());
        List<Enqueued> out = new ArrayList<>(emails.size());
        List<OutboxRepository.NewEntry> batch = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        long batchBytes = 0;
        idempotencyKeys.forEach(Enqueuing::checkKey); // before anything is rendered: a spool never outlives a refused call
        for (int i = 0; i < emails.size(); i++) {
            String key = idempotencyKeys.get(i);
            try {
                OutboxRepository.NewEntry prepared = prepare(context, choice, transportId, emails.get(i), key, op);
                batch.add(prepared);
                batchBytes += prepared.content().size();
                positions.add(i);
                out.add(null);
            } catch (MailException e) {
                records.failure(op, choice.account().id(), context, choice.account().account().email().address(), transportId, e, null);
                out.add(new Enqueued(null, e));
            } catch (RuntimeException | Error e) { // a bug while rendering: the spools of the batch must not outlive the call
                batch.forEach(Enqueuing::release);
                throw e;
            }
            // A batch holds its rendered messages (in memory up to the spool threshold each): bounded in count and bytes.
            if (batch.size() == ENQUEUE_BATCH || batchBytes >= ENQUEUE_BATCH_BYTES || (i == emails.size() - 1 && !batch.isEmpty())) {
                List<OutboxRepository.Entry> stored;
                try {
                    stored = stored(() -> outbox.insertAll(batch));
                } finally {
                    batch.forEach(Enqueuing::release);
                }
                for (int j = 0; j < stored.size(); j++) {
                    out.set(positions.get(j), new Enqueued(queued(stored.get(j), batch.get(j)), null));
                }
                batch.clear();
                positions.clear();
                batchBytes = 0;
                wakeWorkers();
            }
        }
        return out;
    }

    /**
     * Checks that mail can go out in a context without composing anything.
     *
     * @param context who would send
     * @return the account that would send
     * @throws MailException when no account may send
     */
    public ResolvedAccount resolveForSystemMail(MailContext context) {
        lifecycle.ensureOpen();
        return resolver.resolve(context, null).account();
    }

    /** Deletes a prepared entry's spool file, once stored or refused. */
    private static void release(OutboxRepository.NewEntry prepared) {
        if (prepared.content() instanceof Spool spool) {
            spool.close();
        }
    }

    /**
     * Runs a write to the outbox: a host outbox's failure that is not already typed becomes
     * {@link MailErrorCode#STORE_FAILED} (retryable), so that callers meet one exception type.
     */
    private static <T> T stored(Supplier<T> write) {
        try {
            return write.get();
        } catch (MailException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new MailException(MailErrorCode.STORE_FAILED, "the outbox could not store the message: " + e, null, null, List.of(), e);
        }
    }

    private static void checkKey(String idempotencyKey) {
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 200)) {
            throw new IllegalArgumentException("idempotencyKey must be 1 to 200 characters");
        }
    }

    private static Queued queued(OutboxRepository.Entry entry, OutboxRepository.NewEntry prepared) {
        return new Queued(entry.id(), entry.messageId(), entry.accountId(), !entry.messageId().equals(prepared.messageId()));
    }

    private void wakeWorkers() {
        if (workers != null) {
            workers.wake();
        }
    }

    /**
     * Composes and renders one email for the outbox: the bytes every attempt will send, spooled (memory up to
     * {@link Spool#MEMORY_THRESHOLD}, then a temporary file the caller deletes with {@link #release}), and
     * refused as soon as they pass the size limit. Nothing is stored.
     */
    private OutboxRepository.NewEntry prepare(MailContext context, Resolver.Choice choice, String transportId, Email email,
                                              String idempotencyKey, DeliveryLogEntry.Operation op) {
        Composer.Composition c = composer.compose(context, email, choice);
        limits.checkRecipients(email);
        TransportCapabilities caps = transports.capabilities(transportId);
        RenderedMessage message = renderer.render(email, c, EmailAddress.of(c.from().address()),
                choice.account().account().utf8Headers(), caps.smtpUtf8(), transportId);
        // the spool stops at the smaller of this Mailroom's limit and the transport's: a queued message must fit both
        long maxMessageSize = limits.maxMessageSize();
        String whose = "this Mailroom's limit of ";
        if (caps.maxMessageSize() > 0 && caps.maxMessageSize() < maxMessageSize) {
            maxMessageSize = caps.maxMessageSize();
            whose = "the limit of transport '" + transportId + "', ";
        }
        Spool spool = new Spool(Spool.MEMORY_THRESHOLD, maxMessageSize);
        try (java.io.OutputStream out = spool.output()) {
            message.writeTo(out);
        } catch (java.io.IOException | RuntimeException | Error e) {
            spool.close();
            if (spool.exceeded()) { // writing stopped at the limit, however a writer passed the exception on
                throw new MailException(MailErrorCode.MESSAGE_TOO_LARGE, "the message is more than " + whose
                        + maxMessageSize + " bytes; nothing was stored");
            }
            if (e instanceof RuntimeException r) {
                throw r;
            }
            if (e instanceof Error err) {
                throw err;
            }
            throw new MailException(MailErrorCode.INVALID_EMAIL, "cannot render the message: " + e.getMessage(), null, null, List.of(), e);
        }
        return OutboxRepository.NewEntry.builder().idempotencyKey(idempotencyKey).messageId(message.messageId())
                .accountId(choice.account().id()).tenant(context.tenant().orElse(null)).transport(transportId)
                .envelopeFrom(message.envelopeFrom()).recipients(message.recipients()).smtpUtf8(message.smtpUtf8()).content(spool)
                .operation(op).build();
    }
}
