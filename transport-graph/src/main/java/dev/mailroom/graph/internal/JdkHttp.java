package dev.mailroom.graph.internal;

import com.microsoft.aad.msal4j.HttpRequest;
import com.microsoft.aad.msal4j.HttpResponse;
import com.microsoft.aad.msal4j.IHttpClient;
import com.microsoft.aad.msal4j.IHttpResponse;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * msal4j's HTTP calls through the JDK's {@link HttpClient}: finite timeouts from the transport context, Mailroom's TLS
 * trust, no redirects, and the port of an endpoint kept (a loopback test authority works the same way).
 */
final class JdkHttp implements IHttpClient {
    private final HttpClient client;
    private final Duration requestTimeout;

    JdkHttp(SSLContext tls, Duration connectTimeout, Duration requestTimeout) {
        this.client = HttpClient.newBuilder().sslContext(tls).connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1).build();
        this.requestTimeout = requestTimeout;
    }

    @Override
    public IHttpResponse send(HttpRequest request) throws Exception {
        java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(URI.create(request.url().toString())).timeout(requestTimeout);
        for (Map.Entry<String, String> h : request.headers().entrySet()) {
            if (!RESTRICTED.contains(h.getKey().toLowerCase(java.util.Locale.ROOT))) {
                b.header(h.getKey(), h.getValue());
            }
        }
        switch (request.httpMethod()) {
            case GET -> b.GET();
            case POST -> b.POST(java.net.http.HttpRequest.BodyPublishers.ofString(request.body() == null ? "" : request.body()));
            default -> b.method(request.httpMethod().name(), java.net.http.HttpRequest.BodyPublishers.noBody());
        }
        java.net.http.HttpResponse<String> r = client.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        HttpResponse out = new HttpResponse().statusCode(r.statusCode()).body(r.body());
        out.addHeaders(r.headers().map());
        return out;
    }

    /** Headers the JDK client sets itself and refuses from callers. */
    private static final java.util.Set<String> RESTRICTED = java.util.Set.of("connection", "content-length", "expect", "host", "upgrade");
}
