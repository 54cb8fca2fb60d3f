package dev.mailroom.inbound;

import dev.mailroom.AccountId;
import dev.mailroom.DeliveryLogEntry;
import dev.mailroom.DeliveryLogQuery;
import dev.mailroom.inbound.internal.MailboxSession;
import dev.mailroom.inbound.internal.MimeScan;
import dev.mailroom.spi.DeliveryLog;
import dev.mailroom.spi.InboundEntry;
import dev.mailroom.spi.InboundKey;
import dev.mailroom.testkit.MailCorpus.Sample;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import dev.mailroom.spi.InboundStateRepository;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** F7/F8: bounces and the local archive in the pipeline, over a scripted mailbox without a server. */
final class BounceArchivePipelineTest {
    private static final AccountId ACCOUNT = AccountId.of("support");
    private static final AccountId SENDER = AccountId.of("mailer");

    /** A folder in memory: messages by UID, actions recorded. */
    private static final class Folder implements MailboxSession {
        final List<byte[]> messages = new ArrayList<>();
        final List<String> actions = new ArrayList<>();

        Folder(Sample... samples) {
            for (Sample s : samples) {
                messages.add(s.bytes());
            }
        }

        @Override
        public String folder() {
            return "INBOX";
        }

        @Override
        public long uidValidity() {
            return 7;
        }

        @Override
        public boolean hasCursor() {
            return true;
        }

        @Override
        public List<Listed> list(long afterUid, Instant since) {
            List<Listed> out = new ArrayList<>();
            for (int i = (int) afterUid; i < messages.size(); i++) {
                out.add(new Listed(Integer.toString(i + 1), i + 1, messages.get(i).length, null));
            }
            return out;
        }

        @Override
        public byte[] fetch(Listed message, boolean headerOnly) {
            byte[] raw = messages.get((int) message.uid() - 1);
            if (!headerOnly) {
                return raw;
            }
            String text = new String(raw, StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n") >= 0 ? text.indexOf("\r\n\r\n") + 4 : text.indexOf("\n\n") + 2;
            return text.substring(0, end).getBytes(StandardCharsets.ISO_8859_1);
        }

        @Override
        public void apply(String id, ServerAction action) {
            actions.add(id);
        }

        @Override
        public void close() {
        }
    }

    /** A delivery log in a list, newest last. */
    private static final class ListLog implements DeliveryLog {
        final List<DeliveryLogEntry> entries = new CopyOnWriteArrayList<>();

        @Override
        public void record(DeliveryLogEntry entry) {
            entries.add(entry);
        }

        @Override
        public List<DeliveryLogEntry> query(DeliveryLogQuery query) {
            List<DeliveryLogEntry> out = new ArrayList<>();
            for (int i = entries.size() - 1; i >= 0 && out.size() < query.limit(); i--) {
                if (query.matches(entries.get(i))) {
                    out.add(entries.get(i));
                }
            }
            return out;
        }
    }

    private static DeliveryLogEntry sent(String messageId) {
        return new DeliveryLogEntry(Instant.now(), SENDER, "support@acme.test", "acme", DeliveryLogEntry.Operation.SEND,
                DeliveryLogEntry.Outcome.SUCCESS, null, "250 2.0.0 Ok", messageId, "smtp", "sent to 1 recipient(s)");
    }

