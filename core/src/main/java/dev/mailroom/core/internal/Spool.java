package dev.mailroom.core.internal;

import dev.mailroom.spi.Payload;

import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A rendered message on its way into or out of the outbox: in memory up to a threshold, then in a
 * temporary file (created readable by its owner only), which {@link #close()} deletes. Writing stops with
 * {@link TooLargeException} as soon as the bytes pass the limit, so an oversized message is never spooled
 * whole. A spool is a {@link Payload}: the outbox copies it as a stream, and the outbox workers read a
 * stored message back into one and hand its bytes to the transport with {@link #writeTo}, so that a
 * 50 MB message is never held in the heap (ADR 009, ADR 014). Not thread-safe; used by one thread at a time.
 */
public final class Spool implements Payload, AutoCloseable {
    /** Bytes kept in memory before the spool moves to a file. */
    public static final int MEMORY_THRESHOLD = 256 * 1024;

    private final int threshold;
    private final long limit;
    private byte[] memory = new byte[1024];
    private long size;
    private Path file;
    private OutputStream fileOut;
    private boolean finished;
    private boolean exceeded;
    private boolean closed;

    /**
     * @param threshold bytes kept in memory before moving to a file
     * @param limit the most bytes accepted; writing more throws {@link TooLargeException}
     */
    public Spool(int threshold, long limit) {
        if (threshold < 0 || limit < 0) {
            throw new IllegalArgumentException("threshold and limit must not be negative");
        }
        this.threshold = threshold;
        this.limit = limit;
    }

    /**
     * Copies a stream into a new spool (no limit) and closes the stream.
     *
     * @param in the bytes
     * @param threshold bytes kept in memory before moving to a file
     * @return the spool, finished
     * @throws UncheckedIOException if reading or spooling fails; nothing is left behind then
     */
    public static Spool copyOf(InputStream in, int threshold) {
        Spool spool = new Spool(threshold, Long.MAX_VALUE);
        try (InputStream source = in; OutputStream out = spool.output()) {
            source.transferTo(out);
        } catch (IOException | RuntimeException e) {
            spool.close();
            throw e instanceof IOException io ? new UncheckedIOException("cannot read the stored message: " + e.getMessage(), io)
                    : (RuntimeException) e;
        }
        return spool;
    }

    /** Writing more than the spool's limit. */
    public static final class TooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        TooLargeException(long limit) {
            super("more than " + limit + " bytes");
        }
    }

    /**
     * Where to write the bytes; closing it finishes the spool (flushes the file).
     *
     * @return the stream
     */
    public OutputStream output() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                append(b, off, len);
            }

            @Override
            public void flush() throws IOException {
                if (fileOut != null) {
                    fileOut.flush();
                }
            }

            @Override
            public void close() throws IOException {
                finish();
            }
        };
    }

    private void append(byte[] b, int off, int len) throws IOException {
        if (finished || closed) {
            throw new IOException("the spool is closed for writing");
        }
        if (len > limit - size) {
            exceeded = true;
            throw new TooLargeException(limit);
        }
        if (file == null && size + len <= threshold) {
            if (size + len > memory.length) {
                memory = Arrays.copyOf(memory, (int) Math.min(threshold, Math.max(memory.length * 2L, size + len)));
            }
            System.arraycopy(b, off, memory, (int) size, len);
        } else {
            if (file == null) {
                file = Files.createTempFile("mailroom-spool-", ".eml"); // rw------- on POSIX file systems
                fileOut = new BufferedOutputStream(Files.newOutputStream(file), 64 * 1024);
                fileOut.write(memory, 0, (int) size);
                memory = null;
            }
            fileOut.write(b, off, len);
        }
        size += len;
    }

    private void finish() throws IOException {
        if (finished) {
            return;
        }
        finished = true;
        if (fileOut != null) {
            fileOut.close();
        }
    }

    /** @return whether writing stopped at the limit */
    public boolean exceeded() {
        return exceeded;
    }

    /** @return whether the bytes are in a file rather than in memory */
    public boolean onDisk() {
        return file != null;
    }

    /** @return the temporary file, or null while in memory (for tests) */
    Path file() {
        return file;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public InputStream open() throws IOException {
        checkReadable();
        return file == null ? new ByteArrayInputStream(memory, 0, (int) size) : Files.newInputStream(file);
    }

    /**
     * Writes the spooled bytes as they are: from memory, or streamed from the file (never whole in the
     * heap). May be called any number of times until the spool is closed; it is the content of the
     * {@code OutgoingMessage} a queued message is sent as (ADR 014).
     *
     * @param out where to write; not closed
     * @throws IOException if the spool is closed or the file cannot be read
     */
    public void writeTo(OutputStream out) throws IOException {
        checkReadable();
        if (file == null) {
            out.write(memory, 0, (int) size);
            return;
        }
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
            }
        }
    }

    private void checkReadable() throws IOException {
        if (closed || !finished) {
            throw new IOException(closed ? "the spool is closed" : "the spool is still being written");
        }
    }

    /** Releases the memory, closes the file and deletes it. Never throws; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        memory = null;
        if (fileOut != null) {
            closeQuietly(fileOut::close);
        }
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                file.toFile().deleteOnExit();
            }
        }
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // deleting the file is what matters
        }
    }

    @Override
    public String toString() {
        return "Spool[" + size + " bytes" + (file != null ? ", on disk" : "") + "]";
    }
}
