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
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Import of many small messages over IMAP: Mailroom's {@link Inbound#fetch} (UID listing, bodies in batches bounded by
 * RFC822.SIZE, pre-scan, parsing, in-memory state, a handler that only counts) against the naive loop many helpdesks
 * run ({@code folder.getMessage(i)} by sequence number, then {@code getInputStream()} per message, no FetchProfile).
 * Both in one JVM, side by side, alternating; heap after GC sampled five times during each import.
 *
 * <p>Two modes. Default: GreenMail in the same JVM, the messages delivered into its INBOX, both loops read that INBOX.
 * External (when {@code bench.host} is set, e.g. a private Dovecot from {@code bench/dovecot/run-dovecot.sh}): the
 * server's folder {@code bench.folder} must already hold {@code bench.messages} messages; before every run it is copied
 * server-side ({@code COPY}) into a fresh folder that the run reads and that is deleted afterwards, so each loop starts
 * on an untouched, never-read folder (the naive loop sets {@code \Seen}; Mailroom peeks and keeps the mail). Plain IMAP
 * without TLS: meant for a server on the loopback interface only.
 *
 * <p>Properties: {@code bench.messages} (10000), {@code bench.rounds} (2), {@code bench.naiveSample} (500 on GreenMail,
 * all messages on an external server): the naive loop reads only the first messages of the same full folder (on
 * GreenMail its cost per message does not fall with the position, so its rate over a sample of the full folder is its
 * rate for the whole; reading all 10,000 there takes many minutes). External mode: {@code bench.host},
 * {@code bench.port} (143), {@code bench.user}, {@code bench.password}, {@code bench.folder} (INBOX), and optionally
 * {@code bench.serverPid}, the server's master process id, to report the server's CPU time from {@code /proc} (the
 * master's own and reaped children's time plus that of its live children).
 */
public final class InboundImportBench {
    private static final String USER = "support@acme.test";
    private static final String PASSWORD = "bench-pw";
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private InboundImportBench() {
    }

    /** Where the bench reads from. */
    private record Target(String host, int port, String user, String password, String seedFolder, boolean freshCopies,
            long serverPid) {
    }

    /** One run: rate, CPU shares of the wall time, heap after GC samples. */
    private record Run(double rate, double threadCpu, double processCpu, double serverCpu, List<Long> heap) {
    }

