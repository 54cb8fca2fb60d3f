package dev.mailroom.graph;

import dev.mailroom.Account;
import dev.mailroom.Authentication;
import dev.mailroom.EmailAddress;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.OAuthClient;
import dev.mailroom.OAuthClientId;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Secret;
import dev.mailroom.Security;
import dev.mailroom.SendSettings;
import dev.mailroom.spi.AccessToken;
import dev.mailroom.spi.AccessTokens;
import dev.mailroom.spi.OutgoingMessage;
import dev.mailroom.spi.TransportContext;
import dev.mailroom.testkit.FakeMicrosoftIdentity;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/** Shared set-up of the Graph tests: a Microsoft 365 app account of directory {@value #DIRECTORY}. */
final class GraphFixtures {
    static final String MAILBOX = "app@contoso.test";
    static final String DIRECTORY = "contoso-directory-id";
    static final String APP_ID = "11111111-2222-3333-4444-555555555555";
    static final String SECRET = "Cx8Q~canary-secret-value-0123456789";
    static final OAuthClientId CLIENT = OAuthClientId.of("contoso-app");

    private GraphFixtures() {
    }

    static Account.Builder account() {
        return Account.builder().id("graph").description("Microsoft 365").email(MAILBOX).systemAccount(true).sending(SendSettings.graph())
                .authentication(Authentication.microsoftApp(DIRECTORY, CLIENT));
    }

    static ResolvedAccount resolved() {
        return ResolvedAccount.of(account().build(), null, Security.STARTTLS);
    }

    static TransportContext context(AccessTokens tokens) {
        return TransportContext.builder().timeouts(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2)).accessTokens(tokens).build();
    }

    static OAuthClient client(FakeMicrosoftIdentity identity, String secret) {
        return OAuthClient.builder(CLIENT, "microsoft").clientId(APP_ID).clientSecret(Secret.of(secret)).redirectUri(URI.create("http://localhost/"))
                .directory(DIRECTORY).endpoints(identity.authorizationEndpoint(DIRECTORY), identity.tokenEndpoint(DIRECTORY)).build();
    }

    /** A message of about {@code size} bytes to the given recipients (the first in To). */
    static OutgoingMessage message(int size, String... recipients) {
        String id = "<graph-" + System.nanoTime() + "@contoso.test>";
        StringBuilder sb = new StringBuilder("Message-ID: " + id + "\r\nFrom: " + MAILBOX + "\r\nTo: " + recipients[0]
                + "\r\nSubject: test\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n");
        while (sb.length() < size) {
            sb.append("0123456789".repeat(7)).append("\r\n");
        }
        byte[] bytes = sb.toString().getBytes(StandardCharsets.US_ASCII);
        return OutgoingMessage.builder(id, EmailAddress.of(MAILBOX), Arrays.stream(recipients).map(EmailAddress::of).toList()).content(bytes).build();
    }

    /** Tokens "token-1", "token-2"…: refresh hands out the next one; counts both. */
    static final class CountingTokens implements AccessTokens {
        final AtomicInteger tokens = new AtomicInteger();
        final AtomicInteger refreshes = new AtomicInteger();
        private final AtomicInteger current = new AtomicInteger(1);
        volatile MailException fail;

        @Override
        public AccessToken token(ResolvedAccount account) {
            tokens.incrementAndGet();
            if (fail != null) {
                throw fail;
            }
            return AccessToken.of("token-" + current.get());
        }

        @Override
        public AccessToken refresh(ResolvedAccount account, AccessToken rejected) {
            refreshes.incrementAndGet();
            return AccessToken.of("token-" + current.incrementAndGet());
        }

        void failWith(MailErrorCode code) {
            fail = new MailException(code, "scripted " + code);
        }
    }
}
