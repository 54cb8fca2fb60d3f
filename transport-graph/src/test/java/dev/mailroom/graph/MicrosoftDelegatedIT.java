package dev.mailroom.graph;

import dev.mailroom.Account;
import dev.mailroom.AccountHealth;
import dev.mailroom.AccountId;
import dev.mailroom.Authentication;
import dev.mailroom.ConsentLink;
import dev.mailroom.Email;
import dev.mailroom.FetchSettings;
import dev.mailroom.MailContext;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.OAuthClient;
import dev.mailroom.OAuthClientId;
import dev.mailroom.OAuthStatus;
import dev.mailroom.Secret;
import dev.mailroom.Security;
import dev.mailroom.core.InMemoryAccountRepository;
import dev.mailroom.core.InMemoryOAuthStore;
import dev.mailroom.core.Mailroom;
import dev.mailroom.spi.AccessToken;
import dev.mailroom.spi.ConsentRequest;
import dev.mailroom.spi.OAuthStore;
import dev.mailroom.spi.TransportContext;
import dev.mailroom.inbound.FetchOptions;
import dev.mailroom.inbound.InMemoryInboundState;
import dev.mailroom.inbound.Inbound;
import dev.mailroom.testkit.FakeMicrosoftIdentity;
import dev.mailroom.testkit.FakeMicrosoftIdentity.TokenFailure;
import dev.mailroom.testkit.MailServerExtension;
import dev.mailroom.testkit.RecordingTransport;
import dev.mailroom.testkit.ScriptedSmtpServer;
import dev.mailroom.testkit.TestCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Delegated Microsoft OAuth (authorization code flow with rotation) through mailroom.oauth(), against the testkit's fake identity platform. */
final class MicrosoftDelegatedIT {
    private static final String TENANT = "7f3c2a10-1b2c-4d5e-8f90-123456789abc";
    private static final String OTHER_TENANT = "0d9e8f7a-6b5c-4d3e-2f1a-0b9c8d7e6f5a";
    private static final String APP = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    private static final String SECRET = "Dx8Q~delegated-canary-secret-0123";
    private static final OAuthClientId CLIENT = OAuthClientId.of("contoso-delegated");
    private static final String MAX = "max@contoso.test";
    private static final AccountId ACCOUNT = AccountId.of("max");

    private final FakeMicrosoftIdentity identity = FakeMicrosoftIdentity.start().app(APP, SECRET).user(TENANT, "oid-max", MAX)
            .user(TENANT, "oid-eva", "eva@contoso.test");
    private final InMemoryAccountRepository repo = new InMemoryAccountRepository();
    private final List<String> saved = new CopyOnWriteArrayList<>(); // access tokens the store committed, with their refresh token
    private final OAuthStore store = recording(new InMemoryOAuthStore());
    private ScriptedSmtpServer smtp;
    private Mailroom mailroom;

    @AfterEach
    void stop() {
        if (mailroom != null) {
            mailroom.close();
        }
        if (smtp != null) {
            smtp.close();
        }
        identity.close();
    }

