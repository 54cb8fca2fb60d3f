package dev.mailroom.smtp.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/** Plain sockets with TCP_NODELAY: Angus never disables Nagle, which makes large messages crawl (~45 ms per send). */
final class NoDelaySocketFactory extends SocketFactory {
    static final NoDelaySocketFactory INSTANCE = new NoDelaySocketFactory();

    private static Socket tune(Socket s) throws IOException {
        s.setTcpNoDelay(true);
        Wire.created(s);
        return s;
    }

    @Override
    public Socket createSocket() throws IOException {
        return tune(new Socket());
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return tune(new Socket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return tune(new Socket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return tune(new Socket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return tune(new Socket(address, port, localAddress, localPort));
    }
}