    @Test
    @DisplayName("F7: bounces are stored and acknowledged but never reach the handler; the log shows each against the sent entry;"
            + " the listener hears only permanent failures of mail in the log")
    void bouncesNeverBecomeTickets() throws Exception {
        ListLog log = new ListLog();
        log.record(sent("<orig-postfix-4713@acme.test>"));
        List<Bounce> heard = new ArrayList<>();
        List<String> tickets = new ArrayList<>();
        InMemoryInboundState state = new InMemoryInboundState();
        Folder folder = new Folder(Sample.PERSON, Sample.POSTFIX_DSN, Sample.POSTFIX_DELAYED_DSN, Sample.QMAIL_BOUNCE,
                Sample.OUTLOOK_AUTO_REPLY);
        FetchReport r = new Pipeline(ACCOUNT, state, m -> { tickets.add(String.valueOf(m.subject())); return InboundResult.stored(); }, FetchOptions.defaults(), folder)
                .extras(Bounces.hook(log, heard::add, Clock.systemUTC()), false, "imap").run();

        assertThat(tickets).containsExactly("Drucker druckt nicht", "Automatische Antwort: Ihre Anfrage [#4711]");
        assertThat(r.imported()).isEqualTo(2);
        assertThat(r.bounces()).isEqualTo(3);
        assertThat(folder.actions).containsExactly("1", "2", "3", "4", "5");
        for (int uid = 1; uid <= 5; uid++) {
            assertThat(state.find(new InboundKey(ACCOUNT, "INBOX", 7, Integer.toString(uid)))).get()
                    .extracting(InboundEntry::state).isEqualTo(InboundEntry.State.ACKED);
        }
        assertThat(heard).as("only a bounce of a mail this system sent reaches the listener").extracting(b -> b.originalMessageId().orElseThrow())
                .containsExactly("<orig-postfix-4713@acme.test>");

        List<DeliveryLogEntry> postfix = log.query(DeliveryLogQuery.since(Instant.EPOCH).messageId("orig-postfix-4713@acme.test"));
        assertThat(postfix).hasSize(2);
        DeliveryLogEntry bounce = postfix.get(0);
        assertThat(bounce.operation()).isEqualTo(DeliveryLogEntry.Operation.BOUNCE);
        assertThat(bounce.outcome()).isEqualTo(DeliveryLogEntry.Outcome.FAILURE);
        assertThat(bounce.accountId()).as("against the sending account").isEqualTo(SENDER);
        assertThat(bounce.tenant()).isEqualTo("acme");
        assertThat(bounce.serverReply()).startsWith("smtp; 550 5.1.1");
        assertThat(bounce.detail()).contains("nobody@kunde.example", "5.1.1", "permanent");
        DeliveryLogEntry unknown = log.query(DeliveryLogQuery.since(Instant.EPOCH).messageId("orig-qmail-4717@acme.test")).get(0);
        assertThat(unknown.accountId()).as("no sent entry: the fetching account").isEqualTo(ACCOUNT);
        assertThat(unknown.detail()).contains("alt@oldhost.example", "no sent mail");
        DeliveryLogEntry delayed = log.query(DeliveryLogQuery.since(Instant.EPOCH).messageId("orig-delayed-4714@acme.test")).get(0);
        assertThat(delayed.outcome()).isEqualTo(DeliveryLogEntry.Outcome.SUCCESS);
        assertThat(delayed.detail()).contains("delayed").doesNotContain("permanent");
    }

    @Test
    @DisplayName("F7: a failing bounce listener counts as a failed attempt; the bounce comes again and nothing is logged twice")
    void failingListenerRetries() throws Exception {
        ListLog log = new ListLog();
        log.record(sent("<orig-gmail-4716@acme.test>"));
        InMemoryInboundState state = new InMemoryInboundState();
        Folder folder = new Folder(Sample.GMAIL_DSN);
        int[] calls = {0};
        Bounces.Hook hook = Bounces.hook(log, b -> {
            if (calls[0]++ == 0) {
                throw new IllegalStateException("suppression list down");
            }
        }, Clock.systemUTC());
        FetchReport first = new Pipeline(ACCOUNT, state, m -> InboundResult.stored(), FetchOptions.defaults(), folder).extras(hook, false, "imap").run();
        assertThat(first.failed()).isEqualTo(1);
        assertThat(log.entries).hasSize(1);
        FetchReport second = new Pipeline(ACCOUNT, state, m -> InboundResult.stored(), FetchOptions.defaults(), folder).extras(hook, false, "imap").run();
        assertThat(second.bounces()).isEqualTo(1);
        assertThat(log.entries).hasSize(2);
        assertThat(calls[0]).isEqualTo(2);
    }

