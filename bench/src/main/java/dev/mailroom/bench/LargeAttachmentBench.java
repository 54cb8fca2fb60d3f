package dev.mailroom.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import dev.mailroom.Account;
import dev.mailroom.Attachment;
import dev.mailroom.Authentication;
import dev.mailroom.Email;
import dev.mailroom.MailContext;
import dev.mailroom.Receipt;
import dev.mailroom.Security;
import dev.mailroom.core.InMemoryAccountRepository;
import dev.mailroom.core.Mailroom;

import java.io.OutputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * Issue #3: sending a 50 MB attachment must not need the attachment in the heap (target: heap growth
 * ≤ 10 MB). Measures the live heap after every GC during the send (GC notifications), against the live
 * heap before it; run it with a small heap (bench/run.sh attachment uses -Xmx64m), which a 50 MB byte
 * array could not even fit into together with its base64 form.
 */
public final class LargeAttachmentBench {
    private LargeAttachmentBench() {
    }

    public static void main(String[] args) throws Exception {
        int megabytes = Integer.getInteger("bench.attachmentMb", 50);
        Path file = Files.createTempFile("mailroom-bench-", ".bin");
        try {
            try (OutputStream out = Files.newOutputStream(file)) {
                byte[] chunk = new byte[1 << 20];
                Random random = new Random(1);
                for (int i = 0; i < megabytes; i++) {
                    random.nextBytes(chunk);
                    out.write(chunk);
                }
            }
            SmtpThroughputBench.Sink sink = SmtpThroughputBench.Sink.start(System.getProperty("bench.postfix"));
            try {
                run(sink.port(), file, megabytes);
            } finally {
                sink.close();
            }
        } finally {
            Files.deleteIfExists(file);
        }
        System.exit(0);
    }

    private static void run(int port, Path file, int megabytes) throws Exception {
        InMemoryAccountRepository repo = new InMemoryAccountRepository();
        repo.save(Account.builder().id("bench").description("Bench").email("app@bench.test").systemAccount(true)
                .smtp("127.0.0.1", port, Security.NONE).authentication(Authentication.none()).build());
        try (Mailroom mailroom = Mailroom.builder().accountRepository(repo).maxMessageSize(1L << 30).build()) {
            mailroom.send(MailContext.system(), Email.builder().to("sink@bench.test").subject("warm-up").text("x").build());
            AtomicLong maxLiveAfterGc = new AtomicLong();
            java.util.Set<String> heapPools = new java.util.HashSet<>();
            for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == java.lang.management.MemoryType.HEAP) {
                    heapPools.add(pool.getName()); // GC info also reports Metaspace and code cache: not heap
                }
            }
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                ((NotificationEmitter) gc).addNotificationListener((n, h) -> {
                    if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
                        var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
                        if (!"System.gc()".equals(info.getGcCause())) {
                            return; // after a young GC the old generation still holds promoted garbage: only full GCs show the live heap
                        }
                        long used = info.getGcInfo().getMemoryUsageAfterGc().entrySet().stream()
                                .filter(e -> heapPools.contains(e.getKey())).mapToLong(e -> e.getValue().getUsed()).sum();
                        maxLiveAfterGc.accumulateAndGet(used, Math::max);
                    }
                }, null, null);
            }
            System.gc();
            long baseline = liveHeap();
            maxLiveAfterGc.set(baseline);
            // a full GC every 25 ms while sending: the live heap at those moments is what the send holds on to
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    System.gc();
                    try {
                        Thread.sleep(25);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "full-gc-sampler");
            sampler.setDaemon(true);
            long t0 = System.nanoTime();
            sampler.start();
            Receipt r = mailroom.send(MailContext.system(), Email.builder().to("sink@bench.test").subject("50 MB")
                    .text("see attachment").attach(Attachment.of(file, "application/octet-stream")).build());
            double secs = (System.nanoTime() - t0) / 1e9;
            sampler.interrupt();
            sampler.join();
            System.gc();
            long gcs = ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
            System.out.printf("attachment: %d MB from a file; max heap %d MB; sent in %.2f s (%.0f MB/s); server: %s%n", megabytes,
                    Runtime.getRuntime().maxMemory() >> 20, secs, megabytes / secs, r.serverReply());
            System.out.printf("live heap before: %.1f MB; highest live heap (after a full GC, every 25 ms) during the send: %.1f MB; growth: %.1f MB (%d GCs)%n",
                    baseline / 1048576.0, maxLiveAfterGc.get() / 1048576.0, (maxLiveAfterGc.get() - baseline) / 1048576.0, gcs);
        }
    }

    private static long liveHeap() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
