package dev.mailroom.gmail;

import dev.mailroom.EmailAddress;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.gmail.internal.GmailTransport;
import dev.mailroom.gmail.internal.Pacer;
import dev.mailroom.spi.OutgoingMessage;
import dev.mailroom.testkit.FakeGmailApi;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The transport paces a burst per mailbox (simulated time: the waits are recorded, not slept). */
final class GmailPacingIT {

    @Test
    @DisplayName("#12 a burst of 12 sends with a bucket of 5 at 150 per minute: 5 at once, then one each 0.4 s; all delivered")
    void burst_pacedPerMailbox() {
        AtomicLong now = new AtomicLong();
        List<Long> waits = new ArrayList<>();
        Pacer pacer = new Pacer(150, 5, Duration.ofSeconds(10), now::get, nanos -> {
            waits.add(nanos);
            now.addAndGet(nanos);
        });
        ResolvedAccount account = GmailFixtures.resolved();
        try (FakeGmailApi gmail = FakeGmailApi.start();
             GmailTransport t = new GmailTransport(GmailFixtures.context(new GmailFixtures.CountingTokens()), gmail.rootUrl().toString(), 1 << 20,
                     pacer, a -> List.of())) {
            for (int i = 0; i < 12; i++) {
                byte[] b = ("Message-ID: <p" + i + "@example.test>\r\nTo: to@example.test\r\nSubject: p\r\n\r\nbody\r\n").getBytes(StandardCharsets.US_ASCII);
                t.send(account, OutgoingMessage.builder("<p" + i + "@example.test>", EmailAddress.of("app@example.test"),
                        List.of(EmailAddress.of("to@example.test"))).content(b).build());
            }
            assertEquals(12, gmail.delivered().size());
        }
        assertEquals(7, waits.size());
        waits.forEach(w -> assertEquals(400_000_000L, w, 1_000_000L));
    }
}
