package dev.mailroom.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Self-signed test certificates (EC P-256, valid until 2125) shipped in the testkit: one for
 * {@code localhost}/{@code 127.0.0.1}, one for {@code mail.wrong-name.example} to provoke a name
 * mismatch. {@link #clientContext()} trusts both, so a mismatch test fails on the name, not on trust;
 * the JVM's default trust store trusts neither, which provokes "untrusted".
 */
public final class TestCertificates {
    private static final char[] PASSWORD = "changeit".toCharArray();

    private TestCertificates() {
    }

    /** @return a server context presenting the {@code localhost} certificate */
    public static SSLContext localhostServerContext() {
        return serverContext("localhost.p12");
    }

    /** @return a server context presenting a certificate for {@code mail.wrong-name.example} */
    public static SSLContext wrongNameServerContext() {
        return serverContext("wrong-name.p12");
    }

    /** @return a client context that trusts both test certificates (and nothing else) */
    public static SSLContext clientContext() {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            for (String name : new String[] {"localhost.p12", "wrong-name.p12"}) {
                KeyStore ks = load(name);
                String alias = ks.aliases().nextElement();
                Certificate cert = ks.getCertificate(alias);
                trust.setCertificateEntry(name, cert);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build the test trust store", e);
        }
    }

    private static SSLContext serverContext(String resource) {
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(load(resource), PASSWORD);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot load test certificate " + resource, e);
        }
    }

    private static KeyStore load(String resource) throws GeneralSecurityException, IOException {
        try (InputStream in = TestCertificates.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("missing resource " + resource);
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, PASSWORD);
            return ks;
        }
    }
}
