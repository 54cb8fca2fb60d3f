package dev.mailroom.smtp.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The write side of one SMTP connection for message transactions (ADR 020): commands and message content go
 * into one buffer and reach the socket in large writes, so pipelined commands leave in one write and the
 * content is never pushed byte by byte through stream layers. Angus still opens the connection (greeting,
 * EHLO, STARTTLS, AUTH) and reads every reply; this class writes to the same socket Angus writes to (the TLS
 * socket after STARTTLS), always after Angus has flushed its own buffer. Every write is bounded by the write
 * timeout (the socket is closed when a write takes longer). Commands are traced to the protocol log as Angus
 * traces its own; message content never is. One thread at a time (the transport's lock).
 */
final class Wire {
    /** The socket the connecting thread's socket factories made last: the connection's outermost socket. */
    private static final ThreadLocal<Socket> CREATED = new ThreadLocal<>();
    private static final byte[] CRLF = {'\r', '\n'};
    static final int BUFFER = 64 * 1024;

    private final Socket socket;
    private final OutputStream raw;
    private final ScheduledExecutorService timer;
    private final long writeTimeoutMillis;
    private final PrintStream trace;
    private final byte[] buf = new byte[BUFFER];
    private int pos;

    private Wire(Socket socket, ScheduledExecutorService timer, long writeTimeoutMillis, PrintStream trace) throws IOException {
        this(socket, socket.getOutputStream(), timer, writeTimeoutMillis, trace);
    }

    private Wire(Socket socket, OutputStream raw, ScheduledExecutorService timer, long writeTimeoutMillis, PrintStream trace) {
        this.socket = socket;
        this.raw = raw;
        this.timer = timer;
        this.writeTimeoutMillis = writeTimeoutMillis;
        this.trace = trace;
    }

    /** A wire that writes to a stream instead of a socket (for tests of the content path). */
    static Wire over(OutputStream out, ScheduledExecutorService timer) {
        return new Wire(null, out, timer, 60_000, null);
    }

    /** Called by the socket factories for each socket they make; the last one of a connect is the connection's. */
    static void created(Socket s) {
        CREATED.set(s);
    }

    /** Forgets what the factories made on this thread (before a connect, and after one that does not use it). */
    static void forget() {
        CREATED.remove();
    }

    /**
     * The wire of the connection this thread has just opened, or null when its socket is not known (a socket
     * Angus made itself): then the connection sends the way Angus does.
     */
    static Wire take(boolean ssl, ScheduledExecutorService timer, long writeTimeoutMillis, PrintStream trace) {
        Socket s = CREATED.get();
        CREATED.remove();
        if (s == null || s.isClosed() || !s.isConnected() || ssl != (s instanceof javax.net.ssl.SSLSocket)) {
            return null;
        }
        try {
            return new Wire(s, timer, writeTimeoutMillis, trace);
        } catch (IOException e) {
            return null;
        }
    }

    /** Buffers one command line; it is written with the next {@link #flush()} or when the buffer is full. */
    void command(String line) throws IOException {
        byte[] bytes = new byte[line.length()];
        for (int i = 0; i < bytes.length; i++) {
            char c = line.charAt(i);
            if (c == '\r' || c == '\n' || c > 0x7e) {
                throw new IllegalArgumentException("an SMTP command must be one line of ASCII");
            }
            bytes[i] = (byte) c;
        }
        put(bytes, 0, bytes.length);
        put(CRLF, 0, 2);
        trace(line);
    }

    /** A line for the protocol log only (e.g. what stands in for the message content). */
    void trace(String line) {
        if (trace != null) {
            trace.print(line + "\r\n");
        }
    }

    void put(byte[] b, int off, int len) throws IOException {
        if (len > buf.length - pos) {
            flush();
            if (len >= buf.length) {
                write(b, off, len);
                return;
            }
        }
        System.arraycopy(b, off, buf, pos, len);
        pos += len;
    }

    void put(byte b) throws IOException {
        if (pos == buf.length) {
            flush();
        }
        buf[pos++] = b;
    }

    /** Writes what is buffered to the socket. */
    void flush() throws IOException {
        if (pos > 0) {
            int n = pos;
            pos = 0;
            write(buf, 0, n);
        }
        raw.flush();
    }

    private void write(byte[] b, int off, int len) throws IOException {
        ScheduledFuture<?> kill = timer.schedule(this::abort, writeTimeoutMillis, TimeUnit.MILLISECONDS);
        try {
            raw.write(b, off, len);
        } finally {
            kill.cancel(false);
        }
    }

    /** Closes the socket at once (a misbehaving server, a message cut off before its end): the server discards the transaction. */
    void abort() {
        if (socket == null) {
            return;
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // already broken
        }
    }

    /**
     * The message content for DATA (dot-stuffed) or BDAT (as it is): line ends made CRLF (a lone CR or LF
     * becomes CRLF, as Angus does), counted against the server's SIZE limit before anything past it is
     * written. Writes of single bytes land in a staging array; the checks run over arrays.
     */
    final class Content extends OutputStream {
        private final boolean dotStuff;
        private final long limit;
        private final ChunkSink chunks;
        private final byte[] stage = new byte[8 * 1024];
        private int staged;
        private long counted;
        private boolean atLineStart = true;
        private boolean lastWasCr;
        private long lines;

        /** A sink for BDAT chunks; null for DATA. */
        interface ChunkSink {
            void chunk(byte[] b, int len, boolean last) throws IOException;
        }

        private final byte[] chunk;
        private int chunked;

        Content(boolean dotStuff, long limit, int chunkSize, ChunkSink chunks) {
            this.dotStuff = dotStuff;
            this.limit = limit;
            this.chunks = chunks;
            this.chunk = chunks == null ? null : new byte[chunkSize];
        }

        @Override
        public void write(int b) throws IOException {
            if (staged == stage.length) {
                drain();
            }
            count(1);
            stage[staged++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len > stage.length - staged) {
                drain();
                if (len >= stage.length) {
                    count(len);
                    emit(b, off, len);
                    return;
                }
            }
            count(len);
            System.arraycopy(b, off, stage, staged, len);
            staged += len;
        }

        private void count(int n) throws IOException {
            counted += n;
            if (limit > 0 && counted > limit) {
                throw new TrackingSmtpTransport.SizeLimitExceeded(limit);
            }
        }

        private void drain() throws IOException {
            if (staged > 0) {
                int n = staged;
                staged = 0;
                emit(stage, 0, n);
            }
        }

        /**
         * Line ends to CRLF and, for DATA, a dot doubled at the start of a line; the runs between line ends are found
         * by a tight scan and copied as they are. State (line start, a CR just before) carries across calls.
         */
        private void emit(byte[] b, int off, int len) throws IOException {
            int start = off;
            int end = off + len;
            int i = off;
            boolean cr = lastWasCr;
            boolean bol = atLineStart;
            while (i < end) {
                if (bol && b[i] != '\r' && b[i] != '\n') {
                    bol = false;
                    if (dotStuff && b[i] == '.') {
                        out(b, start, i - start);
                        out(DOT, 0, 1);
                        start = i; // the dot itself goes with the run
                    }
                }
                int j = i;
                while (j < end && b[j] != '\n' && b[j] != '\r') {
                    j++;
                }
                if (j > i) {
                    cr = false;
                }
                if (j == end) {
                    break;
                }
                byte c = b[j];
                out(b, start, j - start);
                if (!(c == '\n' && cr)) {
                    out(CRLF, 0, 2);
                    lines++;
                }
                cr = c == '\r';
                bol = true;
                start = j + 1;
                i = j + 1;
            }
            out(b, start, end - start);
            lastWasCr = cr;
            atLineStart = bol;
        }

        private void out(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return;
            }
            if (chunk == null) {
                put(b, off, len);
                return;
            }
            while (len > 0) {
                int n = Math.min(len, chunk.length - chunked);
                System.arraycopy(b, off, chunk, chunked, n);
                chunked += n;
                off += n;
                len -= n;
                if (chunked == chunk.length) {
                    int full = chunked;
                    chunked = 0;
                    chunks.chunk(chunk, full, false);
                }
            }
        }

        /** Ends the content: a CRLF if the last line has none, then "." for DATA or the last chunk for BDAT (not flushed). */
        void finish() throws IOException {
            drain();
            if (!atLineStart) {
                out(CRLF, 0, 2);
                lines++;
                atLineStart = true;
            }
            if (chunk == null) {
                put(DOT_LINE, 0, DOT_LINE.length);
            } else {
                int rest = chunked;
                chunked = 0;
                chunks.chunk(chunk, rest, true);
            }
        }

        long lines() {
            return lines;
        }
    }

    private static final byte[] DOT = {'.'};
    private static final byte[] DOT_LINE = ".\r\n".getBytes(StandardCharsets.US_ASCII);
}
