package dev.mailroom.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Far ends that do not answer, for tests of finite timeouts: a loopback server (port 0) that accepts connections and
 * never sends a byte, and {@link #closedPort()}, a loopback port nothing listens on.
 *
 * <pre>{@code
 * try (SilentServer silent = SilentServer.start()) {
 *     URI root = URI.create("https://127.0.0.1:" + silent.port() + "/"); // the TLS handshake never completes
 *     ...
 * }
 * }</pre>
 */
public final class SilentServer implements AutoCloseable {
    private final ServerSocket socket;
    private final List<Socket> held = new CopyOnWriteArrayList<>();

    private SilentServer() {
        try {
            socket = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException("the silent server cannot listen on loopback", e);
        }
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    held.add(socket.accept()); // takes the connection, never answers
                }
            } catch (IOException e) {
                // closed
            }
        }, "mailroom-silent-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** @return a started server; close it after the test */
    public static SilentServer start() {
        return new SilentServer();
    }

    /** @return the loopback port it listens on */
    public int port() {
        return socket.getLocalPort();
    }

    /** @return a loopback port nothing listens on (bound, then released) */
    public static int closedPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
            for (Socket s : held) {
                s.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
