package dev.mailroom.gmail.internal;

import com.google.api.client.http.HttpContent;
import com.google.api.client.http.HttpRequest;
import com.google.api.client.http.HttpRequestInitializer;
import com.google.api.client.http.javanet.ConnectionFactory;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP request to Google, as the transport tracks it: whether the body began and finished going out (a
 * failure after it finished is ambiguous, one before is not), the connection (to abort a write that stalls
 * longer than the write timeout: {@code HttpURLConnection} has no write timeout of its own), and the settings
 * every request gets: finite timeouts, no retries, no redirects, no client-side handling of 401.
 */
final class Exchange implements HttpRequestInitializer, ConnectionFactory {
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final Duration writeTimeout;
    private final String authorization;
    private volatile HttpURLConnection connection;
    private volatile boolean bodyStarted;
    private volatile boolean bodyDone;
    private volatile boolean stalled;
    private volatile long written;
    private volatile String writeFailure;

    Exchange(Duration connectTimeout, Duration readTimeout, Duration writeTimeout, String bearerToken) {
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.writeTimeout = writeTimeout;
        this.authorization = bearerToken == null ? null : "Bearer " + bearerToken;
    }

    @Override
    public void initialize(HttpRequest request) {
        request.setConnectTimeout(millis(connectTimeout));
        request.setReadTimeout(millis(readTimeout));
        // A send must never go twice on the client's own initiative: no retries of any kind, no redirects.
        request.setNumberOfRetries(0);
        request.setIOExceptionHandler(null);
        request.setUnsuccessfulResponseHandler(null);
        request.setFollowRedirects(false);
        request.setThrowExceptionOnExecuteError(true);
        // Google's client logs bodies at CONFIG level: a token request's form holds the client secret, the code, the
        // verifier and the refresh token, a send holds the message. Never, whatever the host's logging says.
        request.setLoggingEnabled(false);
        request.setCurlLoggingEnabled(false);
        request.setContentLoggingLimit(0);
        if (authorization != null) {
            request.getHeaders().setAuthorization(authorization);
        }
        if (authorization != null) { // API requests; a token request's form must stay itself for the client authentication
            request.setInterceptor(r -> {
                if (r.getContent() != null && !(r.getContent() instanceof Tracked)) {
                    r.setContent(new Tracked(r.getContent()));
                }
            });
        }
    }

    @Override
    public HttpURLConnection openConnection(URL url) throws IOException {
        JdkHttpLog.guard(); // the JDK would log the Authorization header at FINE
        HttpURLConnection c = (HttpURLConnection) url.openConnection();
        this.connection = c;
        return c;
    }

    /** @return whether the whole body went out (a failure from now on may come after Google took the message) */
    /** @return whether the message's own source failed while the body was written (not the connection) */
    boolean writeFailed() {
        return writeFailure != null;
    }

    /** @return what failed while the message was read for the body, or {@code null} */
    String writeFailure() {
        return writeFailure;
    }

    boolean bodyDone() {
        return bodyDone;
    }

    /** @return whether any of the body went out */
    boolean bodyStarted() {
        return bodyStarted;
    }

    /** @return whether the write was aborted because it stalled */
    boolean stalled() {
        return stalled;
    }

    /**
     * Aborts the request if a write makes no progress for the write timeout.
     *
     * @param scheduler the shared scheduler
     * @return the guard, to cancel when the request is over
     */
    ScheduledFuture<?> guardWrites(ScheduledExecutorService scheduler) {
        long period = Math.max(1, writeTimeout.toMillis());
        long[] seen = {-1};
        return scheduler.scheduleAtFixedRate(() -> {
            long now = written;
            if (bodyStarted && !bodyDone && now == seen[0]) {
                stalled = true;
                HttpURLConnection c = connection;
                if (c != null) {
                    c.disconnect();
                }
            }
            seen[0] = now;
        }, period, period, TimeUnit.MILLISECONDS);
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
    }

    /** The request body, recording its progress. */
    private final class Tracked implements HttpContent {
        private final HttpContent delegate;

        Tracked(HttpContent delegate) {
            this.delegate = delegate;
        }

        @Override
        public long getLength() throws IOException {
            return delegate.getLength();
        }

        @Override
        public String getType() {
            return delegate.getType();
        }

        @Override
        public boolean retrySupported() {
            return false;
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            bodyStarted = true;
            boolean[] connectionFailed = {false};
            try {
                delegate.writeTo(new FilterOutputStream(out) {
                    @Override
                    public void write(int b) throws IOException {
                        try {
                            out.write(b);
                        } catch (IOException | RuntimeException e) {
                            connectionFailed[0] = true;
                            throw e;
                        }
                        written++;
                    }

                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        try {
                            out.write(b, off, len);
                        } catch (IOException | RuntimeException e) {
                            connectionFailed[0] = true;
                            throw e;
                        }
                        written += len;
                    }
                });
            } catch (IOException | RuntimeException e) {
                // a failure of the message's own source (not of the connection, not the size limit)
                if (!connectionFailed[0] && !(e instanceof MessageBody.TooLarge)) {
                    writeFailure = e.getClass().getSimpleName() + ": " + e.getMessage();
                }
                throw e;
            }
            out.flush();
            bodyDone = true;
        }
    }
}
