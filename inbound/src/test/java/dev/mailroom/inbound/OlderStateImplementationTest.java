package dev.mailroom.inbound;

import dev.mailroom.AccountId;
import dev.mailroom.spi.ArchivedMessage;
import dev.mailroom.spi.InboundEntry;
import dev.mailroom.spi.InboundKey;
import dev.mailroom.spi.InboundStateRepository;
import dev.mailroom.spi.QuarantinedMessage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** F8: a state store written before the archive and routing blocks still compiles; the new parts fail clearly or do nothing. */
final class OlderStateImplementationTest {
    private static final InboundKey KEY = new InboundKey(AccountId.of("a"), "INBOX", 1, "1");

    /** Implements only the methods the SPI had before the archive and routing blocks. */
    private static final class Older implements InboundStateRepository {
        @Override public Optional<InboundEntry> find(InboundKey key) { return Optional.empty(); }
        @Override public boolean contentTaken(AccountId account, String contentKey) { return false; }
        @Override public void stored(InboundKey key, String contentKey) { }
        @Override public void acked(InboundKey key) { }
        @Override public int failed(InboundKey key, String contentKey, String error) { return 1; }
        @Override public void quarantine(InboundKey key, String contentKey, String reason, byte[] raw) { }
        @Override public void skipped(InboundKey key, String contentKey, String reason) { }
        @Override public List<InboundEntry> pendingAcks(AccountId account, String folder) { return List.of(); }
        @Override public List<QuarantinedMessage> quarantined(AccountId account) { return List.of(); }
        @Override public OptionalLong cursor(AccountId account, String folder, long uidValidity) { return OptionalLong.empty(); }
        @Override public boolean hasAnyCursor(AccountId account, String folder) { return false; }
        @Override public void advanceCursor(AccountId account, String folder, long uidValidity, long uid) { }
        @Override public boolean tryLease(AccountId account, String owner, Duration duration) { return true; }
        @Override public void releaseLease(AccountId account, String owner) { }
    }

    @Test
    @DisplayName("F8: an older state implementation compiles; archiving and remembering fail with a clear message, reads find nothing,"
            + " no auto-reply is allowed")
    void olderImplementation() {
        Older s = new Older();
        assertThatThrownBy(() -> s.archive(KEY, "c", new byte[1])).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("archive");
        assertThat(s.archived(KEY)).isEmpty();
        assertThat(s.archived(AccountId.of("a"), 10)).isEmpty();
        assertThat(s.deleteArchived(KEY)).isFalse();
        assertThat(s.purgeArchive(AccountId.of("a"), Duration.ZERO)).isZero();
        assertThatThrownBy(() -> s.rememberTicketMail(AccountId.of("a"), "<m@x>", "T1", "a@x")).isInstanceOf(UnsupportedOperationException.class);
        assertThat(s.ticketOfMail(AccountId.of("a"), "<m@x>")).isEmpty();
        assertThat(s.wroteToTicket(AccountId.of("a"), "T1", "a@x")).isFalse();
        assertThat(s.bundleTicket(AccountId.of("a"), "k", Duration.ofHours(1))).isEmpty();
        assertThat(s.tryTakeAutoReply(AccountId.of("a"), "a@x", LocalDate.of(2026, 11, 29), 1, 1)).isFalse();
    }

    @Test
    @DisplayName("F8: an archived message copies its bytes in and out; equal by content; toString shows no bytes")
    void archivedMessageCopies() {
        byte[] raw = {1, 2, 3};
        ArchivedMessage a = new ArchivedMessage(KEY, "c", Instant.EPOCH, raw);
        raw[0] = 9;
        assertThat(a.raw()).containsExactly(1, 2, 3);
        a.raw()[1] = 9;
        assertThat(a.raw()).containsExactly(1, 2, 3);
        ArchivedMessage b = new ArchivedMessage(KEY, "c", Instant.EPOCH, new byte[] {1, 2, 3});
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a.toString()).contains("3 bytes");
    }

    @Test
    @DisplayName("F8: listing the archive returns at most 1,000 messages per call")
    void archiveLimitCapped() {
        InMemoryInboundState state = new InMemoryInboundState();
        for (int i = 0; i < 1001; i++) {
            state.archive(new InboundKey(AccountId.of("a"), "INBOX", 1, Integer.toString(i)), "c" + i, new byte[] {1});
        }
        assertThat(state.archived(AccountId.of("a"), Integer.MAX_VALUE)).hasSize(1000);
    }
}
