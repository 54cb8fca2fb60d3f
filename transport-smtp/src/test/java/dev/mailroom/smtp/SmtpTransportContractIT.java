package dev.mailroom.smtp;

import dev.mailroom.ResolvedAccount;
import dev.mailroom.Security;
import dev.mailroom.spi.Transport;
import dev.mailroom.spi.TransportContext;
import dev.mailroom.testkit.ScriptedSmtpServer;
import dev.mailroom.testkit.ScriptedSmtpServer.Command;
import dev.mailroom.testkit.TransportContract;

import java.util.List;

/** The transport contract on SMTP, against the testkit's scripted SMTP server. */
final class SmtpTransportContractIT extends TransportContract {

    @Override
    protected Transport open(TransportContext context) {
        return new SmtpTransportProvider().open(context);
    }

    @Override
    protected Target target(Situation situation) {
        ScriptedSmtpServer.Builder b = ScriptedSmtpServer.builder();
        switch (situation) {
            case WORKS -> { }
            case LOGIN_REFUSED -> b.reply(Command.AUTH, "535 5.7.8 Error: authentication failed: UGFzc3dvcmQ6");
            case SECOND_RECIPIENT_REFUSED -> b.reply(Command.RCPT, "250 2.1.5 Ok",
                    "550 5.1.1 <refused@example.test>: Recipient address rejected: User unknown");
            case SILENT -> b.reply(Command.GREETING, ScriptedSmtpServer.SILENT);
            case DROPPED_AFTER_MESSAGE -> b.reply(Command.END_OF_DATA, ScriptedSmtpServer.DROP);
            case UNREACHABLE -> {
                ResolvedAccount account = account("127.0.0.1", SmtpFixtures.closedPort());
                return new Target() {
                    @Override
                    public ResolvedAccount account() {
                        return account;
                    }

                    @Override
                    public List<Delivered> delivered() {
                        return List.of();
                    }
                };
            }
            default -> throw new IllegalArgumentException(situation.name());
        }
        ScriptedSmtpServer server = b.build().start();
        ResolvedAccount account = account(server.host(), server.port());
        return new Target() {
            @Override
            public ResolvedAccount account() {
                return account;
            }

            @Override
            public List<Delivered> delivered() {
                return server.received().all().stream()
                        .map(m -> new Delivered(m.envelopeFrom(), m.envelopeRecipients(), m.raw())).toList();
            }

            @Override
            public void close() {
                server.close();
            }
        };
    }

    private static ResolvedAccount account(String host, int port) {
        return ResolvedAccount.of(SmtpFixtures.withLogin(SmtpFixtures.systemAccount(host, port, Security.NONE), "app@acme.test", "pw").build(),
                null, Security.NONE);
    }
}
