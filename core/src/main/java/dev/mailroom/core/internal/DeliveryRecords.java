package dev.mailroom.core.internal;

import dev.mailroom.AccountId;
import dev.mailroom.DeliveryLogEntry;
import dev.mailroom.MailContext;
import dev.mailroom.MailException;
import dev.mailroom.spi.DeliveryLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Objects;

/**
 * The engine's pen for the delivery log: every attempt becomes one entry, and a log that fails never turns a
 * sent mail into an error (the caller would send it again). Thread-safe.
 */
public final class DeliveryRecords {
    /** The facade's logger, so that log configuration written for earlier versions keeps working. */
    private static final Logger LOG = LoggerFactory.getLogger("dev.mailroom.core.Mailroom");

    private final DeliveryLog log;
    private final Clock clock;

    /**
     * @param log the delivery log
     * @param clock the clock of the entries
     */
    public DeliveryRecords(DeliveryLog log, Clock clock) {
        this.log = Objects.requireNonNull(log, "log");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * @return the clock of log entries and Date headers
     */
    public Clock clock() {
        return clock;
    }

    /**
     * Records an entry; a failure of the log is logged, never thrown.
     *
     * @param entry the entry
     */
    public void record(DeliveryLogEntry entry) {
        try {
            log.record(entry);
        } catch (RuntimeException ex) {
            LOG.error("recording a delivery log entry failed: {}", entry, ex);
        }
    }

    /**
     * Records a failed attempt.
     *
     * @param op the operation
     * @param id the account, or {@code null} when none was chosen
     * @param ctx who sent
     * @param address the account's address, or {@code null}
     * @param transportId the transport, or {@code null}
     * @param e the failure
     * @param messageId the Message-ID, or {@code null} when none was made
     */
    public void failure(DeliveryLogEntry.Operation op, AccountId id, MailContext ctx, String address, String transportId,
                        MailException e, String messageId) {
        record(new DeliveryLogEntry(clock.instant(), id, address, ctx.tenant().orElse(null), op,
                DeliveryLogEntry.Outcome.FAILURE, e.code(), e.serverReply().orElse(null), messageId, transportId, e.getMessage()));
    }
}
