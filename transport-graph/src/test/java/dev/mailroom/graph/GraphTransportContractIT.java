package dev.mailroom.graph;

import dev.mailroom.ResolvedAccount;
import dev.mailroom.spi.Transport;
import dev.mailroom.spi.TransportContext;
import dev.mailroom.testkit.FakeGraphApi;
import dev.mailroom.testkit.TransportContract;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The transport contract on Microsoft Graph, against the testkit's fake Graph. Graph takes or refuses a message as a
 * whole and always sends as the mailbox; a silent far end is a server that takes the connection and never answers.
 */
final class GraphTransportContractIT extends TransportContract {
    private final GraphFixtures.CountingTokens tokens = new GraphFixtures.CountingTokens();
    private volatile URI root;

    @Override
    protected Transport open(TransportContext context) {
        TransportContext withTokens = TransportContext.builder().timeouts(context.connectTimeout(), context.readTimeout(), context.writeTimeout())
                .accessTokens(tokens).build();
        return GraphTransportProvider.builder().graphUrl(root).build().open(withTokens);
    }

    @Override
    protected boolean refusesSingleRecipients() {
        return false;
    }

    @Override
    protected boolean honoursEnvelopeSender() {
        return false;
    }

    @Override
    protected Target target(Situation situation) throws IOException {
        ResolvedAccount account = GraphFixtures.resolved();
        switch (situation) {
            case UNREACHABLE -> {
                root = URI.create("http://127.0.0.1:" + GraphFixtures.closedPort() + "/");
                return Target.of(account, List::of, () -> { });
            }
            case SILENT -> {
                ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                List<Socket> held = new CopyOnWriteArrayList<>();
                Thread acceptor = new Thread(() -> {
                    try {
                        while (true) {
                            held.add(silent.accept()); // takes the connection, never answers
                        }
                    } catch (IOException e) {
                        // closed
                    }
                }, "silent-acceptor");
                acceptor.setDaemon(true);
                acceptor.start();
                root = URI.create("https://127.0.0.1:" + silent.getLocalPort() + "/");
                return Target.of(account, List::of, () -> {
                    try {
                        silent.close();
                        for (Socket s : held) {
                            s.close();
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
            default -> { }
        }
        FakeGraphApi graph = FakeGraphApi.start();
        root = graph.rootUrl();
        switch (situation) {
            case WORKS -> { }
            case LOGIN_REFUSED -> graph.failAlways(FakeGraphApi.Failure.unauthorized());
            case SECOND_RECIPIENT_REFUSED -> graph.refuseRecipient("refused@example.test");
            case DROPPED_AFTER_MESSAGE -> graph.failAlways(FakeGraphApi.Failure.dropAfterBody());
            default -> throw new IllegalArgumentException(situation.name());
        }
        // Exchange sends as the mailbox, to the recipients of the headers, without the Bcc header.
        return Target.of(account, () -> graph.delivered().stream().map(d -> new Delivered(GraphFixtures.MAILBOX, d.recipients(), d.bytes())).toList(),
                graph::close);
    }
}