    @Test
    @DisplayName("F8: with the archive on, each imported mail and bounce is kept byte for byte; a purge deletes locally, the server is"
            + " not touched")
    void archive() throws Exception {
        InMemoryInboundState state = new InMemoryInboundState();
        Folder folder = new Folder(Sample.PERSON, Sample.EXCHANGE_NDR);
        new Pipeline(ACCOUNT, state, m -> InboundResult.stored(), FetchOptions.defaults(), folder).extras(Bounces.hook(null, null, Clock.systemUTC()), true,
                "imap").run();
        InboundKey person = new InboundKey(ACCOUNT, "INBOX", 7, "1");
        assertThat(state.archived(person)).get().satisfies(a -> assertThat(a.raw()).isEqualTo(Sample.PERSON.bytes()));
        assertThat(state.archived(ACCOUNT, 10)).hasSize(2);
        List<String> actionsBefore = List.copyOf(folder.actions);
        assertThat(state.purgeArchive(ACCOUNT, Duration.ofDays(30))).isZero();
        assertThat(state.purgeArchive(ACCOUNT, Duration.ZERO)).isEqualTo(2);
        assertThat(state.archived(ACCOUNT, 10)).isEmpty();
        assertThat(folder.actions).isEqualTo(actionsBefore);
        assertThat(state.find(person)).get().extracting(InboundEntry::state).isEqualTo(InboundEntry.State.ACKED);

        InMemoryInboundState off = new InMemoryInboundState();
        new Pipeline(ACCOUNT, off, m -> InboundResult.stored(), FetchOptions.defaults(), new Folder(Sample.PERSON)).run();
        assertThat(off.archived(ACCOUNT, 10)).as("off by default").isEmpty();
    }

    @Test
    @DisplayName("F1: a body part that decodes to more than the part size limit is rejected by the pre-scan and quarantined")
    void partSizeLimit() throws Exception {
        byte[] payload = new byte[3000];
        String mail = "From: a@example.test\r\nTo: support@acme.test\r\nSubject: Gross\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\"p\"\r\n\r\n--p\r\nContent-Type: text/plain\r\n\r\nhallo\r\n--p\r\n"
                + "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + Base64.getMimeEncoder().encodeToString(payload) + "\r\n--p--\r\n";
        byte[] raw = mail.getBytes(StandardCharsets.US_ASCII);
        assertThat(MimeScan.check(raw, 3000)).isEmpty();
        assertThat(MimeScan.check(raw, 2999)).hasValueSatisfying(r -> assertThat(r).startsWith("MIME_PART_SIZE_LIMIT"));
        assertThat(MimeScan.check(raw)).as("the default is 20 MiB").isEmpty();

        InMemoryInboundState state = new InMemoryInboundState();
        Folder folder = new Folder();
        folder.messages.add(raw);
        List<String> tickets = new ArrayList<>();
        FetchReport r = new Pipeline(ACCOUNT, state, m -> { tickets.add("x"); return InboundResult.stored(); }, FetchOptions.builder().maxPartSize(2048).build(), folder).run();
        assertThat(r.quarantined()).isEqualTo(1);
        assertThat(tickets).isEmpty();
        assertThat(state.quarantined(ACCOUNT).get(0).reason()).startsWith("MIME_PART_SIZE_LIMIT");
    }

