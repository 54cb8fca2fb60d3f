package dev.mailroom.bench;

import org.subethamail.smtp.server.SMTPServer;

import java.net.InetAddress;
import java.util.concurrent.CountDownLatch;

/**
 * A discarding SMTP sink for a second JVM, used when Postfix's smtp-sink is not available.
 * Prints its port on the first line of standard output and runs until killed.
 */
public final class DiscardingSink {
    private DiscardingSink() {
    }

    public static void main(String[] args) throws Exception {
        SMTPServer server = SMTPServer.port(0).bindAddress(InetAddress.getByName("127.0.0.1")).maxConnections(256)
                .messageHandler((ctx, from, to, data) -> { }).build();
        server.start();
        System.out.println(server.getPortAllocated());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
