package dev.mailroom.bench;

import dev.mailroom.Account;
import dev.mailroom.Authentication;
import dev.mailroom.EmailAddress;
import dev.mailroom.OAuthClientId;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Security;
import dev.mailroom.SendSettings;
import dev.mailroom.graph.GraphTransportProvider;
import dev.mailroom.spi.AccessToken;
import dev.mailroom.spi.AccessTokens;
import dev.mailroom.spi.OutgoingMessage;
import dev.mailroom.spi.Transport;
import dev.mailroom.spi.TransportContext;
import dev.mailroom.testkit.FakeGraphApi;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The Graph transport's send against the testkit's {@code FakeGraphApi} on loopback, with 1 and 4 mailboxes side by
 * side and more threads than the per-mailbox cap of 4: the table shows the throughput, the most requests the fake
 * saw under way at once in all and for one mailbox (at most 4 when the cap holds). Two kinds of message: a 2 KB text
 * (one sendMail request) and a message with a large attachment (draft, upload session in chunks, send). Transport
 * level (no facade, a fixed token). {@code -Dbench.messages=2000 -Dbench.rounds=3 -Dbench.largeMessages=12
 * -Dbench.largeMb=8 -Dbench.delayMs=0} (the fake answers each request that much later, as a server across a network).
 */
public final class GraphThroughputBench {
    private GraphThroughputBench() {
    }

    public static void main(String[] args) throws Exception {
        int messages = Integer.getInteger("bench.messages", 2000);
        int rounds = Integer.getInteger("bench.rounds", 3);
        int largeMessages = Integer.getInteger("bench.largeMessages", 12);
        int largeMb = Integer.getInteger("bench.largeMb", 8);
        int delayMs = Integer.getInteger("bench.delayMs", 0);
        AccessTokens tokens = new AccessTokens() {
            @Override
            public AccessToken token(ResolvedAccount account) {
                return AccessToken.of("bench-token");
            }

            @Override
            public AccessToken refresh(ResolvedAccount account, AccessToken rejected) {
                return AccessToken.of("bench-token-2");
            }
        };
        TransportContext context = TransportContext.builder().timeouts(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(10))
                .accessTokens(tokens).build();
        System.out.printf(Locale.ROOT, "Graph transport against FakeGraphApi, %d rounds, fake delay %d ms per request, %d CPUs%n", rounds, delayMs,
                Runtime.getRuntime().availableProcessors());
        System.out.println("| message | mailboxes | threads | msg/s (rounds) | MB/s | p50 ms | p99 ms | most under way at once | most for one mailbox |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        int[][] setups = {{1, 1}, {1, 4}, {1, 8}, {4, 4}, {4, 16}};
        for (boolean large : new boolean[] {false, true}) {
            for (int[] setup : large ? new int[][] {{1, 1}, {1, 8}, {4, 16}} : setups) {
                try (FakeGraphApi graph = FakeGraphApi.start()) { // a fresh fake per setup: its high-water marks are this setup's
                    if (delayMs > 0) {
                        graph.delayEach(Duration.ofMillis(delayMs));
                    }
                    Transport transport = GraphTransportProvider.builder().graphUrl(graph.rootUrl()).build().open(context);
                    List<ResolvedAccount> accounts = new ArrayList<>();
                    for (int i = 0; i < setup[0]; i++) {
                        accounts.add(ResolvedAccount.of(Account.builder().id("graph-" + i).description("Graph " + i).email("app" + i + "@bench.test")
                                .sending(SendSettings.graph()).authentication(Authentication.microsoftApp("bench-dir", OAuthClientId.of("bench")))
                                .build(), null, Security.STARTTLS));
                    }
                    int n = large ? largeMessages : messages;
                    long bytesPerMessage = large ? (long) largeMb << 20 : 2048;
                    run(transport, accounts, Math.max(1, n / 10), setup[1], large, largeMb); // warm-up
                    List<double[]> results = new ArrayList<>();
                    for (int r = 0; r < (large ? 1 : rounds); r++) {
                        results.add(run(transport, accounts, n, setup[1], large, largeMb));
                    }
                    int most = graph.maxInFlight();
                    int mostPerMailbox = accounts.stream().mapToInt(a -> graph.maxInFlight(a.account().email().address())).max().orElse(0);
                    results.sort((a, b) -> Double.compare(a[0], b[0]));
                    double[] median = results.get(results.size() / 2);
                    System.out.printf(Locale.ROOT, "| %s | %d | %d | %.1f (%s) | %.1f | %.2f | %.2f | %d | %d |%n", large ? largeMb + " MiB attachment"
                            : "2 KB text", setup[0], setup[1], median[0], Arrays.toString(results.stream().mapToLong(x -> Math.round(x[0])).toArray()),
                            median[0] * bytesPerMessage / 1e6, median[1], median[2], most, mostPerMailbox);
                    transport.close();
                }
            }
        }
    }

    private static double[] run(Transport transport, List<ResolvedAccount> accounts, int messages, int threads, boolean large, int largeMb)
            throws Exception {
        String text = "Guten Tag,\r\n" + "die Rechnung 4711 liegt bei. ".repeat(60) + "\r\n";
        return Throughput.measure(messages, threads, i -> {
            ResolvedAccount a = accounts.get(i % accounts.size());
            String from = a.account().email().address();
            OutgoingMessage.Builder b = OutgoingMessage.builder("<" + i + "@bench.test>", EmailAddress.of(from),
                    List.of(EmailAddress.of("kunde@bench.test")));
            if (large) {
                b.content(attachmentMessage(i, from, (long) largeMb << 20));
            } else {
                b.content(("Message-ID: <" + i + "@bench.test>\r\nFrom: " + from + "\r\nTo: kunde@bench.test\r\nSubject: Rechnung " + i
                        + "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n" + text).getBytes(StandardCharsets.US_ASCII));
            }
            transport.send(a, b.build());
        });
    }

    /** A message with one attachment of {@code size} random bytes, written on the fly as Mailroom streams a file attachment. */
    private static OutgoingMessage.Content attachmentMessage(int i, String from, long size) {
        return out -> {
            out.write(("Message-ID: <" + i + "@bench.test>\r\nFrom: " + from + "\r\nTo: kunde@bench.test\r\nSubject: Bericht " + i
                    + "\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b4711\"\r\n\r\n--b4711\r\nContent-Type: text/plain; "
                    + "charset=us-ascii\r\n\r\nDer Bericht liegt bei.\r\n--b4711\r\nContent-Type: application/pdf; name=\"bericht.pdf\"\r\n"
                    + "Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"bericht.pdf\"\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            OutputStream keepOpen = new FilterOutputStream(out) {
                @Override
                public void write(byte[] bytes, int off, int len) throws IOException {
                    out.write(bytes, off, len);
                }

                @Override
                public void close() throws IOException {
                    flush();
                }
            };
            SplittableRandom random = new SplittableRandom(i);
            byte[] block = new byte[48 * 1024];
            try (OutputStream enc = Base64.getMimeEncoder().wrap(keepOpen)) {
                for (long left = size; left > 0; ) {
                    int n = (int) Math.min(block.length, left);
                    for (int k = 0; k < n; k += 8) {
                        long v = random.nextLong();
                        for (int j = 0; j < 8 && k + j < n; j++) {
                            block[k + j] = (byte) (v >>> (8 * j));
                        }
                    }
                    enc.write(block, 0, n);
                    left -= n;
                }
            }
            out.write("\r\n--b4711--\r\n".getBytes(StandardCharsets.US_ASCII));
        };
    }
}
