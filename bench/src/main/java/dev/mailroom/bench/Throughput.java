package dev.mailroom.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/** Runs numbered sends on a number of threads and measures messages per second and the latency percentiles. */
final class Throughput {
    /** One send, numbered from 0. */
    @FunctionalInterface
    interface Send {
        void send(int i) throws Exception;
    }

    private Throughput() {
    }

    /** @return {messages per second, p50 ms, p99 ms} */
    static double[] measure(int messages, int threads, Send send) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger next = new AtomicInteger();
        long[] nanos = new long[messages];
        long t0 = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                for (int i; (i = next.getAndIncrement()) < messages; ) {
                    long s = System.nanoTime();
                    send.send(i);
                    nanos[i] = System.nanoTime() - s;
                }
                return null;
            }));
        }
        try {
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Arrays.sort(nanos);
        return new double[] {messages / seconds, nanos[messages / 2] / 1e6, nanos[(int) (messages * 0.99)] / 1e6};
    }
}
