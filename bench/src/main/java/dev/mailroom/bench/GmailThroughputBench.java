package dev.mailroom.bench;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.mailroom.Account;
import dev.mailroom.AccountId;
import dev.mailroom.Authentication;
import dev.mailroom.ConsentLink;
import dev.mailroom.Email;
import dev.mailroom.MailContext;
import dev.mailroom.OAuthClientId;
import dev.mailroom.Security;
import dev.mailroom.SendSettings;
import dev.mailroom.core.InMemoryAccountRepository;
import dev.mailroom.core.Mailroom;
import dev.mailroom.gmail.GmailTransportProvider;
import dev.mailroom.testkit.FakeGmailApi;
import dev.mailroom.testkit.FakeGoogleAuthServer;
import dev.mailroom.testkit.TestCertificates;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Mailroom's send through the Gmail transport against the testkit's fake Gmail API, next to SMTP against GreenMail,
 * both in this JVM on loopback (the servers share the 2 cores with the client). Pacing is switched off for the
 * Gmail side: the bench measures the client's own cost (JSON, base64url, gzip, one HTTP request per message),
 * not Google's quota. {@code -Dbench.messages=2000 -Dbench.rounds=3 -Dbench.https=true} (HTTPS with the testkit's certificate).
 */
public final class GmailThroughputBench {
    private GmailThroughputBench() {
    }

    public static void main(String[] args) throws Exception {
        int messages = Integer.getInteger("bench.messages", 2000);
        int rounds = Integer.getInteger("bench.rounds", 3);
        String text = "Guten Tag,\r\n" + "die Rechnung 4711 liegt bei. ".repeat(60) + "\r\n"; // about 2 KB with headers
        boolean https = Boolean.getBoolean("bench.https");
        try (FakeGmailApi gmail = https ? FakeGmailApi.startHttps() : FakeGmailApi.start();
             FakeGoogleAuthServer google = FakeGoogleAuthServer.start().client("bench-client", "bench-secret")) {
            GreenMail green = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
            green.start();
            try {
                Mailroom viaGmail = gmail(gmail, google, https);
                Mailroom viaSmtp = smtp(green, google);
                System.out.println("| transport | threads | msg/s (rounds) | p50 ms | p99 ms |");
                System.out.println("|---|---:|---:|---:|---:|");
                for (int threads : new int[] {1, 4}) {
                    for (String name : List.of(https ? "Gmail API (FakeGmailApi, HTTPS)" : "Gmail API (FakeGmailApi)", "SMTP XOAUTH2 (GreenMail)")) {
                        Mailroom m = name.startsWith("Gmail") ? viaGmail : viaSmtp;
                        run(m, text, messages / 10, threads); // warm-up
                        List<double[]> results = new ArrayList<>();
                        for (int r = 0; r < rounds; r++) {
                            results.add(run(m, text, messages, threads));
                            gmail.reset();
                            green.purgeEmailFromAllMailboxes();
                        }
                        results.sort((a, b) -> Double.compare(a[0], b[0]));
                        double[] median = results.get(results.size() / 2);
                        System.out.printf(Locale.ROOT, "| %s | %d | %.0f (%s) | %.2f | %.2f |%n", name, threads, median[0],
                                Arrays.toString(results.stream().mapToLong(x -> Math.round(x[0])).toArray()), median[1], median[2]);
                    }
                }
                viaGmail.close();
                viaSmtp.close();
                System.out.println("token endpoint calls for both accounts and all sends: " + google.tokenCalls() + " (the two consents)");
            } finally {
                green.stop();
            }
        }
    }

    private static double[] run(Mailroom m, String text, int messages, int threads) throws Exception {
        return Throughput.measure(messages, threads,
                i -> m.send(MailContext.system(), Email.builder().to("kunde@bench.test").subject("Rechnung " + i).text(text).build()));
    }

    private static Mailroom gmail(FakeGmailApi gmail, FakeGoogleAuthServer google, boolean https) {
        InMemoryAccountRepository repo = new InMemoryAccountRepository();
        OAuthClientId client = OAuthClientId.of("bench-api");
        repo.save(Account.builder().id("gmail").description("Gmail").email("app@bench.test").systemAccount(true).sending(SendSettings.gmailApi())
                .authentication(Authentication.oauth2("app@bench.test", client)).build());
        Mailroom.Builder b = Mailroom.builder();
        if (https) {
            b.sslContext(TestCertificates.clientContext());
        }
        Mailroom m = b.accountRepository(repo).outboxWorkers(0)
                .transport(GmailTransportProvider.builder().rootUrl(gmail.rootUrl()).pacing(Integer.MAX_VALUE, Integer.MAX_VALUE).build())
                .connectTimeout(Duration.ofSeconds(5)).readTimeout(Duration.ofSeconds(5)).writeTimeout(Duration.ofSeconds(5)).build();
        connect(m, google, client, "gmail", "app@bench.test", List.of("https://www.googleapis.com/auth/gmail.send"));
        return m;
    }

    /** SMTP with XOAUTH2 through Mailroom's own token source; GreenMail takes the token as the mailbox's password. */
    private static Mailroom smtp(GreenMail green, FakeGoogleAuthServer google) {
        InMemoryAccountRepository repo = new InMemoryAccountRepository();
        OAuthClientId client = OAuthClientId.of("bench-smtp");
        repo.save(Account.builder().id("smtp").description("SMTP").email("smtp@bench.test").systemAccount(true)
                .smtp("127.0.0.1", green.getSmtp().getPort(), Security.NONE).authentication(Authentication.oauth2("smtp@bench.test", client)).build());
        Mailroom m = Mailroom.builder().accountRepository(repo).outboxWorkers(0)
                .connectTimeout(Duration.ofSeconds(5)).readTimeout(Duration.ofSeconds(5)).writeTimeout(Duration.ofSeconds(5)).build();
        connect(m, google, client, "smtp", "smtp@bench.test", List.of("https://mail.google.com/"));
        green.setUser("smtp@bench.test", "smtp@bench.test", google.issuedAccessTokens().get(google.issuedAccessTokens().size() - 1));
        return m;
    }

    /** Registers the client and completes a consent against the fake authorization server, as an administrator would. */
    static void connect(Mailroom m, FakeGoogleAuthServer google, OAuthClientId client, String account, String mailbox, List<String> scopes) {
        m.oauth().registerClient(TokenLookupBench.client(client, google, scopes));
        ConsentLink link = m.oauth().beginAuthorization(AccountId.of(account));
        List<String> granted = new ArrayList<>(scopes);
        granted.addAll(List.of("openid", "email"));
        FakeGoogleAuthServer.Approval approval = google.approve(link.url(), mailbox, granted);
        m.oauth().completeAuthorization(approval.state(), approval.code());
    }
}
