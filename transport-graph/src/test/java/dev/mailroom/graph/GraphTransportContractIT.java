package dev.mailroom.graph;

import dev.mailroom.ResolvedAccount;
import dev.mailroom.spi.Transport;
import dev.mailroom.spi.TransportContext;
import dev.mailroom.testkit.FakeGraphApi;
import dev.mailroom.testkit.SilentServer;
import dev.mailroom.testkit.TransportContract;

import java.io.IOException;
import java.net.URI;
import java.util.List;

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
                root = URI.create("http://127.0.0.1:" + SilentServer.closedPort() + "/");
                return Target.of(account, List::of, () -> { });
            }
            case SILENT -> {
                SilentServer silent = SilentServer.start();
                root = URI.create("https://127.0.0.1:" + silent.port() + "/");
                return Target.of(account, List::of, silent::close);
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
