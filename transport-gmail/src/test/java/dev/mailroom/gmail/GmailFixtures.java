package dev.mailroom.gmail;

import dev.mailroom.Account;
import dev.mailroom.Authentication;
import dev.mailroom.EmailAddress;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.OAuthClientId;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Security;
import dev.mailroom.SendSettings;
import dev.mailroom.spi.AccessToken;
import dev.mailroom.spi.AccessTokens;
import dev.mailroom.spi.OutgoingMessage;
import dev.mailroom.spi.TransportContext;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Shared set-up of the Gmail tests. */
final class GmailFixtures {
    static final String MAILBOX = "app@example.test";

    private GmailFixtures() {
    }

    static Account.Builder account() {
        return Account.builder().id("gmail").description("Gmail").email(MAILBOX).systemAccount(true).sending(SendSettings.gmailApi())
                .authentication(Authentication.oauth2(MAILBOX, OAuthClientId.of("acme-google")));
    }

    static ResolvedAccount resolved() {
        return ResolvedAccount.of(account().build(), null, Security.STARTTLS);
    }

    static TransportContext context(AccessTokens tokens) {
        return TransportContext.builder().timeouts(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2)).accessTokens(tokens).build();
    }

    /** A message of about {@code size} bytes to the given recipients (the first in To). */
    static OutgoingMessage message(int size, String... recipients) {
        String id = "<gmail-" + System.nanoTime() + "@example.test>";
        StringBuilder sb = new StringBuilder("Message-ID: " + id + "\r\nFrom: " + MAILBOX + "\r\nTo: " + recipients[0]
                + "\r\nSubject: test\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n");
        while (sb.length() < size) {
            sb.append("0123456789".repeat(7)).append("\r\n");
        }
        byte[] bytes = sb.toString().getBytes(StandardCharsets.US_ASCII);
        return OutgoingMessage.builder(id, EmailAddress.of(MAILBOX), java.util.Arrays.stream(recipients).map(EmailAddress::of).toList())
                .content(bytes).build();
    }

    /** A loopback port nothing listens on (bound, then released). */
    static int closedPort() {
        return dev.mailroom.testkit.SilentServer.closedPort();
    }

    /** Tokens "token-1", "token-2"... : refresh hands out the next one; counts both. */
    static final class CountingTokens implements AccessTokens {
        final AtomicInteger tokens = new AtomicInteger();
        final AtomicInteger refreshes = new AtomicInteger();
        private final AtomicInteger current = new AtomicInteger(1);
        volatile boolean fail;

        @Override
        public AccessToken token(ResolvedAccount account) {
            tokens.incrementAndGet();
            if (fail) {
                throw new MailException(MailErrorCode.OAUTH_GRANT_REVOKED, "the grant was revoked");
            }
            return AccessToken.of("token-" + current.get());
        }

        @Override
        public AccessToken refresh(ResolvedAccount account, AccessToken rejected) {
            refreshes.incrementAndGet();
            return AccessToken.of("token-" + current.incrementAndGet());
        }

        List<Integer> counts() {
            return List.of(tokens.get(), refreshes.get());
        }
    }
}
