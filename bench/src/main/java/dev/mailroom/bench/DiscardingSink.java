package dev.mailroom.bench;

import org.subethamail.smtp.server.SMTPServer;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An SMTP sink for a second JVM, used when Postfix's smtp-sink is not available, and by the outbox bench
 * to count Message-IDs at the receiving end. Prints its port on the first line of standard output. With
 * the argument {@code count} it keeps every received Message-ID; each line {@code report} on standard
 * input answers {@code <messages> <distinct Message-IDs>} and starts counting afresh. With a second
 * argument {@code <n>}, it takes n milliseconds before it accepts each message (a server across a network
 * that writes the message to its queue before answering). Runs until standard input closes or it is killed.
 */
public final class DiscardingSink {
    private DiscardingSink() {
    }

    public static void main(String[] args) throws Exception {
        boolean count = args.length > 0 && args[0].equals("count");
        long delayMs = args.length > 1 ? Long.parseLong(args[1]) : 0;
        AtomicLong messages = new AtomicLong();
        ConcurrentHashMap<String, Boolean> ids = new ConcurrentHashMap<>();
        SMTPServer server = SMTPServer.port(0).bindAddress(InetAddress.getByName("127.0.0.1")).maxConnections(256)
                .messageHandler((ctx, from, to, data) -> {
                    if (delayMs > 0) {
                        try {
                            Thread.sleep(delayMs); // the server's time to store the message before its 250
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    if (count) {
                        messages.incrementAndGet();
                        ids.put(messageId(data), Boolean.TRUE);
                    }
                }).build();
        server.start();
        System.out.println(server.getPortAllocated());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.strip().equals("report")) {
                synchronized (ids) {
                    System.out.println(messages.getAndSet(0) + " " + ids.size());
                    ids.clear();
                }
                System.out.flush();
            }
        }
        server.stop();
    }

    /** The Message-ID header's value (unfolded headers only: Mailroom writes it on one line). */
    private static String messageId(byte[] data) {
        String head = new String(data, 0, Math.min(data.length, 16 * 1024), StandardCharsets.ISO_8859_1);
        for (String line : head.split("\r\n")) {
            if (line.isEmpty()) {
                break;
            }
            if (line.toLowerCase(Locale.ROOT).startsWith("message-id:")) {
                return line.substring("message-id:".length()).strip();
            }
        }
        return "(none)";
    }
}
