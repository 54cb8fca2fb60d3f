package dev.mailroom.bench;

import dev.mailroom.Account;
import dev.mailroom.Authentication;
import dev.mailroom.Email;
import dev.mailroom.MailContext;
import dev.mailroom.Security;
import dev.mailroom.core.InMemoryAccountRepository;
import dev.mailroom.core.Mailroom;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * SMTP across a network (issue #16): the sink's every reply reaches the client {@code -Dbench.latencyMs}
 * (default 5) after the sink sent it, through a delaying TCP proxy in front of the sink. Replies to pipelined
 * commands travel together, as on a real link. One thread, one connection each: Mailroom (PIPELINING, and
 * CHUNKING where the sink offers it) against one raw reused Angus connection, which waits for each reply.
 * The sinks: Postfix's smtp-sink (PIPELINING, no CHUNKING) with {@code -Dbench.postfix=DIR}, the SubEthaSMTP
 * sink (CHUNKING, no PIPELINING) in a second JVM, and the testkit's scripted server (both). Run with
 * {@code bench/run.sh latency}.
 */
public final class SmtpLatencyBench {
    private static final String FROM = "app@bench.test";
    private static final String TO = "sink@bench.test";

    private SmtpLatencyBench() {
    }

    public static void main(String[] args) throws Exception {
        long latencyMs = Long.getLong("bench.latencyMs", 5);
        int n = Integer.getInteger("bench.latencyMails", 400);
        int rounds = Integer.getInteger("bench.rounds", 3);
        String postfix = System.getProperty("bench.postfix");
        List<String[]> rows = new ArrayList<>();
        System.out.printf("every reply delayed by %d ms; %d messages of 2 KB per contender and round; %d cores; Java %s%n", latencyMs, n,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        List<SmtpThroughputBench.Sink> sinks = new ArrayList<>();
        if (postfix != null) {
            sinks.add(SmtpThroughputBench.Sink.start(postfix));
        }
        sinks.add(SmtpThroughputBench.Sink.java(false, 0));
        // The testkit's scripted server offers both PIPELINING and CHUNKING (in this JVM: the delay dominates, not its CPU).
        dev.mailroom.testkit.ScriptedSmtpServer both = dev.mailroom.testkit.ScriptedSmtpServer.builder()
                .advertise("PIPELINING", "CHUNKING").build().start();
        List<Object[]> targets = new ArrayList<>();
        sinks.forEach(sink -> targets.add(new Object[] {sink.postfix() ? "Postfix smtp-sink (PIPELINING)" : "SubEthaSMTP (CHUNKING)", sink.port()}));
        targets.add(new Object[] {"testkit ScriptedSmtpServer (PIPELINING, CHUNKING)", both.port()});
        try {
            for (Object[] target : targets) {
                String name = (String) target[0];
                try (DelayingProxy proxy = new DelayingProxy((Integer) target[1], latencyMs * 1_000_000)) {
                    double[] raw = new double[rounds];
                    double[] mailroom = new double[rounds];
                    for (int r = 0; r < rounds; r++) {
                        raw[r] = rawAngus(proxy.port(), n);
                        mailroom[r] = mailroom(proxy.port(), n);
                        System.out.printf(Locale.ROOT, "  %s round %d: raw Angus %.0f msg/s, Mailroom %.0f msg/s%n", name, r + 1, raw[r], mailroom[r]);
                    }
                    rows.add(new String[] {name, fmt(median(raw)), fmt(median(mailroom)),
                            String.format(Locale.ROOT, "%.2f×", median(mailroom) / median(raw))});
                }
            }
        } finally {
            sinks.forEach(SmtpThroughputBench.Sink::close);
            both.close();
        }
        System.out.println();
        System.out.println("| sink (reply delay " + latencyMs + " ms) | one raw reused Angus connection (msg/s) | Mailroom, one connection (msg/s) | Mailroom is |");
        System.out.println("|---|---:|---:|---:|");
        rows.forEach(r -> System.out.println("| " + String.join(" | ", r) + " |"));
        System.exit(0);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.0f", v);
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static double rawAngus(int port, int n) throws Exception {
        Properties p = new Properties();
        p.setProperty("mail.smtp.host", "127.0.0.1");
        p.setProperty("mail.smtp.port", Integer.toString(port));
        p.setProperty("mail.smtp.connectiontimeout", "10000");
        p.setProperty("mail.smtp.timeout", "60000");
        p.put("mail.smtp.socketFactory", new SmtpThroughputBench.NoDelay());
        p.setProperty("mail.smtp.socketFactory.fallback", "false");
        Session s = Session.getInstance(p);
        Transport t = s.getTransport("smtp");
        t.connect();
        try {
            String body = body();
            for (int i = 0; i < n / 10; i++) {
                send(t, s, body, i);
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                send(t, s, body, i);
            }
            return n / ((System.nanoTime() - t0) / 1e9);
        } finally {
            t.close();
        }
    }

    private static void send(Transport t, Session s, String body, int i) throws Exception {
        MimeMessage m = SmtpThroughputBench.angusMessage(s, body, i);
        t.sendMessage(m, m.getAllRecipients());
    }

    private static double mailroom(int port, int n) {
        InMemoryAccountRepository repo = new InMemoryAccountRepository();
        repo.save(Account.builder().id("bench").description("Bench").email(FROM).systemAccount(true)
                .smtp("127.0.0.1", port, Security.NONE).authentication(Authentication.none()).build());
        try (Mailroom mailroom = Mailroom.builder().accountRepository(repo).maxConnectionsPerAccount(1).build()) {
            String body = body();
            for (int i = 0; i < n / 10; i++) {
                mailroom.send(MailContext.system(), Email.builder().to(TO).subject("bench " + i).text(body).build());
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                mailroom.send(MailContext.system(), Email.builder().to(TO).subject("bench " + i).text(body).build());
            }
            return n / ((System.nanoTime() - t0) / 1e9);
        }
    }

    private static String body() {
        return SmtpThroughputBench.body(2048);
    }

    /**
     * A TCP proxy on a free loopback port in front of the sink: what the client sends passes at once; what the
     * sink sends reaches the client {@code delayNanos} after it arrived, in order (a link with that one-way delay).
     */
    static final class DelayingProxy implements AutoCloseable {
        private final ServerSocket server;
        private final List<Socket> sockets = new ArrayList<>();

        DelayingProxy(int target, long delayNanos) throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket client = server.accept();
                        Socket sink = new Socket("127.0.0.1", target);
                        client.setTcpNoDelay(true);
                        sink.setTcpNoDelay(true);
                        synchronized (sockets) {
                            sockets.add(client);
                            sockets.add(sink);
                        }
                        pump(client.getInputStream(), sink.getOutputStream(), 0);
                        pump(sink.getInputStream(), client.getOutputStream(), delayNanos);
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "delaying-proxy");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private record Chunk(long due, byte[] bytes) {
        }

        private static void pump(InputStream in, OutputStream out, long delayNanos) {
            if (delayNanos == 0) { // no delay this way: copy in one thread, no hand-over
                Thread copy = new Thread(() -> {
                    try (out) {
                        in.transferTo(out);
                    } catch (IOException e) {
                        // the connection ended
                    }
                }, "proxy-copy");
                copy.setDaemon(true);
                copy.start();
                return;
            }
            LinkedBlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
            Thread reader = new Thread(() -> {
                byte[] buf = new byte[64 * 1024];
                try {
                    for (int r; (r = in.read(buf)) > 0; ) {
                        queue.put(new Chunk(System.nanoTime() + delayNanos, Arrays.copyOf(buf, r)));
                    }
                } catch (IOException | InterruptedException e) {
                    // the connection ended
                }
                queue.add(new Chunk(0, null));
            }, "proxy-read");
            Thread writer = new Thread(() -> {
                try {
                    while (true) {
                        Chunk c = queue.take();
                        if (c.bytes() == null) {
                            out.close();
                            return;
                        }
                        long wait;
                        while ((wait = c.due() - System.nanoTime()) > 0) {
                            LockSupport.parkNanos(wait); // the link's delay: nothing to wait on but time
                        }
                        out.write(c.bytes());
                        out.flush();
                    }
                } catch (IOException | InterruptedException e) {
                    // the connection ended
                }
            }, "proxy-write");
            reader.setDaemon(true);
            writer.setDaemon(true);
            reader.start();
            writer.start();
        }

        @Override
        public void close() throws IOException {
            server.close();
            synchronized (sockets) {
                for (Socket s : sockets) {
                    s.close();
                }
            }
        }
    }
}
