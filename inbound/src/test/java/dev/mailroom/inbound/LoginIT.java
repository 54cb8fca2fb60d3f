package dev.mailroom.inbound;

import dev.mailroom.Account;
import dev.mailroom.Authentication;
import dev.mailroom.FetchSettings;
import dev.mailroom.OAuthClientId;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Secret;
import dev.mailroom.Security;
import dev.mailroom.spi.AccessToken;
import dev.mailroom.spi.AccessTokens;
import dev.mailroom.spi.TransportContext;
import dev.mailroom.testkit.MailServerExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.atomic.AtomicInteger;

import static dev.mailroom.inbound.Fixtures.deliver;
import static dev.mailroom.inbound.Fixtures.message;
import static org.assertj.core.api.Assertions.assertThat;

/** F1/F9: logins for fetching. */
final class LoginIT {
    @RegisterExtension
    final MailServerExtension mail = MailServerExtension.builder().build();

    private final InMemoryInboundState state = new InMemoryInboundState();
    private final Fixtures.Tickets tickets = new Fixtures.Tickets();

    private ResolvedAccount account(Authentication auth, FetchSettings fetching) {
        return Fixtures.resolved(Account.builder().id("shared").description("Shared").email("team@acme.test").authentication(auth)
                .fetching(fetching));
    }

    @Test
    @DisplayName("F9: an Exchange shared-mailbox login Domain\\User\\SharedAlias is passed verbatim, over IMAP and POP3")
    void sharedMailboxLogin() {
        String login = "ACME\\jdoe\\team";
        mail.greenMail().setUser("team@acme.test", login, "pw");
        deliver(mail, login, message("s1", "Geteilt", "x"));
        Authentication auth = Authentication.password(login, Secret.of("pw"));
        Inbound inbound = Inbound.builder(state, tickets).build();
        assertThat(inbound.fetch(account(auth, FetchSettings.imap(mail.host(), mail.imapPort(), Security.NONE)), FetchOptions.defaults())
                .imported()).isEqualTo(1);
        InMemoryInboundState pop3State = new InMemoryInboundState();
        assertThat(Inbound.builder(pop3State, tickets).build().fetch(account(auth, FetchSettings.pop3(mail.host(), mail.pop3Port())
                .withImap(null, null, Security.NONE)), FetchOptions.defaults()).imported()).isEqualTo(1);
        assertThat(tickets.subjects()).containsExactly("Geteilt", "Geteilt");
    }

    @Test
    @DisplayName("F1: XOAUTH2 over IMAP and POP3 with a token from the context's source; a refused token is refreshed once")
    void xoauth2() {
        mail.greenMail().setUser("team@acme.test", "team@acme.test", "the-valid-token");
        deliver(mail, "team@acme.test", message("o1", "OAuth", "x"));
        AtomicInteger refreshes = new AtomicInteger();
        AccessTokens tokens = new AccessTokens() {
            @Override
            public AccessToken token(ResolvedAccount account) {
                return AccessToken.of("an-expired-token");
            }

            @Override
            public AccessToken refresh(ResolvedAccount account, AccessToken rejected) {
                refreshes.incrementAndGet();
                return AccessToken.of("the-valid-token");
            }
        };
        Inbound inbound = Inbound.builder(state, tickets).context(TransportContext.builder().accessTokens(tokens).build()).build();
        Authentication auth = Authentication.oauth2("team@acme.test", OAuthClientId.of("acme-google"));
        FetchReport r = inbound.fetch(account(auth, FetchSettings.imap(mail.host(), mail.imapPort(), Security.NONE)), FetchOptions.defaults());
        assertThat(r.imported()).isEqualTo(1);
        assertThat(refreshes).hasValue(1);
        Inbound pop3 = Inbound.builder(new InMemoryInboundState(), tickets).context(TransportContext.builder().accessTokens(tokens).build())
                .build();
        assertThat(pop3.fetch(account(auth, FetchSettings.pop3(mail.host(), mail.pop3Port()).withImap(null, null, Security.NONE)),
                FetchOptions.defaults()).imported()).isEqualTo(1);
        assertThat(refreshes).hasValue(2);
    }
}