    public static void main(String[] args) throws Exception {
        int messages = Integer.getInteger("bench.messages", 10_000);
        int rounds = Integer.getInteger("bench.rounds", 2);
        String host = System.getProperty("bench.host");
        if (host != null) {
            int naiveSample = Integer.getInteger("bench.naiveSample", messages);
            Target target = new Target(host, Integer.getInteger("bench.port", 143), require("bench.user"), require("bench.password"),
                    System.getProperty("bench.folder", "INBOX"), true, Long.getLong("bench.serverPid", -1));
            System.out.printf("external IMAP server %s:%d (plain IMAP, no TLS), folder %s copied afresh for each run%n", host,
                    target.port(), target.seedFolder());
            bench(target, messages, rounds, naiveSample);
            return;
        }
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
            bench(new Target(mail.host(), mail.imapPort(), USER, PASSWORD, "INBOX", false, -1), messages, rounds, naiveSample);
        } finally {
            mail.close();
        }
    }

    private static String require(String property) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("external mode (bench.host set) needs -D" + property);
        }
        return v;
    }

    private static void bench(Target target, int messages, int rounds, int naiveSample) throws Exception {
        ResolvedAccount account = ResolvedAccount.of(Account.builder().id("support").description("Support").email(target.user())
                .authentication(Authentication.password(target.user(), Secret.of(target.password())))
                .fetching(FetchSettings.imap(target.host(), target.port(), Security.NONE)).build(), null, Security.NONE);
        int sample = naiveSample == 0 ? 0 : Math.min(naiveSample, messages);
        List<Run> naive = new ArrayList<>();
        List<Run> ours = new ArrayList<>();
        if (target.freshCopies()) {
            warmUp(target, account, messages, Math.min(messages, Integer.getInteger("bench.warmUp", 500)));
        }
        for (int r = 1; r <= rounds; r++) {
            boolean naiveFirst = r % 2 == 1; // alternate, so neither loop always runs on the colder JVM or the busier moment
            Run ourRun = null;
            for (int leg = 0; leg < 2; leg++) {
                if ((leg == 0) == naiveFirst) {
                    if (sample > 0) {
                        String folder = prepare(target, messages, messages, "bench-naive-" + r);
                        try {
                            naive.add(naive(target, folder, messages, sample));
                        } finally {
                            cleanUp(target, folder);
                        }
                    }
                } else {
                    String folder = prepare(target, messages, messages, "bench-mailroom-" + r);
                    try {
                        ourRun = mailroom(target, account, folder, messages);
                        ours.add(ourRun);
                    } finally {
                        cleanUp(target, folder);
                    }
                }
            }
            System.out.printf("round %d (%s first): naive %s, Mailroom %s%n", r, naiveFirst ? "naive" : "Mailroom",
                    sample > 0 ? describe(naive.get(r - 1)) : "-", describe(ourRun));
        }
        String cpuHeader = target.serverPid() > 0 ? " server CPU |" : "";
        System.out.printf("%n| loop | msg/s (runs) | best | client-thread CPU | client-process CPU |%s%n|---|---|---:|---:|---:|%s%n", cpuHeader,
                target.serverPid() > 0 ? "---:|" : "");
        double bestNaive = Double.NaN;
        if (sample > 0) {
            bestNaive = row("naive getMessage(i) + getInputStream (" + (sample == messages ? "all " + messages : "first " + sample + " of the " + messages)
                    + ")", naive, target);
        }
        double bestOurs = row("Mailroom Inbound.fetch (batched UID FETCH, all " + messages + ")", ours, target);
        System.out.printf("ratio (best / best): %.1fx; ratio per round:", bestOurs / bestNaive);
        for (int r = 0; r < naive.size(); r++) {
            System.out.printf(" %.1fx", ours.get(r).rate() / naive.get(r).rate());
        }
        System.out.println();
        for (int r = 0; r < rounds; r++) {
            if (sample > 0) {
                System.out.printf("round %d heap after GC during the naive loop (MiB):%s%n", r + 1, heap(naive.get(r)));
            }
            System.out.printf("round %d heap after GC during Mailroom's import (MiB):%s%n", r + 1, heap(ours.get(r)));
        }
    }

    private static String describe(Run run) {
        return String.format("%.0f msg/s (thread CPU %.0f %%, process CPU %.0f %%%s)", run.rate(), run.threadCpu(), run.processCpu(),
                Double.isNaN(run.serverCpu()) ? "" : String.format(", server CPU %.1f %%", run.serverCpu()));
    }

    private static String heap(Run run) {
        StringBuilder b = new StringBuilder();
        for (long h : run.heap()) {
            b.append(String.format(" %.1f", h / 1048576.0));
        }
        return b.toString();
    }

    private static double row(String label, List<Run> runs, Target target) {
        StringBuilder rates = new StringBuilder();
        double best = 0;
        double thread = 0;
        double process = 0;
        double server = 0;
        for (Run run : runs) {
            rates.append(rates.length() == 0 ? "" : " / ").append(String.format("%.0f", run.rate()));
            best = Math.max(best, run.rate());
            thread += run.threadCpu() / runs.size();
            process += run.processCpu() / runs.size();
            server += run.serverCpu() / runs.size();
        }
        System.out.printf("| %s | %s | %.0f | %.0f %% | %.0f %% |%s%n", label, rates, best, thread, process,
                target.serverPid() > 0 ? String.format(" %.0f %% |", server) : "");
        return best;
    }

    private static Session session() {
        Properties p = new Properties();
        p.setProperty("mail.imap.connectiontimeout", "10000");
        p.setProperty("mail.imap.timeout", "120000");
        return Session.getInstance(p);
    }

    /** @return the folder the run reads: the seed folder itself, or a fresh server-side copy of it */
    private static String prepare(Target target, int expected, int count, String runFolder) throws Exception {
        if (!target.freshCopies()) {
            return target.seedFolder();
        }
        long t0 = System.nanoTime();
        Store store = session().getStore("imap");
        store.connect(target.host(), target.port(), target.user(), target.password());
        try {
            Folder seed = store.getFolder(target.seedFolder());
            seed.open(Folder.READ_ONLY);
            int n = seed.getMessageCount();
            if (n != expected) {
                throw new IllegalStateException("folder " + target.seedFolder() + " holds " + n + " messages, expected " + expected
                        + " (-Dbench.messages)");
            }
            Folder run = store.getFolder(runFolder);
            if (run.exists()) {
                run.delete(true);
            }
            if (!run.create(Folder.HOLDS_MESSAGES)) {
                throw new IllegalStateException("could not create " + runFolder);
            }
            seed.copyMessages(seed.getMessages(1, count), run);
            seed.close(false);
            run.open(Folder.READ_ONLY);
            if (run.getMessageCount() != count) {
                throw new IllegalStateException(runFolder + " holds " + run.getMessageCount() + " after the copy");
            }
            run.close(false);
        } finally {
            store.close();
        }
        System.out.printf("  copied %s to %s in %.1f s%n", target.seedFolder(), runFolder, (System.nanoTime() - t0) / 1e9);
        return runFolder;
    }

    /** Both loops once on a small copy, unmeasured: class loading and the first JIT work out of the measured runs. */
    private static void warmUp(Target target, ResolvedAccount account, int messages, int count) throws Exception {
        String folder = prepare(target, messages, count, "bench-warmup");
        try {
            naive(target, folder, count, count);
            mailroom(target, account, folder, count);
        } finally {
            cleanUp(target, folder);
        }
        System.out.printf("  warm-up: both loops once over %d messages (not measured)%n", count);
    }

    private static void cleanUp(Target target, String folder) throws Exception {
        if (!target.freshCopies()) {
            return;
        }
        Store store = session().getStore("imap");
        store.connect(target.host(), target.port(), target.user(), target.password());
        try {
            store.getFolder(folder).delete(true);
        } finally {
            store.close();
        }
    }

    private static Run naive(Target target, String folder, int expected, int sample) throws Exception {
        List<Long> heap = new ArrayList<>();
        int every = Math.max(1, sample / 5);
        long bytes = 0;
        double server0 = serverCpuSeconds(target);
        long thread0 = THREADS.getCurrentThreadCpuTime();
        long process0 = OS.getProcessCpuTime();
        long t0 = System.nanoTime();
        Store store = session().getStore("imap");
        store.connect(target.host(), target.port(), target.user(), target.password());
        try {
            Folder f = store.getFolder(folder);
            f.open(Folder.READ_WRITE);
            int n = f.getMessageCount();
            if (n != expected) {
                throw new IllegalStateException("naive loop saw " + n + " messages, expected " + expected);
            }
            for (int i = 1; i <= sample; i++) {
                Message m = f.getMessage(i); // by sequence number, as the naive helpdesks do
                try (InputStream in = m.getInputStream()) {
                    bytes += in.readAllBytes().length;
                }
                if (i % every == 0) {
                    System.gc();
                    heap.add(MEMORY.getHeapMemoryUsage().getUsed());
                }
            }
            f.close(false);
        } finally {
            store.close();
        }
        double s = (System.nanoTime() - t0) / 1e9;
        double thread = (THREADS.getCurrentThreadCpuTime() - thread0) / 1e9;
        double process = (OS.getProcessCpuTime() - process0) / 1e9;
        double server = serverCpuSeconds(target) - server0;
        if (bytes == 0) {
            throw new IllegalStateException("nothing read");
        }
        return new Run(sample / s, 100 * thread / s, 100 * process / s, 100 * server / s, heap);
    }

    private static Run mailroom(Target target, ResolvedAccount account, String folder, int expected) {
        List<Long> heap = new ArrayList<>();
        int[] count = {0};
        int every = Math.max(1, expected / 5);
        Inbound inbound = Inbound.builder(new InMemoryInboundState(), m -> {
            if (++count[0] % every == 0) {
                System.gc();
                heap.add(MEMORY.getHeapMemoryUsage().getUsed());
            }
            return dev.mailroom.inbound.InboundResult.stored();
        }).build();
        double server0 = serverCpuSeconds(target);
        long thread0 = THREADS.getCurrentThreadCpuTime();
        long process0 = OS.getProcessCpuTime();
        long t0 = System.nanoTime();
        FetchReport r = inbound.fetch(account, FetchOptions.builder().folder(folder).build());
        double s = (System.nanoTime() - t0) / 1e9;
        double thread = (THREADS.getCurrentThreadCpuTime() - thread0) / 1e9;
        double process = (OS.getProcessCpuTime() - process0) / 1e9;
        double server = serverCpuSeconds(target) - server0;
        if (r.imported() != expected) {
            throw new IllegalStateException("Mailroom imported " + r.imported() + ", expected " + expected + ": " + r);
        }
        return new Run(expected / s, 100 * thread / s, 100 * process / s, 100 * server / s, heap);
    }

    /**
     * CPU seconds of the server's master process, its reaped children (cutime, cstime) and its live children, from
     * {@code /proc}; NaN without a server pid. A child that exited but is not reaped yet is missed (rare, small).
     */
    private static double serverCpuSeconds(Target target) {
        if (target.serverPid() <= 0) {
            return Double.NaN;
        }
        long ticks = 0;
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : (Iterable<Path>) procs::iterator) {
                String name = proc.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                String stat;
                try {
                    stat = Files.readString(proc.resolve("stat"));
                } catch (IOException gone) {
                    continue;
                }
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" "); // f[0] is field 3 (state)
                long pid = Long.parseLong(name);
                long ppid = Long.parseLong(f[1]);
                if (pid == target.serverPid() || ppid == target.serverPid()) {
                    ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc for the server's CPU time", e);
        }
        return ticks / 100.0; // USER_HZ, 100 on Linux
    }
}
