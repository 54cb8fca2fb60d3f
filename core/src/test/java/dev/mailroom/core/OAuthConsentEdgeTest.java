package dev.mailroom.core;

import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.OAuthClient;
import dev.mailroom.SendSettings;
import dev.mailroom.spi.ConsentRequest;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.util.List;

import static dev.mailroom.core.OAuthFixture.ACCOUNT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Consent edge cases found in review: a provider module's consent URL without PKCE S256 or the state. */
final class OAuthConsentEdgeTest {
    private final OAuthFixture f = new OAuthFixture();

    /** A provider module whose consent URL is changed by {@code edit}: a parameter dropped or replaced. */
    private final class Sloppy extends OAuthTokensEdgeTest.FailingRefresh {
        private final String edit;

        Sloppy(String edit) {
            super(f.provider);
            this.edit = edit;
        }

        @Override
        public URI consentUrl(OAuthClient client, ConsentRequest request) {
            String url = f.provider.consentUrl(client, request).toString();
            return URI.create(switch (edit) {
                case "plain" -> url.replace("code_challenge_method=S256", "code_challenge_method=plain");
                case "no-method" -> url.replace("&code_challenge_method=S256", "");
                case "no-state" -> url.replaceAll("&state=[^&]*", "");
                case "other-state" -> url.replaceAll("&state=[^&]*", "&state=chosen-by-the-module-0123456789");
                default -> url.replaceAll("&code_challenge=[^&]*", "&code_challenge=abc");
            });
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"plain", "no-method", "no-state", "other-state", "other-challenge"})
    @DisplayName("D2: a consent URL from a provider module without PKCE S256, Mailroom's challenge or its state is refused with a typed error; the consent cannot be completed")
    void consentUrlWithoutPkceOrState_refused(String edit) {
        try (Mailroom m = Mailroom.builder().accountRepository(f.accounts).oauthStore(f.store).authorizationServer(new Sloppy(edit))
                .transport(f.transport).discoverTransports(false).clock(f.clock).outboxWorkers(0).build()) {
            m.oauth().registerClient(OAuthFixture.client());
            Throwable t = catchThrowable(() -> m.oauth().beginAuthorization(ACCOUNT));
            assertThat(t).isInstanceOfSatisfying(MailException.class, e -> {
                assertThat(e.code()).isEqualTo(MailErrorCode.INTERNAL);
                assertThat(e.hint()).contains("OAuthConsentEdgeTest");
                assertThat(e.getMessage()).contains("google").contains("consent URL");
            });
            String state = f.provider.lastConsent.state();
            assertThat(catchThrowable(() -> m.oauth().completeAuthorization(state, "code"))).isInstanceOfSatisfying(MailException.class,
                    e -> assertThat(e.code()).isEqualTo(MailErrorCode.OAUTH_STATE_INVALID));
        }
    }

    /** Google's rule: SMTP needs mail.google.com; the Gmail API takes gmail.send too. */
    private final class Scoped extends OAuthTokensEdgeTest.FailingRefresh {
        Scoped() {
            super(f.provider);
        }

        @Override
        public List<String> scopesFor(SendSettings.Kind sending) {
            return sending == SendSettings.Kind.GMAIL_API ? List.of(GMAIL_SEND, OAuthFixture.SCOPE) : List.of(OAuthFixture.SCOPE);
        }
    }

    private static final String GMAIL_SEND = "https://www.googleapis.com/auth/gmail.send";

    private Mailroom scoped() {
        return Mailroom.builder().accountRepository(f.accounts).oauthStore(f.store).authorizationServer(new Scoped())
                .transport(f.transport).discoverTransports(false).clock(f.clock).outboxWorkers(0).build();
    }

    @Test
    @DisplayName("D2: a consent whose scopes do not let the account's transport send (SMTP needs mail.google.com) is refused naming the scope and the fix, and revoked")
    void consentLacksTransportScope_refused() {
        try (Mailroom m = scoped()) {
            m.oauth().registerClient(OAuthFixture.client().toBuilder().scopes(List.of(GMAIL_SEND)).build());
            String[] callback = f.provider.approve(m.oauth().beginAuthorization(ACCOUNT).url(), OAuthFixture.ADDRESS);
            Throwable t = catchThrowable(() -> m.oauth().completeAuthorization(callback[0], callback[1]));
            assertThat(t).isInstanceOfSatisfying(MailException.class, e -> {
                assertThat(e.code()).isEqualTo(MailErrorCode.OAUTH_SCOPE_MISSING);
                assertThat(e.getMessage()).contains(OAuthFixture.SCOPE).contains("nothing was stored");
                assertThat(e.hint()).contains(OAuthFixture.SCOPE).contains("connect the account again");
            });
            assertThat(f.store.findGrant(ACCOUNT)).isEmpty();
            assertThat(f.provider.revocations).hasValue(1);
        }
    }

    @Test
    @DisplayName("A9: a grant that does not cover the transport the account now uses fails at token use with OAUTH_SCOPE_MISSING naming the scope")
    void grantLacksTransportScope_atUse() {
        f.accounts.save(f.accounts.find(ACCOUNT).orElseThrow().toBuilder().sending(SendSettings.gmailApi()).build());
        try (Mailroom m = scoped()) {
            m.oauth().registerClient(OAuthFixture.client().toBuilder().scopes(List.of(GMAIL_SEND)).build());
            f.connect(m, ACCOUNT, OAuthFixture.ADDRESS);
            assertThat(f.transport.context().accessTokens().token(f.resolved(m))).isNotNull();
            m.accounts().update(f.accounts.find(ACCOUNT).orElseThrow().toBuilder()
                    .sending(SendSettings.smtp("smtp.gmail.com", 587, dev.mailroom.Security.STARTTLS)).build());
            Throwable t = catchThrowable(() -> f.transport.context().accessTokens().token(f.resolved(m)));
            assertThat(t).isInstanceOfSatisfying(MailException.class, e -> {
                assertThat(e.code()).isEqualTo(MailErrorCode.OAUTH_SCOPE_MISSING);
                assertThat(e.getMessage()).contains(OAuthFixture.SCOPE);
                assertThat(e.hint()).contains("connect the account again");
            });
        }
    }
}

