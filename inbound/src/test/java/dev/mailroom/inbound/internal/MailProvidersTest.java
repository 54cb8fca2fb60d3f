package dev.mailroom.inbound.internal;

import jakarta.mail.internet.InternetHeaders;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Enumeration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

final class MailProvidersTest {
    private static final String SERVICE_FILE = "META-INF/services/jakarta.mail.util.StreamProvider";

    /** Counts how often Jakarta Mail scans the class path for its stream provider through the host's loader. */
    private static final class CountingLoader extends ClassLoader {
        final AtomicInteger scans = new AtomicInteger();

        CountingLoader(ClassLoader parent) {
            super(parent);
        }

        @Override
        public Enumeration<URL> getResources(String name) throws IOException {
            if (SERVICE_FILE.equals(name)) {
                scans.incrementAndGet();
            }
            return super.getResources(name);
        }
    }

    @Test
    @DisplayName("F1 import speed: parsing looks Jakarta Mail's stream provider up from memory, not by a class-path scan per header block;"
            + " the host's context class loader is back afterwards")
    void parsingSkipsTheScan() throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader original = thread.getContextClassLoader();
        CountingLoader host = new CountingLoader(original);
        thread.setContextClassLoader(host);
        try {
            byte[] mail = "Subject: Hallo\r\nFrom: a@example.test\r\n\r\nText\r\n".getBytes(StandardCharsets.US_ASCII);
            new InternetHeaders(new ByteArrayInputStream(mail));
            int perParse = host.scans.get();
            assertTrue(perParse >= 1, "without the cache, each header block scans the class path");
            for (int i = 0; i < 20; i++) {
                String subject = MailProviders.parsing(() -> new InternetHeaders(new ByteArrayInputStream(mail)).getHeader("Subject", null));
                assertEquals("Hallo", subject);
            }
            assertEquals(perParse, host.scans.get(), "no scan while parsing through MailProviders");
            assertSame(host, thread.getContextClassLoader());
        } finally {
            thread.setContextClassLoader(original);
        }
    }
}
