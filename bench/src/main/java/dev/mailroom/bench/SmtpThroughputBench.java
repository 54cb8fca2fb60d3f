package dev.mailroom.bench;

import dev.mailroom.Account;
import dev.mailroom.Authentication;
import dev.mailroom.Email;
import dev.mailroom.MailContext;
import dev.mailroom.Security;
import dev.mailroom.core.InMemoryAccountRepository;
import dev.mailroom.core.Mailroom;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.simplejavamail.api.mailer.Mailer;
import org.simplejavamail.api.mailer.config.TransportStrategy;
import org.simplejavamail.email.EmailBuilder;
import org.simplejavamail.mailer.MailerBuilder;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.SocketFactory;

/**
 * End-to-end SMTP throughput, all contenders side by side in one run, against a sink in another process
 * (Postfix's smtp-sink when {@code -Dbench.postfix=DIR} points at an extracted postfix package, else a
 * discarding SubEthaSMTP sink in a second JVM). Run with {@code bench/run.sh}; see bench/README.md.
 */
public final class SmtpThroughputBench {
    interface Sender {
        void send(int i) throws Exception;
    }

    record Result(String name, String size, int threads, int messages, double perSecond, double p50Millis, double p99Millis) {
    }

    private static final String FROM = "app@bench.test";
    private static final String TO = "sink@bench.test";

    private final String host = "127.0.0.1";
    private final int port;
    private final List<Result> results = new ArrayList<>();
    private final String postfix;

    private SmtpThroughputBench(int port, String postfix) {
        this.port = port;
        this.postfix = postfix;
    }

    /** The sink in another process: Postfix's smtp-sink when available, else a discarding SubEthaSMTP JVM. */
    record Sink(Process process, int port, boolean postfix) implements AutoCloseable {
        static Sink start(String postfixDir) throws Exception {
            if (postfixDir != null && Files.isExecutable(Path.of(postfixDir, "usr/sbin/smtp-sink"))) {
                int port = freePort();
                List<String> cmd = new ArrayList<>(List.of(Path.of(postfixDir, "usr/sbin/smtp-sink").toString()));
                if ("root".equals(System.getProperty("user.name"))) {
                    cmd.addAll(List.of("-u", "nobody"));
                }
                cmd.addAll(List.of("127.0.0.1:" + port, "1024"));
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
                pb.environment().put("LD_LIBRARY_PATH", Path.of(postfixDir, "usr/lib/postfix").toString());
                Process p = pb.start();
                awaitPort(port);
                return new Sink(p, port, true);
            }
            return java(false, 0);
        }