    /** The state in memory, whose stored() fails the first time it is called. */
    private static InboundStateRepository storedFailsOnce(InMemoryInboundState durable) {
        boolean[] failed = {false};
        return (InboundStateRepository) Proxy.newProxyInstance(InboundStateRepository.class.getClassLoader(),
                new Class<?>[] {InboundStateRepository.class}, (proxy, method, args) -> {
                    if (method.getName().equals("stored") && !failed[0]) {
                        failed[0] = true;
                        throw new IllegalStateException("database went away");
                    }
                    try {
                        return method.invoke(durable, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    @DisplayName("F7: a bounce whose STORED fails comes again, but its delivery-log entries are written once; the archive holds it once")
    void bounceSideEffectsAfterStored() throws Exception {
        ListLog log = new ListLog();
        log.record(sent("<orig-postfix-4713@acme.test>"));
        List<Bounce> heard = new ArrayList<>();
        InMemoryInboundState durable = new InMemoryInboundState();
        InboundStateRepository state = storedFailsOnce(durable);
        Folder folder = new Folder(Sample.POSTFIX_DSN);
        Bounces.Hook hook = Bounces.hook(log, heard::add, Clock.systemUTC());
        assertThatThrownBy(() -> new Pipeline(ACCOUNT, state, m -> InboundResult.stored(), FetchOptions.defaults(), folder)
                .extras(hook, true, "imap").run()).hasMessageContaining("database went away");
        FetchReport second = new Pipeline(ACCOUNT, state, m -> InboundResult.stored(), FetchOptions.defaults(), folder)
                .extras(hook, true, "imap").run();
        assertThat(second.bounces()).isEqualTo(1);
        assertThat(log.query(DeliveryLogQuery.since(Instant.EPOCH).messageId("orig-postfix-4713@acme.test")))
                .filteredOn(e -> e.operation() == DeliveryLogEntry.Operation.BOUNCE).hasSize(1);
        assertThat(heard).as("the listener runs before STORED: at least once").isNotEmpty();
        assertThat(durable.archived(ACCOUNT, 10)).hasSize(1);
    }

    @Test
    @DisplayName("F7: a bounce larger than the size limit (an NDR with the original attached) is classified from its headers and never"
            + " reaches the handler")
    void largeBounceIsNoTicket() throws Exception {
        ListLog log = new ListLog();
        List<String> tickets = new ArrayList<>();
        List<Bounce> heard = new ArrayList<>();
        InMemoryInboundState state = new InMemoryInboundState();
        Folder folder = new Folder(Sample.EXCHANGE_NDR, Sample.POSTFIX_DSN, Sample.PERSON);
        FetchOptions small = FetchOptions.builder().maxMessageSize(1024).build();
        FetchReport r = new Pipeline(ACCOUNT, state, m -> { tickets.add(String.valueOf(m.subject())); return InboundResult.stored(); }, small, folder)
                .extras(Bounces.hook(log, heard::add, Clock.systemUTC()), false, "imap").run();
        assertThat(Sample.EXCHANGE_NDR.bytes().length).isGreaterThan(1024);
        assertThat(Sample.POSTFIX_DSN.bytes().length).isGreaterThan(1024);
        assertThat(tickets).containsExactly("Drucker druckt nicht");
        assertThat(r.bounces()).isEqualTo(2);
        assertThat(heard).as("nothing read about the recipients: nobody is suppressed").isEmpty();
        assertThat(log.entries).filteredOn(e -> e.operation() == DeliveryLogEntry.Operation.BOUNCE).hasSize(2)
                .allSatisfy(e -> assertThat(e.detail()).contains("too large"));
        assertThat(folder.actions).containsExactly("1", "2", "3");
    }

    @Test
    @DisplayName("F7: a forged DSN (any sender, a Message-ID this system never sent) is recorded but never reaches the bounce listener")
    void forgedDsnSuppressesNobody() throws Exception {
        String forged = "From: someone@evil.example\r\nTo: support@acme.test\r\nSubject: Delivery Status Notification (Failure)\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"f\"\r\n\r\n--f\r\n"
                + "Content-Type: text/plain\r\n\r\nfailed\r\n--f\r\nContent-Type: message/delivery-status\r\n\r\n"
                + "Reporting-MTA: dns; evil.example\r\n\r\nFinal-Recipient: rfc822; ceo@kunde.example\r\nAction: failed\r\nStatus: 5.1.1\r\n"
                + "\r\n--f\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <never-sent@acme.test>\r\n\r\n--f--\r\n";
        ListLog log = new ListLog();
        log.record(sent("<orig-postfix-4713@acme.test>"));
        List<Bounce> heard = new ArrayList<>();
        Folder folder = new Folder();
        folder.messages.add(forged.getBytes(StandardCharsets.US_ASCII));
        FetchReport r = new Pipeline(ACCOUNT, new InMemoryInboundState(), m -> InboundResult.stored(), FetchOptions.defaults(), folder)
                .extras(Bounces.hook(log, heard::add, Clock.systemUTC()), false, "imap").run();
        assertThat(r.bounces()).isEqualTo(1);
        assertThat(heard).isEmpty();
        assertThat(log.query(DeliveryLogQuery.since(Instant.EPOCH).messageId("never-sent@acme.test"))).hasSize(1)
                .allSatisfy(e -> assertThat(e.detail()).contains("no sent mail"));
    }
}
