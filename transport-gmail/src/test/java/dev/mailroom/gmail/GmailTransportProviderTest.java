package dev.mailroom.gmail;

import dev.mailroom.AccountField;
import dev.mailroom.Authentication;
import dev.mailroom.FieldProblem;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Secret;
import dev.mailroom.Security;
import dev.mailroom.spi.TransportCapabilities;
import dev.mailroom.spi.TransportCapabilities.AuthenticationKind;
import dev.mailroom.spi.TransportProvider;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the Gmail provider declares and checks, without any network. */
final class GmailTransportProviderTest {
    private final GmailTransportProvider provider = new GmailTransportProvider();

    @Test
    @DisplayName("#12 the service loader finds the gmail transport")
    void serviceLoader() {
        assertTrue(ServiceLoader.load(TransportProvider.class).stream().anyMatch(p -> p.type() == GmailTransportProvider.class));
        assertEquals("gmail", provider.id());
    }

    @Test
    @DisplayName("#12 capabilities: Sent copy by Gmail, 36,700,160 bytes at most, SMTPUTF8, OAuth 2.0 only")
    void capabilities() {
        TransportCapabilities c = provider.capabilities();
        assertTrue(c.sentCopyByProvider());
        assertEquals(36_700_160L, c.maxMessageSize());
        assertTrue(c.smtpUtf8());
        assertEquals(Set.of(AuthenticationKind.OAUTH2), c.authentication());
    }

    @Test
    @DisplayName("#12 supports and validates Gmail API accounts with OAuth 2.0; names the field of anything else")
    void supportsAndValidate() {
        ResolvedAccount gmail = GmailFixtures.resolved();
        assertTrue(provider.supports(gmail));
        assertEquals(List.of(), provider.validate(gmail));

        ResolvedAccount smtp = ResolvedAccount.of(GmailFixtures.account().smtp("smtp.example.test", 587, Security.STARTTLS).build(), null,
                Security.STARTTLS);
        assertFalse(provider.supports(smtp));
        List<FieldProblem> p = provider.validate(smtp);
        assertEquals(AccountField.SENDING, p.get(0).field());
        assertTrue(p.get(0).message().contains("gmailApi()"), p.toString());

        ResolvedAccount password = ResolvedAccount.of(GmailFixtures.account().authentication(Authentication.password("u", Secret.of("pw"))).build(),
                null, Security.STARTTLS);
        List<FieldProblem> q = provider.validate(password);
        assertEquals(AccountField.AUTHENTICATION, q.get(0).field());
        assertTrue(q.get(0).message().contains("OAuth 2.0"));
    }

    @Test
    @DisplayName("#12 the builder refuses a root URL that is not absolute http(s), and bad limits")
    void builderChecks() {
        assertThrows(IllegalArgumentException.class, () -> GmailTransportProvider.builder().rootUrl(URI.create("gmail.googleapis.com")));
        assertThrows(IllegalArgumentException.class, () -> GmailTransportProvider.builder().rawLimit(0));
        assertThrows(IllegalArgumentException.class, () -> GmailTransportProvider.builder().pacing(0, 1));
        assertTrue(GmailTransportProvider.builder().rootUrl(URI.create("http://127.0.0.1:1")).build().toString().contains("http://127.0.0.1:1/"));
    }
}
