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

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The Graph transport's send (MIME, base64, one HTTP request per message) against the testkit's {@code FakeGraphApi} on
 * loopback, with 1 and 4 mailboxes and more threads than the per-mailbox cap of 4: the table shows the throughput and
 * the most requests the fake saw under way at once (at most 4 per mailbox when the cap holds). Transport level (no
 * facade, a fixed token). {@code -Dbench.messages=2000 -Dbench.rounds=3}.
 */
public final class GraphThroughputBench {
    private GraphThroughputBench() {
    }

    public static void main(String[] args) throws Exception {
        int messages = Integer.getInteger("bench.messages", 2000);
        int rounds = Integer.getInteger("bench.rounds", 3);
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
        TransportContext context = TransportContext.builder().timeouts(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5))
                .accessTokens(tokens).build();
        System.out.println("| mailboxes | threads | msg/s (rounds) | p50 ms | p99 ms | most under way at once |");
        System.out.println("|---:|---:|---:|---:|---:|---:|");
        for (int[] setup : new int[][] {{1, 1}, {1, 4}, {1, 8}, {4, 4}, {4, 16}}) {
            try (FakeGraphApi graph = FakeGraphApi.start()) { // a fresh fake per setup: its high-water mark is this setup's
                Transport transport = GraphTransportProvider.builder().graphUrl(graph.rootUrl()).build().open(context);
                List<ResolvedAccount> accounts = new ArrayList<>();
                for (int i = 0; i < setup[0]; i++) {
                    accounts.add(ResolvedAccount.of(Account.builder().id("graph-" + i).description("Graph " + i).email("app" + i + "@bench.test")
                            .sending(SendSettings.graph()).authentication(Authentication.microsoftApp("bench-dir", OAuthClientId.of("bench")))
                            .build(), null, Security.STARTTLS));
                }
                run(transport, accounts, messages / 10, setup[1]); // warm-up
                List<double[]> results = new ArrayList<>();
                for (int r = 0; r < rounds; r++) {
                    results.add(run(transport, accounts, messages, setup[1]));
                }
                int maxInFlight = graph.maxInFlight();
                results.sort((a, b) -> Double.compare(a[0], b[0]));
                double[] median = results.get(results.size() / 2);
                System.out.printf(Locale.ROOT, "| %d | %d | %.0f (%s) | %.2f | %.2f | %d |%n", setup[0], setup[1], median[0],
                        Arrays.toString(results.stream().mapToLong(x -> Math.round(x[0])).toArray()), median[1], median[2], maxInFlight);
                transport.close();
            }
        }
    }

    private static double[] run(Transport transport, List<ResolvedAccount> accounts, int messages, int threads) throws Exception {
        String text = "Guten Tag,\r\n" + "die Rechnung 4711 liegt bei. ".repeat(60) + "\r\n";
        return Throughput.measure(messages, threads, i -> {
            ResolvedAccount a = accounts.get(i % accounts.size());
            String from = a.account().email().address();
            byte[] mime = ("Message-ID: <" + i + "@bench.test>\r\nFrom: " + from + "\r\nTo: kunde@bench.test\r\nSubject: Rechnung " + i
                    + "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n" + text).getBytes(StandardCharsets.US_ASCII);
            transport.send(a, OutgoingMessage.builder("<" + i + "@bench.test>", EmailAddress.of(from), List.of(EmailAddress.of("kunde@bench.test")))
                    .content(mime).build());
        });
    }
}
