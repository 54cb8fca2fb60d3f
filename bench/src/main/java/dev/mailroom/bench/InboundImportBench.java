package dev.mailroom.bench;

import dev.mailroom.Account;
import dev.mailroom.Authentication;
import dev.mailroom.FetchSettings;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Secret;
import dev.mailroom.Security;
import dev.mailroom.inbound.FetchOptions;
import dev.mailroom.inbound.FetchReport;
import dev.mailroom.inbound.InMemoryInboundState;
import dev.mailroom.inbound.Inbound;
import dev.mailroom.testkit.MailServerExtension;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.MimeMessage;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Import of many small messages from GreenMail over IMAP: Mailroom's {@link Inbound#fetch} (UID listing, bodies in
 * batches bounded by RFC822.SIZE, pre-scan, parsing, in-memory state, a handler that only counts) against the naive
 * loop many helpdesks run ({@code folder.getMessage(i)} by sequence number, then {@code getInputStream()} per message,
 * no FetchProfile). Both in one JVM, side by side, alternating; heap after GC sampled during Mailroom's import.
 *
 * <p>Properties: {@code bench.messages} (10000), {@code bench.rounds} (2), {@code bench.naiveSample} (500): the naive
 * loop reads only the first messages of the same full folder (its cost per message does not fall with the position, so
 * its rate over a sample of the full folder is its rate for the whole; reading all 10,000 takes many minutes).
 */
public final class InboundImportBench {
    private static final String USER = "support@acme.test";
    private static final String PASSWORD = "bench-pw";

    private InboundImportBench() {
    }

    public static void main(String[] args) throws Exception {
        int messages = Integer.getInteger("bench.messages", 10_000);
        int rounds = Integer.getInteger("bench.rounds", 2);
        int naiveSample = Integer.getInteger("bench.naiveSample", 500);
        MailServerExtension mail = MailServerExtension.builder().user(USER, PASSWORD).build().start();
        try {
            long t0 = System.nanoTime();
            Session session = Session.getInstance(new Properties());
            for (int i = 0; i < messages; i++) {
                String raw = "From: Kunde " + i + " <kunde" + i + "@example.test>\r\nTo: support@acme.test\r\nSubject: Anfrage " + i
                        + "\r\nMessage-ID: <bench-" + i + "@example.test>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
                        + "Content-Type: text/plain; charset=UTF-8\r\n\r\nGuten Tag, der Drucker " + i + " druckt nicht. "
                        + "x".repeat(400) + "\r\n";
                mail.greenMail().getUserManager().getUser(USER)
                        .deliver(new MimeMessage(session, new ByteArrayInputStream(raw.getBytes(StandardCharsets.UTF_8))));
            }
            System.out.printf("delivered %d messages into GreenMail in %.1f s%n", messages, (System.nanoTime() - t0) / 1e9);
            ResolvedAccount account = ResolvedAccount.of(Account.builder().id("support").description("Support").email(USER)
                    .authentication(Authentication.password(USER, Secret.of(PASSWORD)))
                    .fetching(FetchSettings.imap(mail.host(), mail.imapPort(), Security.NONE)).build(), null, Security.NONE);
            List<double[]> naive = new ArrayList<>();
            List<double[]> ours = new ArrayList<>();
            List<Long> heap = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                naive.add(naiveSample == 0 ? new double[] {Double.NaN, Double.NaN} : naive(mail, messages, Math.min(naiveSample, messages)));
                ours.add(mailroom(account, messages, r == rounds - 1 ? heap : new ArrayList<>()));
                System.out.printf("round %d: naive %.0f msg/s (%.0f %% client-thread CPU), Mailroom %.0f msg/s (%.0f %% client-thread CPU)%n",
                        r + 1, naive.get(r)[0], naive.get(r)[1], ours.get(r)[0], ours.get(r)[1]);
            }
            double bestNaive = naive.stream().mapToDouble(a -> a[0]).max().orElse(0);
            double bestOurs = ours.stream().mapToDouble(a -> a[0]).max().orElse(0);
            System.out.printf("%n| loop | msg/s (best of %d) | client-thread CPU |%n|---|---:|---:|%n", rounds);
            System.out.printf("| naive getMessage(i) + getInputStream (first %d of the %d) | %.0f | %.0f %% |%n", Math.min(naiveSample, messages),
                    messages, bestNaive, naive.get(rounds - 1)[1]);
            System.out.printf("| Mailroom Inbound.fetch (batched UID FETCH) | %.0f | %.0f %% |%n", bestOurs, ours.get(rounds - 1)[1]);
            System.out.printf("ratio: %.1fx%n", bestOurs / bestNaive);
            System.out.print("heap used after GC during the last Mailroom import (MiB), every " + messages / 5 + " messages:");
            for (long h : heap) {
                System.out.printf(" %.1f", h / 1048576.0);
            }
            System.out.println();
        } finally {
            mail.close();
        }
    }

    /** @return {msg/s, client-thread CPU %} */
    private static double[] naive(MailServerExtension mail, int expected, int sample) throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Properties p = new Properties();
        p.setProperty("mail.imap.connectiontimeout", "10000");
        p.setProperty("mail.imap.timeout", "60000");
        long cpu0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        long bytes = 0;
        Store store = Session.getInstance(p).getStore("imap");
        store.connect(mail.host(), mail.imapPort(), USER, PASSWORD);
        try {
            Folder f = store.getFolder("INBOX");
            f.open(Folder.READ_WRITE);
            int n = f.getMessageCount();
            for (int i = 1; i <= sample; i++) {
                Message m = f.getMessage(i); // by sequence number, as the naive helpdesks do
                try (InputStream in = m.getInputStream()) {
                    bytes += in.readAllBytes().length;
                }
            }
            if (n != expected) {
                throw new IllegalStateException("naive loop saw " + n + " messages, expected " + expected);
            }
            f.close(false);
        } finally {
            store.close();
        }
        double s = (System.nanoTime() - t0) / 1e9;
        if (bytes == 0) {
            throw new IllegalStateException("nothing read");
        }
        return new double[] {sample / s, 100.0 * (threads.getCurrentThreadCpuTime() - cpu0) / 1e9 / s};
    }

    private static double[] mailroom(ResolvedAccount account, int expected, List<Long> heap) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        int[] count = {0};
        int every = Math.max(1, expected / 5);
        Inbound inbound = Inbound.builder(new InMemoryInboundState(), m -> {
            if (++count[0] % every == 0) {
                System.gc();
                heap.add(memory.getHeapMemoryUsage().getUsed());
            }
            return dev.mailroom.inbound.InboundResult.stored();
        }).build();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        FetchReport r = inbound.fetch(account, FetchOptions.defaults());
        double s = (System.nanoTime() - t0) / 1e9;
        if (r.imported() != expected) {
            throw new IllegalStateException("Mailroom imported " + r.imported() + ", expected " + expected + ": " + r);
        }
        return new double[] {expected / s, 100.0 * (threads.getCurrentThreadCpuTime() - cpu0) / 1e9 / s};
    }
}
