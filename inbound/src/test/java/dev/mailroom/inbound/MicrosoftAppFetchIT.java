package dev.mailroom.inbound;

import dev.mailroom.Account;
import dev.mailroom.Authentication;
import dev.mailroom.Diagnosis;
import dev.mailroom.DiagnosisStep;
import dev.mailroom.DiagnosisStep.Outcome;
import dev.mailroom.DiagnosisStep.Stage;
import dev.mailroom.FetchSettings;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.OAuthClientId;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Security;
import dev.mailroom.SendSettings;
import dev.mailroom.spi.AccessToken;
import dev.mailroom.spi.AccessTokens;
import dev.mailroom.spi.TransportContext;
import dev.mailroom.testkit.MailServerExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.mailroom.inbound.Fixtures.deliver;
import static dev.mailroom.inbound.Fixtures.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Microsoft 365 application credentials for fetching a shared mailbox: XOAUTH2 as the mailbox with the app's Exchange Online token. */
final class MicrosoftAppFetchIT {
    private static final String MAILBOX = "support@contoso.test";

    @RegisterExtension
    final MailServerExtension mail = MailServerExtension.builder().build();
    private final Fixtures.Tickets tickets = new Fixtures.Tickets();

    /** An app token as Microsoft issues it: a JWT whose roles claim lists the app's application permissions. */
    private static String appToken(String audience, String... roles) {
        String claims = "{\"aud\":\"" + audience + "\",\"tid\":\"contoso-dir\",\"roles\":[" + String.join(",",
                java.util.Arrays.stream(roles).map(r -> "\"" + r + "\"").toList()) + "]}";
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString("{\"typ\":\"JWT\",\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + ".sig";
    }

    /** The app's tokens: Graph for sending, Exchange Online for fetching; records what was asked. */
    private static final class AppTokens implements AccessTokens {
        final List<String> asked = new CopyOnWriteArrayList<>();
        volatile String fetchToken;
        volatile MailException fail;

        @Override
        public AccessToken token(ResolvedAccount account) {
            return token(account, Purpose.SEND);
        }

        @Override
        public AccessToken refresh(ResolvedAccount account, AccessToken rejected) {
            return refresh(account, Purpose.SEND, rejected);
        }

        @Override
        public AccessToken token(ResolvedAccount account, Purpose purpose) {
            asked.add(purpose.name());
            if (fail != null) {
                throw fail;
            }
            return AccessToken.of(purpose == Purpose.SEND ? appToken("https://graph.microsoft.com", "Mail.Send") : fetchToken);
        }

        @Override
        public AccessToken refresh(ResolvedAccount account, Purpose purpose, AccessToken rejected) {
            asked.add("refresh " + purpose.name());
            return token(account, purpose);
        }
    }

    private final AppTokens tokens = new AppTokens();

    private ResolvedAccount account(FetchSettings fetching) {
        return Fixtures.resolved(Account.builder().id("support").description("Support").email(MAILBOX).sending(SendSettings.graph())
                .authentication(Authentication.microsoftApp("contoso-dir", OAuthClientId.of("contoso-app"))).fetching(fetching));
    }

    private Inbound inbound() {
        return Inbound.builder(new InMemoryInboundState(), tickets).context(TransportContext.builder().accessTokens(tokens).build()).build();
    }

    @Test
    @DisplayName("D5, F1: an app account that sends through Graph fetches over IMAP and POP3 with XOAUTH2 as its mailbox and the Exchange Online token (IMAP.AccessAsApp)")
    void appOnly_imapAndPop3() {
        tokens.fetchToken = appToken("https://outlook.office365.com", "IMAP.AccessAsApp", "POP.AccessAsApp");
        mail.greenMail().setUser(MAILBOX, MAILBOX, tokens.fetchToken); // GreenMail compares the XOAUTH2 token with the password
        deliver(mail, MAILBOX, message("a1", "Shared mailbox", "x"));
        assertThat(inbound().fetch(account(FetchSettings.imap(mail.host(), mail.imapPort(), Security.NONE)), FetchOptions.defaults()).imported())
                .isEqualTo(1);
        assertThat(inbound().fetch(account(FetchSettings.pop3(mail.host(), mail.pop3Port()).withImap(null, null, Security.NONE)),
                FetchOptions.defaults()).imported()).isEqualTo(1);
        assertThat(tokens.asked).containsExactly("FETCH", "FETCH");
        assertThat(inbound().check(account(FetchSettings.imap(mail.host(), mail.imapPort(), Security.NONE)), FetchOptions.defaults()).ok()).isTrue();
    }

    @Test
    @DisplayName("D5, F10: the check tells a bad secret (TOKEN: OAUTH_CLIENT_REJECTED) from a missing IMAP.AccessAsApp (PERMISSION) from an app Exchange does not let in (AUTH: service principal, mailbox permission)")
    void check_distinguishesCauses() {
        ResolvedAccount account = account(FetchSettings.imap(mail.host(), mail.imapPort(), Security.NONE));
        mail.greenMail().setUser(MAILBOX, MAILBOX, "the-token-exchange-would-take");

        tokens.fail = new MailException(MailErrorCode.OAUTH_CLIENT_REJECTED, "Microsoft refused the client secret (AADSTS7000215)");
        Diagnosis badSecret = inbound().check(account, FetchOptions.defaults());
        DiagnosisStep f = badSecret.failure().orElseThrow(() -> new AssertionError(badSecret.report()));
        assertThat(f.stage()).isEqualTo(Stage.TOKEN);
        assertThat(f.code()).isEqualTo(MailErrorCode.OAUTH_CLIENT_REJECTED);
        assertThat(badSecret.step(Stage.AUTH).orElseThrow().outcome()).isEqualTo(Outcome.SKIPPED);

        tokens.fail = null;
        tokens.fetchToken = appToken("https://outlook.office365.com", "SMTP.SendAsApp");
        Diagnosis noRole = inbound().check(account, FetchOptions.defaults());
        f = noRole.failure().orElseThrow(() -> new AssertionError(noRole.report()));
        assertThat(f.stage()).isEqualTo(Stage.PERMISSION);
        assertThat(f.code()).isEqualTo(MailErrorCode.API_PERMISSION_MISSING);
        assertThat(f.hint()).contains("IMAP.AccessAsApp").contains("admin consent");

        tokens.fetchToken = appToken("https://outlook.office365.com", "IMAP.AccessAsApp"); // Exchange refuses it: GreenMail's password differs
        Diagnosis exchange = inbound().check(account, FetchOptions.defaults());
        f = exchange.failure().orElseThrow(() -> new AssertionError(exchange.report()));
        assertThat(f.stage()).isEqualTo(Stage.AUTH);
        assertThat(f.code()).isEqualTo(MailErrorCode.AUTH_FAILED);
        assertThat(f.hint()).contains("New-ServicePrincipal").contains("Add-MailboxPermission -Identity " + MAILBOX);
        assertThat(exchange.step(Stage.PERMISSION).orElseThrow().outcome()).isEqualTo(Outcome.PASSED);
        assertThat(tokens.asked).contains("refresh FETCH");

        MailException fetch = catchThrowableOfType(MailException.class, () -> inbound().fetch(account, FetchOptions.defaults()));
        assertThat(fetch == null ? "" : fetch.hint()).as("a fetch fails the same way").contains("New-ServicePrincipal");
    }
}
