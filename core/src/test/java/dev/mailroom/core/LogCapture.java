package dev.mailroom.core;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Captures what slf4j-simple writes (it writes to the current {@code System.err} on every event) while it is open;
 * the test resources set Mailroom's loggers to DEBUG. Also passes everything on to the original stream.
 */
final class LogCapture implements AutoCloseable {
    private final PrintStream original = System.err;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    private LogCapture() {
        OutputStream tee = new OutputStream() {
            @Override
            public synchronized void write(int b) {
                captured.write(b);
                original.write(b);
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) {
                captured.write(b, off, len);
                original.write(b, off, len);
            }
        };
        System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
    }

    static LogCapture start() {
        return new LogCapture();
    }

    /** @return everything captured so far */
    synchronized String text() {
        return captured.toString(StandardCharsets.UTF_8);
    }

    List<String> lines() {
        return Arrays.asList(text().split("\\R"));
    }

    @Override
    public void close() {
        System.setErr(original);
    }
}
