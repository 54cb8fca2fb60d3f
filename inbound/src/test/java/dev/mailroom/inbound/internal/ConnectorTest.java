package dev.mailroom.inbound.internal;

import dev.mailroom.Account;
import dev.mailroom.Authentication;
import dev.mailroom.FetchSettings;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Secret;
import dev.mailroom.Security;
import dev.mailroom.spi.TransportContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** F1/F9: the Angus session a fetch opens. */
final class ConnectorTest {
    private static ResolvedAccount account(boolean preventPlain, boolean preventNtlm, FetchSettings fetching) {
        return ResolvedAccount.of(Account.builder().id("a").description("A").email("a@acme.test")
                .authentication(Authentication.password("a@acme.test", Secret.of("pw"))).preventPlainTextLogin(preventPlain)
                .preventNtlm(preventNtlm).fetching(fetching).build(), null, Security.NONE);
    }

    @Test
    @DisplayName("F1: IMAP fetches with PEEK and finite timeouts; STARTTLS is required when chosen, with the server identity checked")
    void imapSession() {
        ResolvedAccount a = account(false, false, FetchSettings.imap("imap.acme.test", 143, Security.STARTTLS));
        Properties p = Connector.properties(a, TransportContext.defaults(), Connector.endpoint(a), false);
        assertThat(p.getProperty("mail.imap.peek")).isEqualTo("true");
        assertThat(p.getProperty("mail.imap.connectiontimeout")).isEqualTo("10000");
        assertThat(p.getProperty("mail.imap.timeout")).isEqualTo("60000");
        assertThat(p.getProperty("mail.imap.writetimeout")).isEqualTo("60000");
        assertThat(p.getProperty("mail.imap.starttls.required")).isEqualTo("true");
        assertThat(p.getProperty("mail.imap.ssl.checkserveridentity")).isEqualTo("true");
        assertThat(p.getProperty("mail.imap.auth.plain.disable")).isEqualTo("false");
    }

    @Test
    @DisplayName("F9: prevent plain-text login and prevent NTLM switch off PLAIN and NTLM for IMAP and POP3")
    void preventOptions() {
        ResolvedAccount imap = account(true, true, FetchSettings.imap("imap.acme.test", 993, Security.TLS));
        Properties p = Connector.properties(imap, TransportContext.defaults(), Connector.endpoint(imap), false);
        assertThat(p.getProperty("mail.imap.auth.plain.disable")).isEqualTo("true");
        assertThat(p.getProperty("mail.imap.auth.ntlm.disable")).isEqualTo("true");
        assertThat(p.getProperty("mail.imap.ssl.enable")).isEqualTo("true");
        ResolvedAccount pop3 = account(true, true, FetchSettings.pop3("pop.acme.test", 995).withImap(null, null, Security.TLS));
        Properties q = Connector.properties(pop3, TransportContext.defaults(), Connector.endpoint(pop3), false);
        assertThat(q.getProperty("mail.pop3.auth.plain.disable")).isEqualTo("true");
        assertThat(q.getProperty("mail.pop3.auth.ntlm.disable")).isEqualTo("true");
        assertThat(q.getProperty("mail.pop3.ssl.enable")).isEqualTo("true");
        assertThat(q.getProperty("mail.pop3.timeout")).isEqualTo("60000");
    }
}
