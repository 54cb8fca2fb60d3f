package dev.mailroom.spi;

import dev.mailroom.AccountId;
import dev.mailroom.DeliveryLogEntry;
import dev.mailroom.EmailAddress;
import dev.mailroom.MailErrorCode;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The durable queue behind {@code Mailroom#enqueue}: rendered messages (bytes fixed at enqueue, so every
 * retry sends the same bytes under the same Message-ID), claimed by workers under a lease.
 *
 * <p><b>Contract.</b> {@link #insert} returns only after the entry is durable, and returns the existing
 * entry for a repeated idempotency key. {@link #claim} hands an entry to one worker at a time: entries that
 * are due, and entries whose lease expired (a crashed node), which are then marked as possible duplicates.
 * Times come from the database clock. The {@code mark…} methods apply only while the worker still holds
 * the lease and return false otherwise. Implementations must be thread-safe and safe across nodes.
 *
 * <p><b>Leases and age.</b> A worker sends the entries of a claim one after another and calls {@link #renew}
 * before a send when part of the lease has passed: an entry whose lease expired is not sent by it (another
 * worker may have claimed it). Entries a worker claimed but knows it did not send (for instance because the
 * store failed meanwhile) go back with {@link #markRetry} without counting an attempt, as soon as the store
 * answers again. A store that measures {@link Entry#age()} leaves out the time an entry was held for an
 * account problem, on its own clock.
 */
public interface OutboxRepository {

    /** Where an entry stands. */
    enum Status {
        /** Waiting until its due time. */
        QUEUED,
        /** Claimed by a worker. */
        IN_FLIGHT,
        /** Accepted by the server; {@link Entry#dueAt()} is then when it finished. */
        SENT,
        /** Given up: permanently refused, or too old. */
        FAILED
    }

    /**
     * A message to store. Its rendered bytes come as a {@link Payload}, which may be backed by a temporary
     * file: a store copies them as a stream ({@link Payload#open()}) and does not keep the payload itself.
     * Immutable; built with {@link #builder()}: message id, account, transport, envelope sender, recipients
     * and content are required, the operation defaults to {@code SEND}.
     */
    final class NewEntry {
        private final String idempotencyKey;
        private final String messageId;
        private final AccountId accountId;
        private final String tenant;
        private final String transport;
        private final EmailAddress envelopeFrom;
        private final List<EmailAddress> recipients;
        private final boolean smtpUtf8;
        private final Payload content;
        private final DeliveryLogEntry.Operation operation;

        private NewEntry(Builder b) {
            this.idempotencyKey = b.idempotencyKey;
            this.messageId = Objects.requireNonNull(b.messageId, "messageId");
            this.accountId = Objects.requireNonNull(b.accountId, "accountId");
            this.tenant = b.tenant;
            this.transport = Objects.requireNonNull(b.transport, "transport");
            this.envelopeFrom = Objects.requireNonNull(b.envelopeFrom, "envelopeFrom");
            this.recipients = List.copyOf(Objects.requireNonNull(b.recipients, "recipients"));
            this.smtpUtf8 = b.smtpUtf8;
            this.content = Objects.requireNonNull(b.content, "content");
            this.operation = Objects.requireNonNull(b.operation, "operation");
        }

        /**
         * Starts a builder.
         *
         * @return a builder
         */
        public static Builder builder() {
            return new Builder();
        }

        /** @return a builder with every value of this one */
        public Builder toBuilder() {
            Builder b = new Builder();
            b.idempotencyKey = idempotencyKey;
            b.messageId = messageId;
            b.accountId = accountId;
            b.tenant = tenant;
            b.transport = transport;
            b.envelopeFrom = envelopeFrom;
            b.recipients = recipients;
            b.smtpUtf8 = smtpUtf8;
            b.content = content;
            b.operation = operation;
            return b;
        }

        /** @return the caller's idempotency key, or {@code null} */
        public String idempotencyKey() {
            return idempotencyKey;
        }

        /** @return the Message-ID of the rendered message */
        public String messageId() {
            return messageId;
        }

        /** @return the account that sends it */
        public AccountId accountId() {
            return accountId;
        }

        /** @return the tenant, or {@code null} */
        public String tenant() {
            return tenant;
        }

        /** @return the transport id */
        public String transport() {
            return transport;
        }

        /** @return the envelope sender */
        public EmailAddress envelopeFrom() {
            return envelopeFrom;
        }

        /** @return the envelope recipients */
        public List<EmailAddress> recipients() {
            return recipients;
        }

        /** @return whether it needs SMTPUTF8 */
        public boolean smtpUtf8() {
            return smtpUtf8;
        }

        /** @return the rendered message (RFC 5322 bytes), valid until the insert returns */
        public Payload content() {
            return content;
        }

        /** @return what the message is, for the delivery log: {@code SEND}, {@code NOTIFICATION}, {@code SUPPORT_REQUEST} */
        public DeliveryLogEntry.Operation operation() {
            return operation;
        }

        /**
         * The rendered message read into memory: for stores that keep small messages only, and for tests.
         * A store that accepts large messages copies {@link #content()} as a stream instead.
         *
         * @return the rendered bytes, a new array
         * @throws java.io.UncheckedIOException if the content cannot be read
         */
        public byte[] payload() {
            try {
                return content.readAllBytes();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot read the rendered message " + messageId, e);
            }
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof NewEntry o && Objects.equals(idempotencyKey, o.idempotencyKey) && Objects.equals(messageId, o.messageId) && Objects.equals(accountId, o.accountId) && Objects.equals(tenant, o.tenant) && Objects.equals(transport, o.transport) && Objects.equals(envelopeFrom, o.envelopeFrom) && Objects.equals(recipients, o.recipients) && smtpUtf8 == o.smtpUtf8 && Objects.equals(content, o.content) && Objects.equals(operation, o.operation);
        }

        @Override
        public int hashCode() {
            return Objects.hash(idempotencyKey, messageId, accountId, tenant, transport, envelopeFrom, recipients, smtpUtf8, content, operation);
        }

        @Override
        public String toString() {
            return "NewEntry[" + "idempotencyKey=" + idempotencyKey + ", messageId=" + messageId + ", accountId=" + accountId + ", tenant=" + tenant + ", transport=" + transport + ", envelopeFrom=" + envelopeFrom + ", recipients=" + recipients + ", smtpUtf8=" + smtpUtf8 + ", operation=" + operation + "]";
        }

        /** Builds a {@link NewEntry}; not thread-safe. */
        public static final class Builder {
            private String idempotencyKey;
            private String messageId;
            private AccountId accountId;
            private String tenant;
            private String transport;
            private EmailAddress envelopeFrom;
            private List<EmailAddress> recipients = List.of();
            private boolean smtpUtf8;
            private Payload content;
            private DeliveryLogEntry.Operation operation = DeliveryLogEntry.Operation.SEND;

            private Builder() {
            }

            /**
             * @param value the caller's idempotency key, or {@code null}
             * @return this
             */
            public Builder idempotencyKey(String value) {
                this.idempotencyKey = value;
                return this;
            }

            /**
             * @param value the Message-ID of the rendered message
             * @return this
             */
            public Builder messageId(String value) {
                this.messageId = value;
                return this;
            }

            /**
             * @param value the account that sends it
             * @return this
             */
            public Builder accountId(AccountId value) {
                this.accountId = value;
                return this;
            }

            /**
             * @param value the tenant, or {@code null}
             * @return this
             */
            public Builder tenant(String value) {
                this.tenant = value;
                return this;
            }

            /**
             * @param value the transport id
             * @return this
             */
            public Builder transport(String value) {
                this.transport = value;
                return this;
            }

            /**
             * @param value the envelope sender
             * @return this
             */
            public Builder envelopeFrom(EmailAddress value) {
                this.envelopeFrom = value;
                return this;
            }

            /**
             * @param value the envelope recipients
             * @return this
             */
            public Builder recipients(List<EmailAddress> value) {
                this.recipients = value;
                return this;
            }

            /**
             * @param value whether it needs SMTPUTF8
             * @return this
             */
            public Builder smtpUtf8(boolean value) {
                this.smtpUtf8 = value;
                return this;
            }

            /**
             * @param value the rendered message (RFC 5322 bytes), valid until the insert returns
             * @return this
             */
            public Builder content(Payload value) {
                this.content = value;
                return this;
            }

            /**
             * @param value what the message is, for the delivery log: {@code SEND}, {@code NOTIFICATION}, {@code SUPPORT_REQUEST}
             * @return this
             */
            public Builder operation(DeliveryLogEntry.Operation value) {
                this.operation = value;
                return this;
            }

            /**
             * @param value the rendered message (RFC 5322 bytes) in memory, copied
             * @return this
             */
            public Builder payload(byte[] value) {
                this.content = Payload.of(value);
                return this;
            }

            /**
             * @return the value
             * @throws NullPointerException naming a required value that is missing
             */
            public NewEntry build() {
                return new NewEntry(this);
            }
        }
    }

    /**
     * A stored entry (without its payload). Immutable; stores build it with {@link #builder()}, the workers
     * read it. Operation and recipients are required; the age is {@code null} when the store does not
     * measure it.
     */
    final class Entry {
        private final long id;
        private final String idempotencyKey;
        private final String messageId;
        private final AccountId accountId;
        private final String tenant;
        private final String transport;
        private final EmailAddress envelopeFrom;
        private final List<EmailAddress> recipients;
        private final boolean smtpUtf8;
        private final Status status;
        private final int attempts;
        private final Instant createdAt;
        private final Instant dueAt;
        private final String lastError;
        private final boolean possibleDuplicate;
        private final DeliveryLogEntry.Operation operation;
        private final boolean partlySent;
        private final Duration age;

        private Entry(Builder b) {
            this.id = b.id;
            this.idempotencyKey = b.idempotencyKey;
            this.messageId = b.messageId;
            this.accountId = b.accountId;
            this.tenant = b.tenant;
            this.transport = b.transport;
            this.envelopeFrom = b.envelopeFrom;
            this.recipients = List.copyOf(Objects.requireNonNull(b.recipients, "recipients"));
            this.smtpUtf8 = b.smtpUtf8;
            this.status = b.status;
            this.attempts = b.attempts;
            this.createdAt = b.createdAt;
            this.dueAt = b.dueAt;
            this.lastError = b.lastError;
            this.possibleDuplicate = b.possibleDuplicate;
            this.operation = Objects.requireNonNull(b.operation, "operation");
            this.partlySent = b.partlySent;
            this.age = b.age;
        }

        /**
         * Starts a builder.
         *
         * @return a builder
         */
        public static Builder builder() {
            return new Builder();
        }

        /** @return a builder with every value of this one */
        public Builder toBuilder() {
            Builder b = new Builder();
            b.id = id;
            b.idempotencyKey = idempotencyKey;
            b.messageId = messageId;
            b.accountId = accountId;
            b.tenant = tenant;
            b.transport = transport;
            b.envelopeFrom = envelopeFrom;
            b.recipients = recipients;
            b.smtpUtf8 = smtpUtf8;
            b.status = status;
            b.attempts = attempts;
            b.createdAt = createdAt;
            b.dueAt = dueAt;
            b.lastError = lastError;
            b.possibleDuplicate = possibleDuplicate;
            b.operation = operation;
            b.partlySent = partlySent;
            b.age = age;
            return b;
        }

        /** @return the id */
        public long id() {
            return id;
        }

        /** @return the caller's idempotency key, or {@code null} */
        public String idempotencyKey() {
            return idempotencyKey;
        }

        /** @return the Message-ID */
        public String messageId() {
            return messageId;
        }

        /** @return the sending account */
        public AccountId accountId() {
            return accountId;
        }

        /** @return the tenant, or {@code null} */
        public String tenant() {
            return tenant;
        }

        /** @return the transport id */
        public String transport() {
            return transport;
        }

        /** @return the envelope sender */
        public EmailAddress envelopeFrom() {
            return envelopeFrom;
        }

        /** @return the envelope recipients */
        public List<EmailAddress> recipients() {
            return recipients;
        }

        /** @return whether it needs SMTPUTF8 */
        public boolean smtpUtf8() {
            return smtpUtf8;
        }

        /** @return the status */
        public Status status() {
            return status;
        }

        /** @return the attempts counted against the retry budget */
        public int attempts() {
            return attempts;
        }

        /** @return when it was enqueued (database clock) */
        public Instant createdAt() {
            return createdAt;
        }

        /** @return when it is due next (database clock) */
        public Instant dueAt() {
            return dueAt;
        }

        /** @return the last failure, or {@code null} */
        public String lastError() {
            return lastError;
        }

        /** @return whether an earlier attempt may have delivered it already */
        public boolean possibleDuplicate() {
            return possibleDuplicate;
        }

        /** @return what the message is, for the delivery log */
        public DeliveryLogEntry.Operation operation() {
            return operation;
        }

        /** @return whether an earlier attempt delivered it to some recipients already ({@link #markPartial}): the Sent-folder copy exists and is not made again */
        public boolean partlySent() {
            return partlySent;
        }

        /** @return how long the entry has been waiting to be delivered when it was read, measured on the store's clock (the clock of {@code createdAt}), without the time it was held for an account problem (see {@link #markHeld(long, String, Duration, String, MailErrorCode.Category)}); or {@code null} when the store does not measure it, and the workers then measure from {@code createdAt}. The workers give up on an entry whose age exceeds the maximum age */
        public Duration age() {
            return age;
        }

        /**
         * A copy with another age.
         *
         * @param age see {@link #age()}
         * @return the copy
         */
        public Entry withAge(Duration age) {
            return toBuilder().age(age).build();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Entry o && id == o.id && Objects.equals(idempotencyKey, o.idempotencyKey) && Objects.equals(messageId, o.messageId) && Objects.equals(accountId, o.accountId) && Objects.equals(tenant, o.tenant) && Objects.equals(transport, o.transport) && Objects.equals(envelopeFrom, o.envelopeFrom) && Objects.equals(recipients, o.recipients) && smtpUtf8 == o.smtpUtf8 && Objects.equals(status, o.status) && attempts == o.attempts && Objects.equals(createdAt, o.createdAt) && Objects.equals(dueAt, o.dueAt) && Objects.equals(lastError, o.lastError) && possibleDuplicate == o.possibleDuplicate && Objects.equals(operation, o.operation) && partlySent == o.partlySent && Objects.equals(age, o.age);
        }

        @Override
        public int hashCode() {
            return Objects.hash(id, idempotencyKey, messageId, accountId, tenant, transport, envelopeFrom, recipients, smtpUtf8, status, attempts, createdAt, dueAt, lastError, possibleDuplicate, operation, partlySent, age);
        }

        @Override
        public String toString() {
            return "Entry[" + "id=" + id + ", idempotencyKey=" + idempotencyKey + ", messageId=" + messageId + ", accountId=" + accountId + ", tenant=" + tenant + ", transport=" + transport + ", envelopeFrom=" + envelopeFrom + ", recipients=" + recipients + ", smtpUtf8=" + smtpUtf8 + ", status=" + status + ", attempts=" + attempts + ", createdAt=" + createdAt + ", dueAt=" + dueAt + ", lastError=" + lastError + ", possibleDuplicate=" + possibleDuplicate + ", operation=" + operation + ", partlySent=" + partlySent + ", age=" + age + "]";
        }

        /** Builds a {@link Entry}; not thread-safe. */
        public static final class Builder {
            private long id;
            private String idempotencyKey;
            private String messageId;
            private AccountId accountId;
            private String tenant;
            private String transport;
            private EmailAddress envelopeFrom;
            private List<EmailAddress> recipients = List.of();
            private boolean smtpUtf8;
            private Status status;
            private int attempts;
            private Instant createdAt;
            private Instant dueAt;
            private String lastError;
            private boolean possibleDuplicate;
            private DeliveryLogEntry.Operation operation = DeliveryLogEntry.Operation.SEND;
            private boolean partlySent;
            private Duration age;

            private Builder() {
            }

            /**
             * @param value the id
             * @return this
             */
            public Builder id(long value) {
                this.id = value;
                return this;
            }

            /**
             * @param value the caller's idempotency key, or {@code null}
             * @return this
             */
            public Builder idempotencyKey(String value) {
                this.idempotencyKey = value;
                return this;
            }

            /**
             * @param value the Message-ID
             * @return this
             */
            public Builder messageId(String value) {
                this.messageId = value;
                return this;
            }

            /**
             * @param value the sending account
             * @return this
             */
            public Builder accountId(AccountId value) {
                this.accountId = value;
                return this;
            }

            /**
             * @param value the tenant, or {@code null}
             * @return this
             */
            public Builder tenant(String value) {
                this.tenant = value;
                return this;
            }

            /**
             * @param value the transport id
             * @return this
             */
            public Builder transport(String value) {
                this.transport = value;
                return this;
            }

            /**
             * @param value the envelope sender
             * @return this
             */
            public Builder envelopeFrom(EmailAddress value) {
                this.envelopeFrom = value;
                return this;
            }

            /**
             * @param value the envelope recipients
             * @return this
             */
            public Builder recipients(List<EmailAddress> value) {
                this.recipients = value;
                return this;
            }

            /**
             * @param value whether it needs SMTPUTF8
             * @return this
             */
            public Builder smtpUtf8(boolean value) {
                this.smtpUtf8 = value;
                return this;
            }

            /**
             * @param value the status
             * @return this
             */
            public Builder status(Status value) {
                this.status = value;
                return this;
            }

            /**
             * @param value the attempts counted against the retry budget
             * @return this
             */
            public Builder attempts(int value) {
                this.attempts = value;
                return this;
            }

            /**
             * @param value when it was enqueued (database clock)
             * @return this
             */
            public Builder createdAt(Instant value) {
                this.createdAt = value;
                return this;
            }

            /**
             * @param value when it is due next (database clock)
             * @return this
             */
            public Builder dueAt(Instant value) {
                this.dueAt = value;
                return this;
            }

            /**
             * @param value the last failure, or {@code null}
             * @return this
             */
            public Builder lastError(String value) {
                this.lastError = value;
                return this;
            }

            /**
             * @param value whether an earlier attempt may have delivered it already
             * @return this
             */
            public Builder possibleDuplicate(boolean value) {
                this.possibleDuplicate = value;
                return this;
            }

            /**
             * @param value what the message is, for the delivery log
             * @return this
             */
            public Builder operation(DeliveryLogEntry.Operation value) {
                this.operation = value;
                return this;
            }

            /**
             * @param value whether an earlier attempt delivered it to some recipients already ({@link #markPartial}): the Sent-folder copy exists and is not made again
             * @return this
             */
            public Builder partlySent(boolean value) {
                this.partlySent = value;
                return this;
            }

            /**
             * @param value how long the entry has been waiting to be delivered when it was read, measured on the store's clock (the clock of {@code createdAt}), without the time it was held for an account problem (see {@link #markHeld(long, String, Duration, String, MailErrorCode.Category)}); or {@code null} when the store does not measure it, and the workers then measure from {@code createdAt}. The workers give up on an entry whose age exceeds the maximum age
             * @return this
             */
            public Builder age(Duration value) {
                this.age = value;
                return this;
            }


            /**
             * @return the value
             * @throws NullPointerException naming a required value that is missing
             */
            public Entry build() {
                return new Entry(this);
            }
        }
    }

    /**
     * Stores a message durably, due now.
     *
     * @param entry the message
     * @return the stored entry; for an idempotency key seen before, the existing entry
     */
    Entry insert(NewEntry entry);

    /**
     * Stores many messages durably (a notification's fan-out). Same contract as {@link #insert} for each;
     * the default calls it per entry, stores override it with batched inserts.
     *
     * @param entries the messages
     * @return the stored entries, in the same order
     */
    default List<Entry> insertAll(List<NewEntry> entries) {
        return entries.stream().map(this::insert).toList();
    }

    /**
     * Claims due entries (and entries whose lease expired) for a worker.
     *
     * <p><b>Order.</b> Accounts take turns: a burst of one account does not delay another account's newer
     * mail until the burst has gone out. An implementation does so by fair queueing: each new entry gets a
     * place {@code max(head, tail of its account) + 1}, where {@code head} is the place of the next entry to
     * be claimed; an entry due again after a retry or hold is placed at the head. Within one account the
     * order is the enqueue order. A simple implementation may claim oldest due first instead and say so.
     *
     * @param worker a unique worker id
     * @param max at most this many
     * @param lease how long the worker may hold them
     * @return the claimed entries, in the order they should be sent
     */
    List<Entry> claim(String worker, int max, Duration lease);

    /**
     * Extends the lease of claimed entries the worker still holds to {@code now + lease} (store clock), and
     * says which those are: an entry whose lease expired, or which is no longer in flight for this worker, is
     * left alone and not returned, and the worker must not send it (fencing). One statement for all ids is
     * the intended cost. The default extends nothing and returns every id (the lease must then cover a whole
     * claim, as before this method existed).
     *
     * @param worker the worker that claimed them
     * @param ids claimed entries
     * @param lease the new lease, from now
     * @return the ids whose lease is still held and was extended
     */
    default List<Long> renew(String worker, List<Long> ids, Duration lease) {
        Objects.requireNonNull(worker, "worker");
        Objects.requireNonNull(lease, "lease");
        return List.copyOf(ids);
    }

    /**
     * @param id an entry id
     * @return the rendered message
     */
    byte[] payload(long id);

    /**
     * The rendered message of an entry as a stream, for messages too large to hold in memory: workers read
     * every payload larger than the {@link #smallPayloads} limit this way. A store that keeps large
     * messages reads them in parts (e.g. one stored chunk at a time); the default reads {@link #payload}.
     * The stream may hold a database connection until closed: close it promptly.
     *
     * @param id an entry id
     * @return a new stream of the rendered bytes; the caller closes it
     */
    default java.io.InputStream openPayload(long id) {
        return new java.io.ByteArrayInputStream(payload(id));
    }

    /**
     * The rendered messages of several entries at once, for those no larger than {@code maxBytes}: a worker
     * reads a claimed batch in one round trip and larger messages one by one as streams ({@link #openPayload}). The
     * default returns nothing (every payload is then read on its own).
     *
     * @param ids entry ids
     * @param maxBytes the largest payload to include
     * @return entry id → rendered message, for the entries that fit
     */
    default Map<Long, byte[]> smallPayloads(List<Long> ids, int maxBytes) {
        return Map.of();
    }

    /**
     * @param id an entry id
     * @return the entry
     */
    Optional<Entry> find(long id);

    /**
     * Marks an entry sent.
     *
     * @param id the entry
     * @param worker the worker holding the lease
     * @return false if the lease was lost
     */
    boolean markSent(long id, String worker);

    /**
     * Whether this outbox can write entries of {@code log} in its own transactions, because both live in
     * one store (the JDBC store's outbox and delivery log on one data source). Workers then use
     * {@link #markSent(long, String, List)}, so that a crash cannot leave a sent entry without its log line.
     * The default is false.
     *
     * @param log the delivery log the workers write to
     * @return whether {@link #markSent(long, String, List)} may be used with it
     */
    default boolean sharesTransactionsWith(DeliveryLog log) {
        return false;
    }

    /**
     * {@link #markSent(long, String)} and the attempt's delivery log entries in one transaction. The entries
     * are stored even when the lease had expired (the message was sent all the same). Only called when
     * {@link #sharesTransactionsWith} answered true; the default refuses.
     *
     * @param id an entry id
     * @param worker the worker holding the lease
     * @param logEntries the attempt's delivery log entries
     * @return false when the lease was no longer held
     * @throws UnsupportedOperationException unless overridden together with {@link #sharesTransactionsWith}
     */
    default boolean markSent(long id, String worker, List<DeliveryLogEntry> logEntries) {
        throw new UnsupportedOperationException("this outbox does not write the delivery log");
    }

    /**
     * Puts an entry back for a later attempt.
     *
     * @param id the entry
     * @param worker the worker holding the lease
     * @param delay how long from now (database clock)
     * @param error what failed
     * @param countAttempt whether this attempt counts against the retry budget (not for account problems)
     * @param possibleDuplicate whether this attempt may have delivered the message
     * @return false if the lease was lost
     */
    boolean markRetry(long id, String worker, Duration delay, String error, boolean countAttempt, boolean possibleDuplicate);

    /**
     * Puts an entry back, held with its account (see {@link #postpone}): not an attempt, released early by
     * {@link #resumeHeld}.
     *
     * @param id the entry
     * @param worker the worker holding the lease
     * @param delay how long from now (database clock)
     * @param reason why the account is held
     * @return false if the lease was lost
     */
    boolean markHeld(long id, String worker, Duration delay, String reason);

    /**
     * {@link #markHeld(long, String, Duration, String)}, saying why: an {@linkplain MailErrorCode.Category#isAccountProblem()
     * account problem} (someone must fix the account) stops the entry's {@linkplain Entry#age() age} while it
     * is held; any other cause (the server unreachable or busy) lets it run on, as an MTA's queue lifetime
     * does. The default ignores the cause.
     *
     * @param id the entry
     * @param worker the worker holding the lease
     * @param delay how long from now (database clock)
     * @param reason why the account is held
     * @param cause the category of the failure that holds the account
     * @return false if the lease was lost
     */
    default boolean markHeld(long id, String worker, Duration delay, String reason, MailErrorCode.Category cause) {
        Objects.requireNonNull(cause, "cause");
        return markHeld(id, worker, delay, reason);
    }

    /**
     * Records that the server took the message for some recipients and deferred others (4xx per
     * recipient): the entry goes back to the queue for the remaining recipients only, with the same
     * bytes, so nobody gets it twice. Counts as an attempt.
     *
     * @param id the entry
     * @param worker the worker holding the lease
     * @param remaining the recipients still to deliver to, at least one
     * @param delay how long from now (database clock)
     * @param error what the server said about the remaining recipients
     * @return false if the lease was lost
     */
    boolean markPartial(long id, String worker, List<EmailAddress> remaining, Duration delay, String error);

    /**
     * Defers every queued entry of an account that is due earlier than {@code now + delay} to that time
     * (database clock), so that workers on every node leave a failing account alone for a while instead of
     * trying each of its messages, and marks them held. Entries in flight are not touched. Attempts are not
     * counted.
     *
     * @param account the account
     * @param delay how long from now
     * @param reason recorded as the entries' last error
     * @return how many entries were deferred
     */
    int postpone(AccountId account, Duration delay, String reason);

    /**
     * {@link #postpone(AccountId, Duration, String)}, saying why: for an account problem the held entries'
     * {@linkplain Entry#age() age} stops until they are claimed or released again; for any other cause it
     * runs on. The default ignores the cause.
     *
     * @param account the account
     * @param delay how long from now
     * @param reason recorded as the entries' last error
     * @param cause the category of the failure that holds the account
     * @return how many entries were deferred
     */
    default int postpone(AccountId account, Duration delay, String reason, MailErrorCode.Category cause) {
        Objects.requireNonNull(cause, "cause");
        return postpone(account, delay, reason);
    }

    /**
     * Makes every held entry (see {@link #postpone}) due now: called when accounts or settings change, since
     * the change may have fixed what failed. An account that still fails is held again after one attempt.
     *
     * @return how many entries were released
     */
    int resumeHeld();

    /**
     * Gives up on an entry.
     *
     * @param id the entry
     * @param worker the worker holding the lease
     * @param error why
     * @return false if the lease was lost
     */
    boolean markFailed(long id, String worker, String error);

    /**
     * Deletes sent and failed entries, with their payloads, that finished more than {@code retention} ago
     * (database clock). Queued and in-flight entries are never touched. An idempotency key is remembered
     * only as long as its entry is kept. The workers call this about once an hour with the retention set on
     * the {@code Mailroom} builder; the default deletes nothing (the repository then grows without bound).
     *
     * @param retention how long finished entries are kept, positive
     * @return how many entries were deleted
     */
    default int purgeFinished(Duration retention) {
        Objects.requireNonNull(retention, "retention");
        return 0;
    }

    /**
     * Which entries an administrator wants to see: by status, by account, only possible duplicates; newest
     * first, at most {@code limit}. An immutable value; start from {@link #all()}.
     *
     * @param statuses the statuses to include, not empty ({@link Status#QUEUED} includes entries waiting for a retry or a hold)
     * @param account only this account's entries, or {@code null} for all
     * @param possibleDuplicatesOnly only entries flagged as possible duplicates
     * @param limit at most this many, 1 to 10,000
     */
    record Query(java.util.Set<Status> statuses, AccountId account, boolean possibleDuplicatesOnly, int limit) {
        /**
         * Validates and copies.
         *
         * @param statuses see the record description
         * @param account see the record description
         * @param possibleDuplicatesOnly see the record description
         * @param limit see the record description
         */
        public Query {
            statuses = java.util.Set.copyOf(statuses);
            if (statuses.isEmpty()) {
                throw new IllegalArgumentException("statuses must name at least one status");
            }
            if (limit < 1 || limit > 10_000) {
                throw new IllegalArgumentException("limit must be between 1 and 10000, was " + limit);
            }
        }

        /**
         * Every entry, newest first, at most 100.
         *
         * @return the query
         */
        public static Query all() {
            return new Query(java.util.EnumSet.allOf(Status.class), null, false, 100);
        }

        /**
         * @param first a status to include
         * @param more further statuses
         * @return a copy that includes only these statuses
         */
        public Query status(Status first, Status... more) {
            return new Query(java.util.EnumSet.of(first, more), account, possibleDuplicatesOnly, limit);
        }

        /**
         * @param id the account
         * @return a copy limited to one account's entries
         */
        public Query account(AccountId id) {
            return new Query(statuses, Objects.requireNonNull(id, "id"), possibleDuplicatesOnly, limit);
        }

        /**
         * @return a copy limited to entries an earlier attempt may have delivered already
         */
        public Query possibleDuplicates() {
            return new Query(statuses, account, true, limit);
        }

        /**
         * @param max at most this many, 1 to 10,000
         * @return a copy with this limit
         */
        public Query limit(int max) {
            return new Query(statuses, account, possibleDuplicatesOnly, max);
        }

        /**
         * Whether an entry matches, for implementations that filter in memory.
         *
         * @param e an entry
         * @return true if it matches
         */
        public boolean matches(Entry e) {
            return statuses.contains(e.status()) && (account == null || account.equals(e.accountId()))
                    && (!possibleDuplicatesOnly || e.possibleDuplicate());
        }
    }

    /**
     * Entries for an administrator's view of the queue: by status, account and possible duplicates, newest
     * (highest id) first. Reads only; never changes an entry. The default refuses: a host's outbox that
     * should be shown in an administration view overrides it.
     *
     * @param query which entries
     * @return the entries, at most {@code query.limit()}
     * @throws UnsupportedOperationException if this outbox cannot be queried
     */
    default List<Entry> query(Query query) {
        throw new UnsupportedOperationException(getClass().getName() + " does not implement OutboxRepository#query");
    }

    /**
     * How many entries there are per status ({@link Status#QUEUED} includes entries waiting for a retry or a
     * hold): the depth of the queue for an administrator or a health check. The default refuses.
     *
     * @return a count for every status, zero where there is none
     * @throws UnsupportedOperationException if this outbox cannot be queried
     */
    default Map<Status, Long> countByStatus() {
        throw new UnsupportedOperationException(getClass().getName() + " does not implement OutboxRepository#countByStatus");
    }

    /**
     * How long the entry that has been due the longest has waited since it became due: zero or near zero while
     * workers keep up, growing when the queue is not drained (workers stopped or too few, a store or server too
     * slow). A ready entry counts from its due time (its enqueue time, or the end of its retry wait or hold), an entry
     * whose worker's lease expired from the lease's end. Mail of a held account does not show here: a hold postpones
     * its entries, so they are not due until the hold ends (the meter {@code mailroom.accounts.held} shows held
     * accounts). Read in one query, for a gauge or a health check.
     * The default refuses.
     *
     * @return the age, or empty when nothing is due
     * @throws UnsupportedOperationException if this outbox cannot be queried
     */
    default Optional<Duration> oldestDueAge() {
        throw new UnsupportedOperationException(getClass().getName() + " does not implement OutboxRepository#oldestDueAge");
    }
}