    /** The store, recording each saveTokens (access token and refresh token) as it commits. */
    private OAuthStore recording(OAuthStore delegate) {
        return (OAuthStore) Proxy.newProxyInstance(OAuthStore.class.getClassLoader(), new Class<?>[]{OAuthStore.class}, (p, m, args) -> {
            try {
                Object r = m.invoke(delegate, args);
                if (m.getName().equals("saveTokens") && r instanceof java.util.Optional<?> o && o.isPresent()) {
                    saved.add(((AccessToken) args[3]).reveal() + " " + ((java.util.Optional<?>) args[5]).map(s -> ((Secret) s).reveal()).orElse("-"));
                }
                return r;
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    private static OAuthClient.Builder client(URI authorize, URI token) {
        return OAuthClient.builder(CLIENT, "microsoft").name("Contoso (SMTP)").clientId(APP).clientSecret(Secret.of(SECRET))
                .redirectUri(URI.create("https://erp.contoso.test/oauth/callback")).directory(TENANT)
                .scopes(List.of(MicrosoftAuthorizationServer.SMTP_SEND)).endpoints(authorize, token);
    }

    private Mailroom mailroom(String... authReplies) {
        ScriptedSmtpServer.Builder b = ScriptedSmtpServer.builder().reply(ScriptedSmtpServer.Command.EHLO,
                "250 scripted.test\n250 AUTH LOGIN XOAUTH2\n250 8BITMIME");
        if (authReplies.length > 0) {
            b.reply(ScriptedSmtpServer.Command.AUTH, authReplies);
        }
        smtp = b.build().start();
        // smtp.office365.com, 587, STARTTLS for real
        repo.save(Account.builder().id(ACCOUNT.value()).description("Max").email(MAX).systemAccount(true).smtp(smtp.host(), smtp.port(), Security.NONE)
                .authentication(Authentication.oauth2(MAX, CLIENT)).build());
        mailroom = Mailroom.builder().accountRepository(repo).oauthStore(store).sslContext(TestCertificates.clientContext()).outboxWorkers(0)
                .connectTimeout(Duration.ofSeconds(3)).readTimeout(Duration.ofSeconds(3)).writeTimeout(Duration.ofSeconds(3)).build();
        mailroom.oauth().registerClient(client(identity.authorizationEndpoint(TENANT), identity.tokenEndpoint(TENANT)).build());
        return mailroom;
    }

    private OAuthStatus connectAs(String mailbox) {
        ConsentLink link = mailroom.oauth().beginAuthorization(ACCOUNT);
        FakeMicrosoftIdentity.Approval a = identity.approve(link.url(), mailbox);
        return mailroom.oauth().completeAuthorization(a.state(), a.code());
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String pair : uri.getRawQuery().split("&")) {
            String[] kv = pair.split("=", 2);
            m.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8), URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
        }
        return m;
    }

    /** The user and bearer token inside an XOAUTH2 response. */
    private static String[] xoauth2(String saslResponse) {
        String decoded = new String(Base64.getDecoder().decode(saslResponse), StandardCharsets.UTF_8);
        assertThat(decoded).startsWith("user=").contains("\u0001auth=Bearer ").endsWith("\u0001\u0001");
        return new String[]{decoded.substring(5, decoded.indexOf('\u0001')),
                decoded.substring(decoded.indexOf("Bearer ") + 7, decoded.length() - 2)};
    }

    private static Email mail() {
        return Email.builder().to("kunde@example.test").subject("Ticket 4711").text("Guten Tag").build();
    }

    @Test
    @DisplayName("D5: the consent URL: the directory's authorize endpoint, code flow with PKCE S256, SMTP.Send plus openid profile email offline_access, login hint, account picker")
    void consentUrl_shape() {
        mailroom();
        URI url = mailroom.oauth().beginAuthorization(ACCOUNT).url();
        assertThat(url.getPath()).isEqualTo("/" + TENANT + "/oauth2/v2.0/authorize");
        Map<String, String> q = query(url);
        assertThat(q).containsEntry("client_id", APP).containsEntry("response_type", "code").containsEntry("response_mode", "query")
                .containsEntry("redirect_uri", "https://erp.contoso.test/oauth/callback").containsEntry("code_challenge_method", "S256")
                .containsEntry("login_hint", MAX).containsEntry("prompt", "select_account").containsKey("state");
        assertThat(q.get("code_challenge")).hasSize(43);
        assertThat(List.of(q.get("scope").split(" "))).containsExactly(MicrosoftAuthorizationServer.SMTP_SEND, "openid", "profile", "email",
                "offline_access");
        assertThat(url.getRawQuery()).doesNotContain("+").doesNotContain(SECRET);

        // Microsoft's own endpoints: tenant-specific by default, organizations when the registration names no directory
        MicrosoftAuthorizationServer server = new MicrosoftAuthorizationServer();
        ConsentRequest request = new ConsentRequest("st", "ch", MAX, List.of());
        OAuthClient real = OAuthClient.builder(CLIENT, "microsoft").clientId(APP).clientSecret(Secret.of(SECRET))
                .redirectUri(URI.create("https://erp.contoso.test/oauth/callback")).directory(TENANT).build();
        assertThat(server.consentUrl(real, request).toString()).startsWith("https://login.microsoftonline.com/" + TENANT + "/oauth2/v2.0/authorize?");
        assertThat(server.consentUrl(real.toBuilder().directory("common").build(), request).getPath()).isEqualTo("/common/oauth2/v2.0/authorize");
        assertThat(server.consentUrl(real.toBuilder().directory("organizations").build(), request).getPath())
                .isEqualTo("/organizations/oauth2/v2.0/authorize");
        // one token is for one resource: Graph and Exchange Online scopes in one client are refused with a hint
        MailException mixed = catchThrowableOfType(MailException.class, () -> server.consentUrl(real.toBuilder()
                .scopes(List.of(MicrosoftAuthorizationServer.SMTP_SEND, "Mail.Send")).build(), request));
        assertThat(mixed.code()).isEqualTo(MailErrorCode.INVALID_ACCOUNT);
        assertThat(mixed.hint()).contains("one client per resource");
    }

    @Test
    @DisplayName("D5: the mailbox consents: the code (with its PKCE verifier) is exchanged once, the identity from the id token (tid, oid, preferred_username) matches, the grant is stored")
    void consent_connects() {
        mailroom();
        OAuthStatus s = connectAs(MAX);
        assertThat(s.state()).isEqualTo(OAuthStatus.State.CONNECTED);
        assertThat(s.connectedAs()).contains(MAX);
        assertThat(s.scopes()).contains(MicrosoftAuthorizationServer.SMTP_SEND);
        assertThat(identity.exchanges()).isEqualTo(1);
        assertThat(store.findGrant(ACCOUNT).orElseThrow().refreshToken().reveal()).isEqualTo(identity.issuedRefreshTokens().get(0));
    }

    @Test
    @DisplayName("D5: another user of the directory consents: OAUTH_WRONG_ACCOUNT naming the mailbox, nothing stored")
    void otherUser_refused() {
        mailroom();
        MailException e = catchThrowableOfType(MailException.class, () -> connectAs("eva@contoso.test"));
        assertThat(e.code()).isEqualTo(MailErrorCode.OAUTH_WRONG_ACCOUNT);
        assertThat(e.getMessage()).contains("eva@contoso.test");
        assertThat(store.findGrant(ACCOUNT)).isEmpty();
    }

    @Test
    @DisplayName("D5: the same address in another directory (a multi-tenant authority): tid differs from the registration's directory: OAUTH_WRONG_ACCOUNT, nothing stored")
    void otherTenant_refused() {
        mailroom();
        identity.user(OTHER_TENANT, "oid-impostor", MAX); // max@contoso.test now signs in as a user of another directory
        mailroom.oauth().registerClient(client(identity.authorizationEndpoint("organizations"), identity.tokenEndpoint("organizations")).build());
        MailException e = catchThrowableOfType(MailException.class, () -> connectAs(MAX));
        assertThat(e.code()).isEqualTo(MailErrorCode.OAUTH_WRONG_ACCOUNT);
        assertThat(e.getMessage()).contains(OTHER_TENANT).contains(TENANT);
        assertThat(store.findGrant(ACCOUNT)).isEmpty();
    }

    @Test
    @DisplayName("D5: SMTP XOAUTH2 as the mailbox with the delegated token; a 535 refreshes: the rotated refresh token is committed with the new access token before that token logs in, and the old one is dead")
    void smtp_refreshRotatesFirst() {
        mailroom("535 5.7.3 Authentication unsuccessful", "235 2.7.0 Authentication successful");
        connectAs(MAX);
        String first = identity.issuedAccessTokens().get(0);
        String oldRefresh = identity.issuedRefreshTokens().get(0);
        mailroom.send(MailContext.system(), mail());
        List<String[]> logins = smtp.saslResponses().stream().map(MicrosoftDelegatedIT::xoauth2).toList();
        assertThat(logins).hasSize(2);
        assertThat(logins.get(0)).containsExactly(MAX, first);
        String second = identity.issuedAccessTokens().get(1);
        String newRefresh = identity.issuedRefreshTokens().get(1);
        assertThat(logins.get(1)).containsExactly(MAX, second);
        assertThat(saved).containsExactly(second + " " + newRefresh); // the token that logged in is the one committed with the rotated refresh token
        assertThat(store.findGrant(ACCOUNT).orElseThrow().refreshToken().reveal()).isEqualTo(newRefresh);
        assertThat(smtp.received().count()).isEqualTo(1);
        MailException old = catchThrowableOfType(MailException.class, () -> new MicrosoftAuthorizationServer().refresh(
                client(identity.authorizationEndpoint(TENANT), identity.tokenEndpoint(TENANT)).build(), Secret.of(oldRefresh), context()));
        assertThat(old.code()).isEqualTo(MailErrorCode.OAUTH_GRANT_REVOKED);
        assertThat(old.serverReply().orElseThrow()).contains("AADSTS70000");
    }

    @Test
    @DisplayName("D5: a revoked grant (invalid_grant, AADSTS50173) is OAUTH_GRANT_REVOKED: the account is AUTH_REQUIRED and asks to be connected again")
    void revoked_authRequired() {
        mailroom("535 5.7.3 Authentication unsuccessful");
        connectAs(MAX);
        identity.revokeUser(MAX);
        MailException e = catchThrowableOfType(MailException.class, () -> mailroom.send(MailContext.system(), mail()));
        assertThat(e.code()).isEqualTo(MailErrorCode.OAUTH_GRANT_REVOKED);
        assertThat(mailroom.health(ACCOUNT).state()).isEqualTo(AccountHealth.State.AUTH_REQUIRED);
        OAuthStatus s = mailroom.oauth().status(ACCOUNT);
        assertThat(s.state()).isEqualTo(OAuthStatus.State.CONSENT_REQUIRED);
        assertThat(s.reason()).contains("AADSTS50173");
    }

    @Test
    @DisplayName("D5: a refresh answered invalid_grant AADSTS65001 (consent revoked, or scopes added to the client) is OAUTH_GRANT_REVOKED: the grant asks to be connected again, the hint names the causes")
    void consentRevokedOnRefresh_grantRevoked() {
        mailroom("535 5.7.3 Authentication unsuccessful");
        connectAs(MAX);
        identity.failNextToken(TokenFailure.consentMissing());
        MailException e = catchThrowableOfType(MailException.class, () -> mailroom.send(MailContext.system(), mail()));
        assertThat(e.code()).isEqualTo(MailErrorCode.OAUTH_GRANT_REVOKED);
        assertThat(e.hint()).contains("consent").contains("scopes").containsIgnoringCase("connect the mailbox again");
        assertThat(e.hint()).doesNotContain("application permissions");
        assertThat(mailroom.oauth().status(ACCOUNT).state()).isEqualTo(OAuthStatus.State.CONSENT_REQUIRED);
        assertThat(mailroom.health(ACCOUNT).state()).isEqualTo(AccountHealth.State.AUTH_REQUIRED);
    }

    @Test
    @DisplayName("D5: a refresh answered unauthorized_client AADSTS700016 (one customer directory removed a multi-tenant app) fails that grant only (OAUTH_GRANT_REVOKED), not the client")
    void appRemovedByDirectory_grantRevoked() {
        mailroom("535 5.7.3 Authentication unsuccessful");
        connectAs(MAX);
        identity.failNextToken(TokenFailure.aadsts(400, "unauthorized_client", "700016", "Application with identifier '" + APP
                + "' was not found in the directory 'Fabrikam'."));
        MailException e = catchThrowableOfType(MailException.class, () -> mailroom.send(MailContext.system(), mail()));
        assertThat(e.code()).isEqualTo(MailErrorCode.OAUTH_GRANT_REVOKED);
        assertThat(e.hint()).contains("directory").contains("removed");
        assertThat(mailroom.oauth().status(ACCOUNT).state()).isEqualTo(OAuthStatus.State.CONSENT_REQUIRED);
    }

    @Test
    @DisplayName("D5: a delegated client needs a directory: none set is INVALID_ACCOUNT naming the field with an example, before the browser goes anywhere")
    void noDirectory_refused() {
        MicrosoftAuthorizationServer server = new MicrosoftAuthorizationServer();
        OAuthClient noDirectory = OAuthClient.builder(CLIENT, "microsoft").clientId(APP).clientSecret(Secret.of(SECRET))
                .redirectUri(URI.create("https://erp.contoso.test/oauth/callback")).scopes(List.of(MicrosoftAuthorizationServer.IMAP_ACCESS)).build();
        MailException e = catchThrowableOfType(MailException.class, () -> server.consentUrl(noDirectory, new ConsentRequest("st", "ch", MAX, List.of())));
        assertThat(e.code()).isEqualTo(MailErrorCode.INVALID_ACCOUNT);
        assertThat(e.getMessage() + e.hint()).contains("directory").contains("contoso.onmicrosoft.com");
    }

    @Test
    @DisplayName("D5, F1: fetching over IMAP with a grant for SMTP.Send only: API_PERMISSION_MISSING naming IMAP.AccessAsUser.All, without a login and without a refresh")
    void imap_withSendOnlyGrant_refused() {
        try (MailServerExtension imap = MailServerExtension.builder().build().start()) {
            RecordingTransport capture = new RecordingTransport();
            repo.save(Account.builder().id(ACCOUNT.value()).description("Max").email(MAX).systemAccount(true)
                    .fetching(FetchSettings.imap(imap.host(), imap.imapPort(), Security.NONE))
                    .authentication(Authentication.oauth2(MAX, CLIENT)).build());
            mailroom = Mailroom.builder().accountRepository(repo).oauthStore(store).sslContext(TestCertificates.clientContext()).outboxWorkers(0)
                    .transport(capture).connectTimeout(Duration.ofSeconds(3)).readTimeout(Duration.ofSeconds(3)).writeTimeout(Duration.ofSeconds(3))
                    .build();
            mailroom.oauth().registerClient(client(identity.authorizationEndpoint(TENANT), identity.tokenEndpoint(TENANT)).build());
            connectAs(MAX);
            Inbound inbound = Inbound.builder(new InMemoryInboundState(), m -> dev.mailroom.inbound.InboundResult.stored()).context(capture.context()).build();
            MailException e = catchThrowableOfType(MailException.class, () -> inbound.fetch(mailroom.accounts().resolved(ACCOUNT),
                    FetchOptions.defaults()));
            assertThat(e.code()).isEqualTo(MailErrorCode.API_PERMISSION_MISSING);
            assertThat(e.getMessage() + e.hint()).contains("IMAP.AccessAsUser.All");
            assertThat(identity.requests()).extracting(FakeMicrosoftIdentity.TokenRequest::grantType).containsExactly("authorization_code");
        }
    }

    @Test
    @DisplayName("D5: a token endpoint that sends its headers and then stalls the body: the refresh ends within the context's timeouts as OAUTH_PROVIDER_UNAVAILABLE")
    void stalledBody_timesOut() {
        identity.failNextToken(TokenFailure.stalledBody());
        OAuthClient client = client(identity.authorizationEndpoint(TENANT), identity.tokenEndpoint(TENANT)).build();
        TransportContext quick = TransportContext.builder().timeouts(Duration.ofMillis(500), Duration.ofMillis(500), Duration.ofMillis(500))
                .tls(TestCertificates.clientContext()).build();
        MailException e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> catchThrowableOfType(MailException.class, () -> new MicrosoftAuthorizationServer().refresh(client, Secret.of("rt"), quick)));
        assertThat(e.code()).isEqualTo(MailErrorCode.OAUTH_PROVIDER_UNAVAILABLE);
        assertThat(e.getMessage()).contains("timed out");
    }

    private TransportContext context() {
        return TransportContext.builder().timeouts(Duration.ofSeconds(3), Duration.ofSeconds(3), Duration.ofSeconds(3))
                .tls(TestCertificates.clientContext()).build();
    }

    @Test
    @DisplayName("D5: the token endpoint's refusals: a wrong secret (AADSTS7000215) is OAUTH_CLIENT_REJECTED, 429 is OAUTH_PROVIDER_UNAVAILABLE with Retry-After, a used code invalid_grant; no secret in any message")
    void refusalsClassified() {
        MicrosoftAuthorizationServer server = new MicrosoftAuthorizationServer();
        OAuthClient client = client(identity.authorizationEndpoint(TENANT), identity.tokenEndpoint(TENANT)).build();
        MailException wrong = catchThrowableOfType(MailException.class, () -> server.exchange(client.toBuilder().clientSecret(Secret.of("wrong")).build(),
                "code", Secret.of("verifier"), context()));
        assertThat(wrong.code()).isEqualTo(MailErrorCode.OAUTH_CLIENT_REJECTED);
        assertThat(wrong.hint()).contains("Value (not its Secret ID)");
        identity.failNextToken(TokenFailure.status(429).retryAfter("7"));
        MailException busy = catchThrowableOfType(MailException.class, () -> server.refresh(client, Secret.of("rt"), context()));
        assertThat(busy.code()).isEqualTo(MailErrorCode.OAUTH_PROVIDER_UNAVAILABLE);
        assertThat(busy.retryAfter()).contains(Duration.ofSeconds(7));
        MailException used = catchThrowableOfType(MailException.class, () -> server.exchange(client, "0.unknown-code", Secret.of("v"), context()));
        assertThat(used.code()).isEqualTo(MailErrorCode.OAUTH_GRANT_REVOKED);
        for (MailException e : List.of(wrong, busy, used)) {
            assertThat(e.toString() + e.serverReply().orElse("") + e.hint()).doesNotContain(SECRET).doesNotContain("verifier");
        }
    }

    @Test
    @DisplayName("D5, F1: fetching over IMAP with the delegated grant (IMAP.AccessAsUser.All): XOAUTH2 as the mailbox with the token Mailroom's source refreshes")
    void imap_fetchWithDelegatedToken() {
        try (MailServerExtension imap = MailServerExtension.builder().build().start()) {
            RecordingTransport capture = new RecordingTransport(); // only to reach the Mailroom's token source, as a transport does
            repo.save(Account.builder().id(ACCOUNT.value()).description("Max").email(MAX).systemAccount(true)
                    .fetching(FetchSettings.imap(imap.host(), imap.imapPort(), Security.NONE)) // outlook.office365.com, 993, TLS for real
                    .authentication(Authentication.oauth2(MAX, CLIENT)).build());
            mailroom = Mailroom.builder().accountRepository(repo).oauthStore(store).sslContext(TestCertificates.clientContext()).outboxWorkers(0)
                    .transport(capture).connectTimeout(Duration.ofSeconds(3)).readTimeout(Duration.ofSeconds(3)).writeTimeout(Duration.ofSeconds(3))
                    .build();
            mailroom.oauth().registerClient(client(identity.authorizationEndpoint(TENANT), identity.tokenEndpoint(TENANT))
                    .scopes(List.of(MicrosoftAuthorizationServer.IMAP_ACCESS)).build());
            assertThat(connectAs(MAX).scopes()).contains(MicrosoftAuthorizationServer.IMAP_ACCESS);
            String token = identity.issuedAccessTokens().get(0);
            imap.greenMail().setUser(MAX, MAX, token); // GreenMail compares the XOAUTH2 token with the password
            imap.greenMail().getUserManager().getUser(MAX).deliver(mime("Subject: Anfrage\r\nFrom: kunde@example.test\r\nTo: " + MAX
                    + "\r\nMessage-ID: <q1@example.test>\r\n\r\nHallo\r\n"));
            List<String> subjects = new CopyOnWriteArrayList<>();
            Inbound inbound = Inbound.builder(new InMemoryInboundState(), m -> { subjects.add(m.subject()); return dev.mailroom.inbound.InboundResult.stored(); }).context(capture.context()).build();
            assertThat(inbound.fetch(mailroom.accounts().resolved(ACCOUNT), FetchOptions.defaults()).imported()).isEqualTo(1);
            assertThat(subjects).containsExactly("Anfrage");
            assertThat(identity.requests()).extracting(FakeMicrosoftIdentity.TokenRequest::grantType).containsExactly("authorization_code");
        }
    }

    private static jakarta.mail.internet.MimeMessage mime(String raw) {
        try {
            return new jakarta.mail.internet.MimeMessage(jakarta.mail.Session.getInstance(new java.util.Properties()),
                    new java.io.ByteArrayInputStream(raw.getBytes(StandardCharsets.UTF_8)));
        } catch (jakarta.mail.MessagingException e) {
            throw new AssertionError(e);
        }
    }
}
