package dev.mailroom.testkit;

import dev.mailroom.AccountId;
import dev.mailroom.DeliveryLogEntry;
import dev.mailroom.DeliveryLogQuery;
import dev.mailroom.MailErrorCode;
import dev.mailroom.spi.DeliveryLog;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract every {@link DeliveryLog} must keep, Mailroom's and a host's: entries come back newest first
 * and filtered by period, account, tenant and failures; the exports list everything oldest first in one
 * format; a retention deletes only older entries. Extend it and return a fresh, empty log from
 * {@link #newLog()}.
 */
public abstract class DeliveryLogContract {
    private DeliveryLog log;
    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    /** For subclasses. */
    protected DeliveryLogContract() {
    }

    /**
     * A fresh, empty log for each test.
     *
     * @return the log under test
     */
    protected abstract DeliveryLog newLog();

    @BeforeEach
    void setUpLog() {
        log = newLog();
        log.record(entry(now.minus(Duration.ofDays(40)), "a", "acme", DeliveryLogEntry.Outcome.FAILURE, MailErrorCode.TEMPORARY_FAILURE,
                "451 4.3.0 old", "<1@x>"));
        log.record(entry(now.minus(Duration.ofHours(2)), "a", "acme", DeliveryLogEntry.Outcome.FAILURE, MailErrorCode.AUTH_FAILED,
                "535 5.7.8 Error: authentication failed, \"quoted\"\nsecond line", "<2@x>"));
        log.recordAll(List.of(entry(now.minus(Duration.ofHours(1)), "b", "globex", DeliveryLogEntry.Outcome.SUCCESS, null, "250 2.0.0 Ok",
                "<3@x>")));
    }

    private static DeliveryLogEntry entry(Instant time, String account, String tenant, DeliveryLogEntry.Outcome outcome, MailErrorCode code,
                                          String reply, String messageId) {
        return new DeliveryLogEntry(time, AccountId.of(account), account + "@" + tenant + ".test", tenant, DeliveryLogEntry.Operation.SEND,
                outcome, code, reply, messageId, "smtp", outcome == DeliveryLogEntry.Outcome.SUCCESS ? "sent" : "failed");
    }

    @Test
    @DisplayName("C3 contract: the last 24 hours newest first, filtered by failures, account and tenant")
    void query_filtersAndOrder() {
        DeliveryLogQuery day = DeliveryLogQuery.since(now.minus(Duration.ofHours(24)));
        assertEquals(List.of("<3@x>", "<2@x>"), ids(log.query(day)));
        assertEquals(List.of("<2@x>"), ids(log.query(day.failures())));
        DeliveryLogEntry failure = log.query(day.failures()).get(0);
        assertEquals(MailErrorCode.AUTH_FAILED, failure.errorCode());
        assertEquals("535 5.7.8 Error: authentication failed, \"quoted\"\nsecond line", failure.serverReply(), "the server's reply verbatim");
        assertEquals(List.of("<3@x>"), ids(log.query(day.tenant("globex"))));
        assertEquals(List.of("<2@x>"), ids(log.query(day.account(AccountId.of("a")))));
        assertEquals(List.of("<3@x>"), ids(log.query(DeliveryLogQuery.since(Instant.EPOCH).limit(1))), "the limit keeps the newest");
    }

    @Test
    @DisplayName("C3 contract: the full log as CSV and as JSON lines, oldest first, with quotes and line breaks escaped")
    void export_csvAndJsonLines() {
        StringWriter csv = new StringWriter();
        log.exportCsv(DeliveryLogQuery.since(Instant.EPOCH).limit(1), csv);
        String text = csv.toString();
        assertTrue(text.startsWith("time,account_address,account_id,tenant,operation,outcome,error_code,server_reply,message_id,transport,detail\n"),
                text);
        assertTrue(text.contains("\"535 5.7.8 Error: authentication failed, \"\"quoted\"\"\nsecond line\""), text);
        assertTrue(text.indexOf("<1@x>") < text.indexOf("<2@x>") && text.indexOf("<2@x>") < text.indexOf("<3@x>"),
                "oldest first, the query's limit ignored: " + text);
        StringWriter jsonl = new StringWriter();
        log.exportJsonLines(DeliveryLogQuery.since(Instant.EPOCH), jsonl);
        List<String> lines = jsonl.toString().lines().toList();
        assertEquals(3, lines.size(), jsonl.toString());
        assertTrue(lines.stream().allMatch(l -> l.startsWith("{\"time\":") && l.endsWith("}")), jsonl.toString());
        assertTrue(lines.get(1).contains("\\\"quoted\\\"\\nsecond line"), lines.get(1));
        assertTrue(lines.get(0).contains("\"messageId\":\"<1@x>\""), lines.get(0));
    }

    @Test
    @DisplayName("C3 contract: a retention deletes only older entries; a non-positive one is refused and deletes nothing")
    void purgeOlderThan_keepsNewer() {
        assertThrows(IllegalArgumentException.class, () -> log.purgeOlderThan(Duration.ZERO));
        assertEquals(3, log.query(DeliveryLogQuery.since(Instant.EPOCH)).size(), "nothing deleted by a refused retention");
        int purged = log.purgeOlderThan(Duration.ofDays(30));
        assertTrue(purged == 1 || purged == 0 && log.query(DeliveryLogQuery.since(Instant.EPOCH)).size() == 3,
                "either deleted the old entry or the log keeps everything");
        if (purged == 1) {
            assertEquals(List.of("<3@x>", "<2@x>"), ids(log.query(DeliveryLogQuery.since(Instant.EPOCH))));
        }
    }

    @Test
    @DisplayName("F7 contract: entries of one Message-ID are found with or without angle brackets, a bounce among them")
    void query_byMessageId() {
        log.record(new DeliveryLogEntry(now.minus(Duration.ofMinutes(5)), AccountId.of("b"), "b@globex.test", "globex",
                DeliveryLogEntry.Operation.BOUNCE, DeliveryLogEntry.Outcome.FAILURE, null, "5.1.1", "<3@x>", "imap",
                "bounced: nobody@example.com 5.1.1"));
        DeliveryLogQuery all = DeliveryLogQuery.since(Instant.EPOCH);
        List<DeliveryLogEntry> found = log.query(all.messageId("3@x"));
        assertEquals(List.of("<3@x>", "<3@x>"), ids(found));
        assertEquals(DeliveryLogEntry.Operation.BOUNCE, found.get(0).operation(), "newest first: the bounce");
        assertEquals(DeliveryLogEntry.Operation.SEND, found.get(1).operation());
        assertEquals(List.of("<1@x>"), ids(log.query(all.messageId(" <1@x> "))));
        assertEquals(List.of(), ids(log.query(all.messageId("<4@x>"))));
        assertThrows(IllegalArgumentException.class, () -> all.messageId("<>"));
    }

    private static List<String> ids(List<DeliveryLogEntry> entries) {
        List<String> out = new ArrayList<>();
        entries.forEach(e -> out.add(e.messageId()));
        return out;
    }

    @Test
    @DisplayName("#15 contract: healthEntries of several accounts in one read equals the entries query() gives each account, filtered for health")
    void healthEntries_equalPerAccountQueries() {
        DeliveryLog fresh = newLog();
        Instant t = now.minus(Duration.ofHours(3));
        DeliveryLogEntry.Operation[] ops = {DeliveryLogEntry.Operation.SEND, DeliveryLogEntry.Operation.DIAGNOSE,
                DeliveryLogEntry.Operation.NOTIFICATION, DeliveryLogEntry.Operation.SENT_COPY, DeliveryLogEntry.Operation.TEST_MAIL,
                DeliveryLogEntry.Operation.FETCH, DeliveryLogEntry.Operation.SEND};
        MailErrorCode[] codes = {null, MailErrorCode.AUTH_FAILED, MailErrorCode.RECIPIENT_REJECTED, MailErrorCode.TEMPORARY_FAILURE,
                MailErrorCode.MESSAGE_TOO_LARGE};
        int n = 0;
        for (String account : List.of("h1", "h2", "h3")) {
            for (int i = 0; i < 30; i++, n++) {
                MailErrorCode code = codes[(i * 7 + account.length() * 3 + n) % codes.length];
                DeliveryLogEntry.Outcome outcome = i % 11 == 5 ? DeliveryLogEntry.Outcome.SKIPPED
                        : code == null ? DeliveryLogEntry.Outcome.SUCCESS : DeliveryLogEntry.Outcome.FAILURE;
                fresh.record(new DeliveryLogEntry(t.plusMillis(10L * n), AccountId.of(account), account + "@x.test", null, ops[(i + n) % ops.length],
                        outcome, outcome == DeliveryLogEntry.Outcome.FAILURE ? code : null, null, "<" + n + "@x>", "smtp", "d" + n));
            }
        }
        fresh.record(new DeliveryLogEntry(now.minus(Duration.ofDays(2)), AccountId.of("h1"), "h1@x.test", null, DeliveryLogEntry.Operation.SEND,
                DeliveryLogEntry.Outcome.FAILURE, MailErrorCode.AUTH_FAILED, null, "<old@x>", "smtp", "too old"));
        DeliveryLog byQuery = new DeliveryLog() { // the interface's default: one query per account
            @Override
            public void record(DeliveryLogEntry entry) {
                fresh.record(entry);
            }

            @Override
            public List<DeliveryLogEntry> query(DeliveryLogQuery query) {
                return fresh.query(query);
            }
        };
        List<AccountId> ids = List.of(AccountId.of("h1"), AccountId.of("h2"), AccountId.of("h3"), AccountId.of("none"), AccountId.of("h1"));
        Instant since = now.minus(Duration.ofHours(24));
        for (int per : new int[] {1, 5, 20}) {
            java.util.Map<AccountId, List<DeliveryLogEntry>> batched = fresh.healthEntries(ids, since, per);
            assertEquals(byQuery.healthEntries(ids, since, per), batched, "per account " + per);
            assertEquals(List.of("h1", "h2", "h3", "none"), batched.keySet().stream().map(AccountId::value).toList());
            assertTrue(batched.get(AccountId.of("none")).isEmpty());
            assertTrue(batched.values().stream().flatMap(List::stream).allMatch(DeliveryLog::countsForHealth));
        }
        assertEquals(5, fresh.healthEntries(ids, since, 5).get(AccountId.of("h2")).size());
        assertThrows(IllegalArgumentException.class, () -> fresh.healthEntries(ids, since, 0));
    }

    @Test
    @DisplayName("#15 contract: healthEntries breaks equal times by insertion (the later entry first), like query(); more accounts than one statement takes (1,002)")
    void healthEntries_equalTimes_manyAccounts() {
        DeliveryLog fresh = newLog();
        Instant t = now.minus(Duration.ofHours(1));
        List<DeliveryLogEntry> batch = new ArrayList<>();
        for (int n = 0; n < 6; n++) { // six entries of one account at the very same time
            batch.add(new DeliveryLogEntry(t, AccountId.of("tie"), "tie@x.test", null, DeliveryLogEntry.Operation.SEND,
                    DeliveryLogEntry.Outcome.SUCCESS, null, null, "<tie" + n + "@x>", "smtp", "d" + n));
        }
        List<AccountId> ids = new ArrayList<>();
        for (int a = 0; a < 1001; a++) {
            AccountId id = AccountId.of(String.format(java.util.Locale.ROOT, "acc%04d", a));
            ids.add(id);
            batch.add(new DeliveryLogEntry(t.plusMillis(a), id, id.value() + "@x.test", null, DeliveryLogEntry.Operation.SEND,
                    DeliveryLogEntry.Outcome.SUCCESS, null, null, "<" + id.value() + "@x>", "smtp", "d"));
        }
        fresh.recordAll(batch);
        Instant since = now.minus(Duration.ofHours(24));
        List<String> expected = ids(fresh.query(DeliveryLogQuery.since(since).account(AccountId.of("tie")).limit(3)));
        assertEquals(List.of("<tie5@x>", "<tie4@x>", "<tie3@x>"), expected, "query(): the later of equal times first");
        assertEquals(expected, ids(fresh.healthEntries(List.of(AccountId.of("tie")), since, 3).get(AccountId.of("tie"))));

        ids.add(AccountId.of("tie")); // the 1,002nd account: past the first thousand
        java.util.Map<AccountId, List<DeliveryLogEntry>> all = fresh.healthEntries(ids, since, 3);
        assertEquals(1002, all.size());
        assertEquals(expected, ids(all.get(AccountId.of("tie"))));
        assertEquals(List.of("<acc0000@x>"), ids(all.get(AccountId.of("acc0000"))));
        assertEquals(List.of("<acc1000@x>"), ids(all.get(AccountId.of("acc1000"))));
        assertTrue(all.values().stream().allMatch(l -> !l.isEmpty()));
    }

    @Test
    @DisplayName("F7 contract: a bounce (a report about a recipient, fetched by any account) never counts toward an account's health;"
            + " a failed or successful fetch does")
    void healthEntries_leaveOutBounces() {
        DeliveryLog fresh = newLog();
        AccountId b = AccountId.of("bounced");
        Instant t = now.minus(Duration.ofMinutes(30));
        DeliveryLogEntry bounce = new DeliveryLogEntry(t, b, "b@x.test", null, DeliveryLogEntry.Operation.BOUNCE,
                DeliveryLogEntry.Outcome.FAILURE, MailErrorCode.TEMPORARY_FAILURE, "4.4.1", "<b1@x>", "smtp", "bounce: delayed");
        DeliveryLogEntry delivered = new DeliveryLogEntry(t.plusSeconds(1), b, "b@x.test", null, DeliveryLogEntry.Operation.BOUNCE,
                DeliveryLogEntry.Outcome.SUCCESS, null, null, "<b2@x>", "smtp", "bounce: delivered");
        DeliveryLogEntry fetchFailed = new DeliveryLogEntry(t.plusSeconds(2), b, "b@x.test", null, DeliveryLogEntry.Operation.FETCH,
                DeliveryLogEntry.Outcome.FAILURE, MailErrorCode.AUTH_FAILED, "NO LOGIN failed", null, "imap", "login refused");
        DeliveryLogEntry fetched = new DeliveryLogEntry(t.plusSeconds(3), b, "b@x.test", null, DeliveryLogEntry.Operation.FETCH,
                DeliveryLogEntry.Outcome.SUCCESS, null, null, null, "imap", "imported 1");
        fresh.recordAll(List.of(bounce, delivered, fetchFailed, fetched));
        assertTrue(!DeliveryLog.countsForHealth(bounce) && !DeliveryLog.countsForHealth(delivered));
        List<DeliveryLogEntry> counted = fresh.healthEntries(List.of(b), now.minus(Duration.ofHours(1)), 10).get(b);
        assertEquals(List.of("imported 1", "login refused"), counted.stream().map(DeliveryLogEntry::detail).sorted().toList());
    }
}
