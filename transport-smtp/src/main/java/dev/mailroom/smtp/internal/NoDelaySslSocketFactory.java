package dev.mailroom.smtp.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import javax.net.ssl.SSLSocketFactory;

/**
 * TLS sockets from a configured context with TCP_NODELAY. Used for implicit TLS and for the STARTTLS
 * upgrade; Angus still checks the server's identity (endpoint identification with SNI).
 *
 * <p>With a verification name, TLS is layered over the TCP connection to the connect host with that name
 * as its peer host, so SNI and the JDK's endpoint identification check the certificate against it (the
 * connect host is not accepted instead). Angus layers TLS over a plain socket for implicit TLS too when
 * the factory is an {@link SSLSocketFactory}; the unconnected {@link #createSocket()} is therefore plain.
 */
final class NoDelaySslSocketFactory extends SSLSocketFactory {
    private final SSLSocketFactory delegate;
    private final String serverName;

    /**
     * @param delegate the context's factory
     * @param serverName the name the certificate must carry instead of the connect host, or {@code null}
     */
    NoDelaySslSocketFactory(SSLSocketFactory delegate, String serverName) {
        this.delegate = delegate;
        this.serverName = serverName;
    }

    private static Socket tune(Socket s) throws IOException {
        s.setTcpNoDelay(true);
        Wire.created(s);
        return s;
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return delegate.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return delegate.getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket() throws IOException {
        if (serverName != null) {
            // An unconnected TLS socket would take the connect host as its peer; Angus does not use this with a name.
            throw new SocketException("TLS with a verification name is layered over a connected socket only");
        }
        return tune(delegate.createSocket());
    }

    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
        s.setTcpNoDelay(true);
        Socket tls = delegate.createSocket(s, serverName != null ? serverName : host, port, autoClose);
        Wire.created(tls); // layered over Angus' write-timeout socket: what the SMTP connection writes to after STARTTLS
        return tls;
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return serverName != null ? layered(new Socket(host, port), host, port) : tune(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return serverName != null ? layered(new Socket(host, port, localHost, localPort), host, port)
                : tune(delegate.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return serverName != null ? layered(new Socket(host, port), host.getHostAddress(), port) : tune(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return serverName != null ? layered(new Socket(address, port, localAddress, localPort), address.getHostAddress(), port)
                : tune(delegate.createSocket(address, port, localAddress, localPort));
    }

    /** TLS over a connected plain socket, with the verification name as the peer. */
    private Socket layered(Socket plain, String host, int port) throws IOException {
        try {
            return createSocket(plain, host, port, true);
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }
}
