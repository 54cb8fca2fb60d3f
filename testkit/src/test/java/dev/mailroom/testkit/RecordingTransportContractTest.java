package dev.mailroom.testkit;

import dev.mailroom.Account;
import dev.mailroom.Authentication;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Security;
import dev.mailroom.spi.Transport;
import dev.mailroom.spi.TransportContext;


/** The transport contract on the published recording transport: it behaves like a real one towards Mailroom. */
final class RecordingTransportContractTest extends TransportContract {
    private final RecordingTransport transport = new RecordingTransport();

    @Override
    protected Transport open(TransportContext context) {
        return transport.open(context);
    }

    @Override
    protected Target target(Situation situation) {
        switch (situation) {
            case WORKS -> { }
            case LOGIN_REFUSED -> transport.failWith(new MailException(MailErrorCode.AUTH_FAILED, "535 5.7.8 refused"));
            case SECOND_RECIPIENT_REFUSED -> transport.refuse("refused@example.test", "550 5.1.1 <refused@example.test>: unknown");
            case UNREACHABLE -> transport.failWith(new MailException(MailErrorCode.CONNECTION_REFUSED, "nothing listens"));
            case SILENT -> transport.failWith(new MailException(MailErrorCode.TIMEOUT, "no answer"));
            case DROPPED_AFTER_MESSAGE -> transport.failWith(new MailException(MailErrorCode.DELIVERY_UNCERTAIN, "lost after the message"));
            default -> throw new IllegalArgumentException(situation.name());
        }
        ResolvedAccount account = ResolvedAccount.of(Account.builder().description("Contract").email("app@example.test")
                .smtp("smtp.example.test", 25, Security.NONE).authentication(Authentication.none()).build(), null, Security.NONE);
        return Target.of(account, () -> transport.sent().stream().map(s -> new Delivered(s.message().envelopeFrom().address(),
                s.accepted().stream().map(a -> a.address()).toList(), s.bytes())).toList(), () -> { });
    }
}
