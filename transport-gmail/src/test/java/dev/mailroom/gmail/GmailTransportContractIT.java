package dev.mailroom.gmail;

import dev.mailroom.ResolvedAccount;
import dev.mailroom.spi.Transport;
import dev.mailroom.spi.TransportContext;
import dev.mailroom.testkit.FakeGmailApi;
import dev.mailroom.testkit.SilentServer;
import dev.mailroom.testkit.TransportContract;

import java.io.IOException;
import java.net.URI;
import java.util.List;

/**
 * The transport contract on the Gmail API, against the testkit's fake Gmail API. Gmail takes or refuses a message
 * as a whole and always sends as the mailbox, so the contract's two SMTP-only expectations are switched off; a
 * silent far end is an HTTPS server that never answers the TLS handshake (nothing of the request went out).
 */
final class GmailTransportContractIT extends TransportContract {
    private final GmailFixtures.CountingTokens tokens = new GmailFixtures.CountingTokens();
    private volatile URI root;

    @Override
    protected Transport open(TransportContext context) {
        TransportContext withTokens = TransportContext.builder().timeouts(context.connectTimeout(), context.readTimeout(), context.writeTimeout())
                .accessTokens(tokens).build();
        return GmailTransportProvider.builder().rootUrl(root).build().open(withTokens);
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
        ResolvedAccount account = GmailFixtures.resolved();
        switch (situation) {
            case UNREACHABLE -> {
                root = URI.create("http://127.0.0.1:" + GmailFixtures.closedPort() + "/");
                return nothing(account, () -> { });
            }
            case SILENT -> {
                SilentServer silent = SilentServer.start();
                root = URI.create("https://127.0.0.1:" + silent.port() + "/");
                return nothing(account, silent::close);
            }
            default -> { }
        }
        FakeGmailApi gmail = FakeGmailApi.start();
        root = gmail.rootUrl();
        switch (situation) {
            case WORKS -> { }
            case LOGIN_REFUSED -> gmail.failAlways(FakeGmailApi.Failure.unauthorized());
            case SECOND_RECIPIENT_REFUSED -> gmail.refuseRecipient("refused@example.test");
            case DROPPED_AFTER_MESSAGE -> gmail.failAlways(FakeGmailApi.Failure.dropAfterBody());
            default -> throw new IllegalArgumentException(situation.name());
        }
        // Gmail sends as the mailbox, to the recipients of the headers, without the Bcc header.
        return Target.of(account, () -> gmail.delivered().stream().map(d -> new Delivered(GmailFixtures.MAILBOX, d.recipients(), d.bytes())).toList(),
                gmail::close);
    }

    private static Target nothing(ResolvedAccount account, Runnable close) {
        return Target.of(account, List::of, close);
    }
}
