package dev.mailroom.inbound.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.util.Collections;
import java.util.Enumeration;
import java.util.concurrent.Callable;

/**
 * Runs Jakarta Mail parsing without a class-path scan per call. Jakarta Mail 2.1 looks its {@code StreamProvider} up
 * with a fresh {@link java.util.ServiceLoader} on the thread's context class loader for every {@code InternetHeaders}
 * and every {@code MimeUtility.decode} (an open upstream issue, jakartaee/mail-api#861): the scan reads the service
 * file of every jar on the class path and took about half of the importing thread's time. During a parse this class
 * sets the context class loader to one that answers that single service-file lookup from a copy read once from the
 * loader that loaded this module, and delegates everything else to it. The host's context class loader is restored
 * afterwards; the host's handler never runs under this loader.
 */
public final class MailProviders {
    private static final String SERVICE_FILE = "META-INF/services/jakarta.mail.util.StreamProvider";
    private static final ClassLoader LOADER = create();

    private MailProviders() {
    }

    /**
     * Runs a parse with the cached provider lookup.
     *
     * @param parse the parsing work; it must not call host code
     * @param <T> its result
     * @return what the parse returned
     * @throws Exception what the parse threw
     */
    public static <T> T parsing(Callable<T> parse) throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(LOADER);
        try {
            return parse.call();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static ClassLoader create() {
        ClassLoader parent = MailProviders.class.getClassLoader();
        byte[] services;
        try {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (URL url : Collections.list(parent.getResources(SERVICE_FILE))) {
                try (InputStream in = url.openStream()) {
                    all.write(in.readAllBytes());
                    all.write('\n');
                }
            }
            services = all.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + SERVICE_FILE, e);
        }
        if (services.length == 0) {
            return parent; // nothing to cache: the usual lookup (and its error) happens as without this class
        }
        URL cached;
        try {
            cached = new URL(null, "mailroom-cached:" + SERVICE_FILE, new URLStreamHandler() {
                @Override
                protected URLConnection openConnection(URL u) {
                    return new URLConnection(u) {
                        @Override
                        public void connect() {
                            connected = true;
                        }

                        @Override
                        public InputStream getInputStream() {
                            return new ByteArrayInputStream(services);
                        }
                    };
                }
            });
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        }
        return new CachingLoader(parent, cached);
    }

    /** Delegates everything to its parent except the one service file, answered from memory. */
    private static final class CachingLoader extends ClassLoader {
        static {
            registerAsParallelCapable();
        }

        private final URL cached;

        CachingLoader(ClassLoader parent, URL cached) {
            super("mailroom-mail-providers", parent);
            this.cached = cached;
        }

        @Override
        public Enumeration<URL> getResources(String name) throws IOException {
            return SERVICE_FILE.equals(name) ? Collections.enumeration(java.util.List.of(cached)) : super.getResources(name);
        }

        @Override
        public URL getResource(String name) {
            return SERVICE_FILE.equals(name) ? cached : super.getResource(name);
        }
    }
}
