package dev.mailroom.inbound;

import dev.mailroom.AccountId;
import dev.mailroom.inbound.internal.MailboxSession;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** F1/F2: the pipeline over a scripted mailbox, without a server. */
final class PipelineTest {
    private static final AccountId ACCOUNT = AccountId.of("support");

    /** A folder held in memory: messages by UID, actions recorded. */
    private static final class ScriptedFolder implements MailboxSession {
        final List<byte[]> messages = new ArrayList<>();
        final List<String> actions = new ArrayList<>();
        final java.util.Set<Long> refusedUids = new java.util.HashSet<>();

        @Override
        public String folder() {
            return "INBOX";
        }

        @Override
        public long uidValidity() {
            return 42;
        }

        @Override
        public boolean hasCursor() {
            return true;
        }

        @Override
        public List<Listed> list(long afterUid, java.time.Instant since) {
            List<Listed> out = new ArrayList<>();
            for (int i = (int) afterUid; i < messages.size(); i++) {
                out.add(new Listed(Integer.toString(i + 1), i + 1, messages.get(i).length, null));
            }
            return out;
        }

        @Override
        public byte[] fetch(Listed message, boolean headerOnly) throws jakarta.mail.MessagingException {
            if (refusedUids.contains(message.uid())) {
                throw new jakarta.mail.MessagingException("A5 NO UID FETCH failed: message unreadable");
            }
            return messages.get((int) message.uid() - 1);
        }

        @Override
        public void apply(String id, ServerAction action) {
            actions.add(action + " " + id);
        }

        @Override
        public void close() {
        }
    }

    @Test
    @DisplayName("F1: a 5,000-level nested multipart is quarantined in milliseconds, without a stack overflow; the next mail is taken")
    void mimeBomb() throws Exception {
        ScriptedFolder folder = new ScriptedFolder();
        folder.messages.add(MimeShapes.nested(5000).getBytes(StandardCharsets.US_ASCII));
        folder.messages.add(Fixtures.message("ok", "Normal", "x").getBytes(StandardCharsets.US_ASCII));
        InMemoryInboundState state = new InMemoryInboundState();
        Fixtures.Tickets tickets = new Fixtures.Tickets();
        dev.mailroom.inbound.internal.MimeScan.check(MimeShapes.nested(3).getBytes(StandardCharsets.US_ASCII)); // load the classes
        long start = System.nanoTime();
        FetchReport r = new Pipeline(ACCOUNT, state, tickets, FetchOptions.builder().action(ServerAction.delete()).build(), folder).run();
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(r.quarantined()).isEqualTo(1);
        assertThat(state.quarantined(ACCOUNT).get(0).reason()).startsWith("MIME_NESTING_LIMIT");
        assertThat(tickets.subjects()).containsExactly("Normal");
        assertThat(folder.actions).containsExactly("DELETE 2"); // the quarantined mail stays on the server
        assertThat(ms).isLessThan(1000);
    }

    @Test
    @DisplayName("F2: a message the server refuses to send counts as a failed attempt and is quarantined after 3; it never blocks the"
            + " folder")
    void serverRefusesOneMessage() throws Exception {
        ScriptedFolder folder = new ScriptedFolder();
        folder.messages.add(Fixtures.message("bad", "Kaputt", "x").getBytes(StandardCharsets.US_ASCII));
        folder.messages.add(Fixtures.message("ok", "Normal", "x").getBytes(StandardCharsets.US_ASCII));
        folder.refusedUids.add(1L);
        InMemoryInboundState state = new InMemoryInboundState();
        Fixtures.Tickets tickets = new Fixtures.Tickets();
        FetchReport first = new Pipeline(ACCOUNT, state, tickets, FetchOptions.defaults(), folder).run();
        assertThat(first.failed()).isEqualTo(1);
        assertThat(tickets.subjects()).containsExactly("Normal");
        new Pipeline(ACCOUNT, state, tickets, FetchOptions.defaults(), folder).run();
        FetchReport third = new Pipeline(ACCOUNT, state, tickets, FetchOptions.defaults(), folder).run();
        assertThat(third.quarantined()).isEqualTo(1);
        assertThat(state.quarantined(ACCOUNT)).singleElement().satisfies(q -> assertThat(q.reason()).contains("A5 NO UID FETCH failed"));
        assertThat(state.cursor(ACCOUNT, "INBOX", 42)).hasValue(2);
        assertThat(tickets.subjects()).containsExactly("Normal");
    }
}
