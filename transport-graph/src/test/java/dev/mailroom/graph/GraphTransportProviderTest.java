package dev.mailroom.graph;

import dev.mailroom.AccountField;
import dev.mailroom.Authentication;
import dev.mailroom.FieldProblem;
import dev.mailroom.OAuthClientId;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Secret;
import dev.mailroom.Security;
import dev.mailroom.SendSettings;
import dev.mailroom.spi.TransportCapabilities.AuthenticationKind;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the Graph provider serves, validates and declares. */
final class GraphTransportProviderTest {
    private final GraphTransportProvider provider = new GraphTransportProvider();

    private static ResolvedAccount resolved(SendSettings sending, Authentication auth) {
        return ResolvedAccount.of(GraphFixtures.account().sending(sending).authentication(auth).build(), null, Security.STARTTLS);
    }

    @Test
    @DisplayName("D4: serves Graph accounts with app credentials or OAuth 2.0; validation names the field of anything else")
    void supportsAndValidates() {
        assertEquals("graph", provider.id());
        assertTrue(provider.supports(GraphFixtures.resolved()));
        assertTrue(provider.validate(GraphFixtures.resolved()).isEmpty());
        assertTrue(provider.validate(resolved(SendSettings.graph(), Authentication.oauth2("app@contoso.test", OAuthClientId.of("c")))).isEmpty());
        List<FieldProblem> pw = provider.validate(resolved(SendSettings.graph(), Authentication.password("u", Secret.of("p"))));
        assertEquals(AccountField.AUTHENTICATION, pw.get(0).field());
        ResolvedAccount smtp = resolved(SendSettings.smtp("smtp.office365.com", 587, Security.STARTTLS), Authentication.microsoftApp("d", OAuthClientId.of("c")));
        assertFalse(provider.supports(smtp));
        assertEquals(AccountField.SENDING, provider.validate(smtp).get(0).field());
    }

    @Test
    @DisplayName("B6 B8 D4: Exchange keeps the Sent copy; 150 MiB at most (3 MiB in one sendMail request); app credentials and OAuth 2.0")
    void capabilities() {
        assertTrue(provider.capabilities().sentCopyByProvider());
        assertEquals(150L << 20, provider.capabilities().maxMessageSize());
        assertEquals(3L << 20, GraphTransportProvider.SINGLE_REQUEST_SIZE);
        assertTrue(provider.capabilities().authentication().containsAll(List.of(AuthenticationKind.APP_CREDENTIALS, AuthenticationKind.OAUTH2)));
    }

    @Test
    @DisplayName("D4: the builder refuses more than Microsoft's 4 requests per mailbox, waits over a minute, and URLs that are not http(s)")
    void builderLimits() {
        assertThrows(IllegalArgumentException.class, () -> GraphTransportProvider.builder().concurrentPerMailbox(5, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> GraphTransportProvider.builder().concurrentPerMailbox(0, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> GraphTransportProvider.builder().concurrentPerMailbox(4, Duration.ofMinutes(2)));
        assertThrows(IllegalArgumentException.class, () -> GraphTransportProvider.builder().graphUrl(URI.create("ftp://graph.example/")));
        assertTrue(GraphTransportProvider.builder().graphUrl(URI.create("https://graph.microsoft.us")).build().toString().contains("https://graph.microsoft.us/"));
    }
}
