package dev.mailroom.graph;

import dev.mailroom.spi.OutgoingMessage;
import dev.mailroom.spi.SendResult;
import dev.mailroom.spi.Transport;
import dev.mailroom.testkit.FakeGraphApi;

import java.util.List;

/**
 * Run by {@link GraphUploadIT} in a JVM of its own with a small heap: sends one message with an attachment larger
 * than that heap through the fake Graph (in the same JVM). It finishes only if nothing holds the message, its base64
 * or the attachment whole; prints {@code OK size sha256} and exits 0, or exits 1 (an {@link OutOfMemoryError} included).
 */
public final class GraphUploadHeapMain {
    private GraphUploadHeapMain() {
    }

    /**
     * @param args the attachment's size in bytes
     */
    public static void main(String[] args) {
        long size = Long.parseLong(args[0]);
        try (FakeGraphApi graph = FakeGraphApi.start()) {
            Transport transport = GraphTransportProvider.builder().graphUrl(graph.rootUrl()).build()
                    .open(GraphFixtures.context(new GraphFixtures.CountingTokens()));
            LargeMessages.Part part = LargeMessages.Part.file("gross.bin", size, 99);
            OutgoingMessage m = LargeMessages.message(List.of("kunde@example.test"), part);
            SendResult r = transport.send(GraphFixtures.resolved(), m);
            FakeGraphApi.Attachment a = graph.delivered().get(0).attachments().get(0);
            boolean same = a.size() == size && a.sha256().equals(part.sha256()) && a.uploaded() && a.bytes() == null;
            System.out.println((same ? "OK " : "DIFFERENT ") + a.size() + " " + a.sha256() + " " + r.serverReply().substring(0, 3)
                    + " max heap " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB");
            transport.close();
            System.exit(same ? 0 : 1);
        } catch (Throwable t) { // an OutOfMemoryError is the finding
            t.printStackTrace(System.out);
            System.exit(1);
        }
    }
}
