package dev.mailroom.graph.internal;

import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.util.concurrent.Flow;

/** A request body that records whether it started and finished going to the HTTP client (to tell "nothing sent" from "ambiguous"). */
final class TrackedBody implements HttpRequest.BodyPublisher {
    private final HttpRequest.BodyPublisher inner;
    private volatile boolean started;
    private volatile boolean done;

    TrackedBody(byte[] bytes) {
        this.inner = HttpRequest.BodyPublishers.ofByteArray(bytes);
    }

    boolean started() {
        return started;
    }

    boolean done() {
        return done;
    }

    @Override
    public long contentLength() {
        return inner.contentLength();
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
        inner.subscribe(new Flow.Subscriber<ByteBuffer>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscriber.onSubscribe(subscription);
            }

            @Override
            public void onNext(ByteBuffer item) {
                started = true;
                subscriber.onNext(item);
            }

            @Override
            public void onError(Throwable throwable) {
                subscriber.onError(throwable);
            }

            @Override
            public void onComplete() {
                done = true;
                subscriber.onComplete();
            }
        });
    }
}