        /**
         * The SubEthaSMTP sink in a second JVM; counting, it keeps the Message-IDs it received ({@link #report()});
         * with a delay, it takes that long before it accepts each message.
         */
        static Sink java(boolean counting, long delayMs) throws Exception {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), DiscardingSink.class.getName()));
            cmd.add(counting ? "count" : "discard");
            cmd.add(Long.toString(delayMs));
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            int port = Integer.parseInt(line(p));
            return new Sink(p, port, false);
        }

        /** One line of the sink's output, read byte by byte (nothing buffered past it). */
        private static String line(Process p) throws java.io.IOException {
            StringBuilder line = new StringBuilder();
            for (int c; (c = p.getInputStream().read()) != '\n'; ) {
                if (c < 0) {
                    throw new java.io.EOFException("the sink ended");
                }
                line.append((char) c);
            }
            return line.toString().strip();
        }

        /**
         * Messages and distinct Message-IDs a counting sink received since the last report.
         *
         * @return {messages, distinct Message-IDs}
         */
        long[] report() throws java.io.IOException {
            process.getOutputStream().write("report\n".getBytes(StandardCharsets.US_ASCII));
            process.getOutputStream().flush();
            String[] parts = line(process).split(" ");
            return new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])};
        }

        @Override
        public void close() {
            process.destroy();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process.destroyForcibly();
        }
    }

    public static void main(String[] args) throws Exception {
        int small = Integer.getInteger("bench.small", 10_000);
        int large = Integer.getInteger("bench.large", 1_000);
        String postfix = System.getProperty("bench.postfix");
        try (Sink sink = Sink.start(postfix)) {
            int port = sink.port();
            SmtpThroughputBench b = new SmtpThroughputBench(port, sink.postfix() ? postfix : null);
            System.out.printf("sink: %s on 127.0.0.1:%d; %d x 2 KB, %d x 100 KB; %d cores; Java %s%n",
                    sink.postfix() ? "Postfix smtp-sink (separate process)" : "SubEthaSMTP discarding sink (separate JVM)", port, small, large,
                    Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
            int rounds = Integer.getInteger("bench.rounds", 3);
            for (int round = 1; round <= rounds; round++) {
                System.out.printf("round %d of %d%n", round, rounds);
                b.runAll("2 KB", body(2 * 1024), small);
                b.runAll("100 KB", body(100 * 1024), large);
            }
            b.print();
            if (b.sjmMailer != null) {
                b.sjmMailer.shutdownConnectionPool().get(10, TimeUnit.SECONDS);
            }
        }
        System.exit(0); // Simple Java Mail leaves non-daemon pool threads behind
    }

    private void runAll(String size, String body, int n) throws Exception {
        boolean small = size.startsWith("2");
        // Each contender builds a fresh message per send from the same content, as an application does.
        Session plain = session(false);
        run("Angus Transport.send (connection per message)", size, 1, small ? Math.min(n, 3000) : n, i -> Transport.send(angusMessage(plain, body, i)));
        run("Angus Transport.send (connection per message)", size, 4, small ? Math.min(n, 3000) : n, i -> Transport.send(angusMessage(plain, body, i)));

        for (boolean noDelay : new boolean[] {false, true}) {
            Session s = session(noDelay);
            Transport t = s.getTransport("smtp");
            t.connect();
            try {
                run("Angus, one raw connection reused" + (noDelay ? " + TCP_NODELAY" : ""), size, 1, n, i -> {
                    MimeMessage m = angusMessage(s, body, i);
                    t.sendMessage(m, m.getAllRecipients());
                });
            } finally {
                t.close();
            }
        }

        // Simple Java Mail's connection pool is global per server: one mailer, pool of 4, for both thread counts.
        for (int threads : new int[] {1, 4}) {
            run("Simple Java Mail 8.12.6 + batch-module pool", size, threads, n, i -> sjm().sendMail(EmailBuilder.startingBlank()
                    .from(FROM).to(TO).withSubject("bench " + i).withPlainText(body).buildEmail()).get());
        }

        for (int threads : new int[] {1, 4}) {
            InMemoryAccountRepository repo = new InMemoryAccountRepository();
            repo.save(Account.builder().id("bench").description("Bench").email(FROM).systemAccount(true)
                    .smtp(host, port, Security.NONE).authentication(Authentication.none()).build());
            try (Mailroom mailroom = Mailroom.builder().accountRepository(repo).maxConnectionsPerAccount(threads).build()) {
                run("Mailroom", size, threads, n, i -> mailroom.send(MailContext.system(),
                        Email.builder().to(TO).subject("bench " + i).text(body).build()));
            }
        }

        if (postfix != null) {
            for (int sessions : new int[] {1, 4}) {
                smtpSource(size, small ? 2048 : 100 * 1024, n, sessions);
            }
        }
    }

    private Mailer sjmMailer;

    private Mailer sjm() {
        if (sjmMailer == null) {
            sjmMailer = MailerBuilder.withSMTPServer(host, port).withTransportStrategy(TransportStrategy.SMTP)
                    .withConnectionPoolCoreSize(4).withConnectionPoolMaxSize(4).withThreadPoolSize(4)
                    .withSessionTimeout(30_000).buildMailer();
        }
        return sjmMailer;
    }

    private void smtpSource(String size, int length, int n, int sessions) throws Exception {
        List<String> cmd = List.of(Path.of(postfix, "usr/sbin/smtp-source").toString(), "-d", "-s", Integer.toString(sessions),
                "-l", Integer.toString(length), "-m", Integer.toString(n), "-f", FROM, "-t", TO, "127.0.0.1:" + port);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("LD_LIBRARY_PATH", Path.of(postfix, "usr/lib/postfix").toString());
        long t0 = System.nanoTime();
        int rc = pb.start().waitFor();
        double secs = (System.nanoTime() - t0) / 1e9;
        if (rc != 0) {
            throw new IllegalStateException("smtp-source failed with " + rc);
        }
        Result r = new Result("Postfix smtp-source (C reference, -d)", size, sessions, n, n / secs, Double.NaN, Double.NaN);
        results.add(r);
        report(r);
    }

    private void run(String name, String size, int threads, int n, Sender sender) throws Exception {
        String only = System.getProperty("bench.only");
        if (only != null && Arrays.stream(only.split(",")).noneMatch(name::contains)) {
            return;
        }
        int warmup = Math.max(50, n / 10);
        measure(threads, warmup, sender, new long[warmup]);
        long[] latencies = new long[n];
        long t0 = System.nanoTime();
        measure(threads, n, sender, latencies);
        double secs = (System.nanoTime() - t0) / 1e9;
        Arrays.sort(latencies);
        Result r = new Result(name, size, threads, n, n / secs, latencies[n / 2] / 1e6, latencies[(int) (n * 0.99)] / 1e6);
        results.add(r);
        report(r);
    }

    private static void measure(int threads, int n, Sender sender, long[] latencies) throws Exception {
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < n) {
                        long s = System.nanoTime();
                        sender.send(i);
                        latencies[i] = System.nanoTime() - s;
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(30, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void report(Result r) {
        System.out.printf(Locale.ROOT, "  %-50s %-6s threads=%d n=%-6d %9.0f msg/s  p50 %7.2f ms  p99 %7.2f ms%n",
                r.name(), r.size(), r.threads(), r.messages(), r.perSecond(), r.p50Millis(), r.p99Millis());
    }

    /** Median of the rounds, with the range, so that one noisy round on a shared 2-core machine does not decide. */
    private void print() {
        java.util.Map<String, List<Result>> byKey = new java.util.LinkedHashMap<>();
        for (Result r : results) {
            byKey.computeIfAbsent(r.name() + "|" + r.size() + "|" + r.threads(), k -> new ArrayList<>()).add(r);
        }
        java.util.Map<String, Double> medians = new java.util.HashMap<>();
        byKey.forEach((k, rs) -> medians.put(k, median(rs.stream().mapToDouble(Result::perSecond).toArray())));
        System.out.println();
        System.out.println("| contender | size | threads | msg/s (median of rounds) | range | p50 ms | p99 ms | Mailroom (same size, threads) is |");
        System.out.println("|---|---|---|---:|---:|---:|---:|---:|");
        byKey.forEach((k, rs) -> {
            Result r = rs.get(0);
            double med = medians.get(k);
            double min = rs.stream().mapToDouble(Result::perSecond).min().orElse(0);
            double max = rs.stream().mapToDouble(Result::perSecond).max().orElse(0);
            double p50 = median(rs.stream().mapToDouble(Result::p50Millis).toArray());
            double p99 = median(rs.stream().mapToDouble(Result::p99Millis).toArray());
            Double mr = medians.get("Mailroom|" + r.size() + "|" + r.threads());
            String ratio = mr == null || r.name().equals("Mailroom") ? "" : String.format(Locale.ROOT, "%.2f×", mr / med);
            System.out.printf(Locale.ROOT, "| %s | %s | %d | %.0f | %.0f–%.0f | %s | %s | %s |%n", r.name(), r.size(), r.threads(), med, min, max,
                    Double.isNaN(p50) ? "–" : String.format(Locale.ROOT, "%.2f", p50),
                    Double.isNaN(p99) ? "–" : String.format(Locale.ROOT, "%.2f", p99), ratio);
        });
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private Session session(boolean noDelay) {
        Properties p = new Properties();
        p.setProperty("mail.smtp.host", host);
        p.setProperty("mail.smtp.port", Integer.toString(port));
        p.setProperty("mail.smtp.connectiontimeout", "10000");
        p.setProperty("mail.smtp.timeout", "60000");
        if (noDelay) {
            p.put("mail.smtp.socketFactory", new NoDelay());
            p.setProperty("mail.smtp.socketFactory.fallback", "false");
        }
        return Session.getInstance(p);
    }

    static MimeMessage angusMessage(Session s, String body, int i) throws Exception {
        MimeMessage m = new MimeMessage(s);
        m.setFrom(new InternetAddress(FROM));
        m.setRecipient(Message.RecipientType.TO, new InternetAddress(TO));
        m.setSubject("bench " + i, "UTF-8");
        m.setText(body, "UTF-8");
        m.saveChanges();
        return m;
    }

    static String body(int bytes) {
        StringBuilder sb = new StringBuilder(bytes + 80);
        String line = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incid.\r\n";
        while (sb.length() < bytes) {
            sb.append(line);
        }
        sb.setLength(bytes);
        return sb.toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    private static void awaitPort(int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                if (s.isConnected()) {
                    return;
                }
            } catch (IOException e) {
                Thread.sleep(20); // polling a child process' port: no latch to wait on across processes
            }
        }
        throw new IllegalStateException("smtp-sink did not start on port " + port);
    }

    /** TCP_NODELAY for the raw-connection baseline, so it is compared without Nagle's delay. */
    static final class NoDelay extends SocketFactory {
        private static Socket tune(Socket s) throws IOException {
            s.setTcpNoDelay(true);
            return s;
        }

        @Override
        public Socket createSocket() throws IOException {
            return tune(new Socket());
        }

        @Override
        public Socket createSocket(String h, int p) throws IOException {
            return tune(new Socket(h, p));
        }

        @Override
        public Socket createSocket(String h, int p, InetAddress la, int lp) throws IOException {
            return tune(new Socket(h, p, la, lp));
        }

        @Override
        public Socket createSocket(InetAddress h, int p) throws IOException {
            return tune(new Socket(h, p));
        }

        @Override
        public Socket createSocket(InetAddress h, int p, InetAddress la, int lp) throws IOException {
            return tune(new Socket(h, p, la, lp));
        }
    }
}
