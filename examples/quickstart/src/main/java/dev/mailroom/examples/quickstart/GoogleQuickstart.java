package dev.mailroom.examples.quickstart;

import dev.mailroom.Account;
import dev.mailroom.AccountId;
import dev.mailroom.Authentication;
import dev.mailroom.ConsentLink;
import dev.mailroom.Email;
import dev.mailroom.MailContext;
import dev.mailroom.MailException;
import dev.mailroom.OAuthClient;
import dev.mailroom.OAuthClientId;
import dev.mailroom.OAuthStatus;
import dev.mailroom.Receipt;
import dev.mailroom.Secret;
import dev.mailroom.Security;
import dev.mailroom.SendSettings;
import dev.mailroom.core.AesGcmSecretCipher;
import dev.mailroom.core.Mailroom;
import dev.mailroom.gmail.GmailTransportProvider;
import dev.mailroom.jdbc.JdbcStore;
import dev.mailroom.testkit.FakeGmailApi;
import dev.mailroom.testkit.FakeGoogleAuthServer;
import dev.mailroom.testkit.MailServerExtension;

import java.net.URI;
import java.security.SecureRandom;
import java.util.List;

/**
 * A Google Workspace mailbox connected with OAuth 2.0, end to end against in-process fakes of Google's
 * authorization server and the Gmail API: register the client, send the administrator to the consent URL,
 * complete the consent in the host's callback, send through the Gmail API, and see a revoked grant reported
 * as "connect again".
 */
final class GoogleQuickstart {
    static final String MAILBOX = "support@acme.example";
    private static final OAuthClientId CLIENT = OAuthClientId.of("acme-google");
    private static final String GMAIL_SEND = "https://www.googleapis.com/auth/gmail.send";
    private static final String FULL_MAIL = "https://mail.google.com/";

    private GoogleQuickstart() {
    }

    /**
     * Runs the example and prints what happens.
     *
     * @param smtp the quickstart's in-process mail server, standing in for smtp.gmail.com
     * @return what the fake Gmail API received
     */
    static List<FakeGmailApi.Delivered> run(MailServerExtension smtp) {
        try (FakeGoogleAuthServer google = FakeGoogleAuthServer.start().client("1234.apps.googleusercontent.com", "client-secret");
             FakeGmailApi gmail = FakeGmailApi.start()) {
            org.h2.jdbcx.JdbcDataSource h2 = new org.h2.jdbcx.JdbcDataSource();
            h2.setURL("jdbc:h2:mem:quickstart-google-" + java.util.UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            try (JdbcStore store = JdbcStore.builder(h2).cipher(AesGcmSecretCipher.builder().key("quickstart", key).build()).build();
                 Mailroom mailroom = Mailroom.builder().store(store)
                         .transport(GmailTransportProvider.builder().rootUrl(gmail.rootUrl()).build()) // the real one needs no URL
                         .build()) {
                Quickstart.section("11. A Google Workspace mailbox with OAuth 2.0 (D1-D3): client registry, consent, Gmail API");
                // D1: the administrator registers the Google app once; the secret is write-only.
                mailroom.oauth().registerClient(OAuthClient.builder(CLIENT, "google").name("ACME Workspace")
                        .clientId("1234.apps.googleusercontent.com").clientSecret(Secret.of("client-secret"))
                        .redirectUri(URI.create("https://erp.acme.example/oauth/callback"))
                        .scopes(List.of(GMAIL_SEND))
                        .endpoints(google.authorizationEndpoint(), google.tokenEndpoint()) // Google's own by default
                        .build());
                System.out.println("  registered: " + mailroom.oauth().client(CLIENT).orElseThrow());
                mailroom.accounts().create(Account.builder().id("support").description("Support desk").email(MAILBOX)
                        .systemAccount(true).sending(SendSettings.gmailApi())
                        .authentication(Authentication.oauth2(MAILBOX, CLIENT)).build());

                // D2: "Authenticate with Google" sends the administrator's browser to the consent URL ...
                ConsentLink link = mailroom.oauth().beginAuthorization(AccountId.of("support"));
                System.out.println("  consent URL (PKCE S256, single-use state, 10 minutes): " + link.url().getHost() + link.url().getPath()
                        + "?" + link.url().getQuery().replaceAll("(state|code_challenge)=[^&]+", "$1=…"));
                // ... the administrator picks the wrong Google account first: nothing is stored.
                FakeGoogleAuthServer.Approval wrong = google.approve(link.url(), "someone@gmail.example", List.of(GMAIL_SEND, "openid", "email"));
                try {
                    mailroom.oauth().completeAuthorization(wrong.state(), wrong.code());
                } catch (MailException e) {
                    System.out.println("  callback with the wrong Google account: " + e.code() + ": " + e.getMessage());
                }
                // ... and again, with the mailbox itself; the host's callback endpoint completes it.
                ConsentLink again = mailroom.oauth().beginAuthorization(AccountId.of("support"));
                FakeGoogleAuthServer.Approval approval = google.approve(again.url(), MAILBOX, List.of(GMAIL_SEND, "openid", "email"));
                OAuthStatus status = mailroom.oauth().completeAuthorization(approval.state(), approval.code());
                System.out.println("  callback: " + status.state() + " as " + status.connectedAs().orElse("-") + ", scopes " + status.scopes());

                // D3: mail goes out through the Gmail API with a token Mailroom refreshes on its own.
                Receipt receipt = mailroom.send(MailContext.system(),
                        Email.builder().to("kunde@example.org").bcc("archiv@acme.example").subject("Ihr Ticket #4711").text("Guten Tag, …").build());
                System.out.println("  sent via " + receipt.transport() + " -> " + receipt.serverReply()
                        + "; Gmail keeps the Sent copy itself");

                // D3, the other way: SMTP (smtp.gmail.com:587, STARTTLS) with XOAUTH2 needs the scope https://mail.google.com/.
                OAuthClientId smtpClient = OAuthClientId.of("acme-google-smtp");
                mailroom.oauth().registerClient(OAuthClient.builder(smtpClient, "google").name("ACME Workspace (SMTP)")
                        .clientId("1234.apps.googleusercontent.com").clientSecret(Secret.of("client-secret"))
                        .redirectUri(URI.create("https://erp.acme.example/oauth/callback")).scopes(List.of(FULL_MAIL))
                        .endpoints(google.authorizationEndpoint(), google.tokenEndpoint()).build());
                mailroom.accounts().create(Account.builder().id("sales").description("Sales").email("sales@acme.example")
                        .smtp(smtp.host(), smtp.smtpPort(), Security.NONE) // smtp.gmail.com, 587, Security.STARTTLS for real
                        .authentication(Authentication.oauth2("sales@acme.example", smtpClient)).build());
                ConsentLink salesLink = mailroom.oauth().beginAuthorization(AccountId.of("sales"));
                FakeGoogleAuthServer.Approval sales = google.approve(salesLink.url(), "sales@acme.example", List.of(FULL_MAIL, "openid", "email"));
                mailroom.oauth().completeAuthorization(sales.state(), sales.code());
                // GreenMail accepts XOAUTH2 when the token equals the mailbox's password: give it the token the fake issued.
                smtp.addUser("sales@acme.example", google.issuedAccessTokens().get(google.issuedAccessTokens().size() - 1));
                Receipt viaSmtp = mailroom.send(MailContext.system(), Email.builder().from("sales@acme.example").to("kunde@example.org")
                        .subject("Angebot 4711").text("Guten Tag, …").build());
                System.out.println("  sent via " + viaSmtp.transport() + " with XOAUTH2 as " + viaSmtp.accountAddress() + " -> "
                        + viaSmtp.serverReply());

                // A revoked grant (the user removed the app, or changed the password) is an account problem.
                google.revokeAll();
                gmail.failAlways(FakeGmailApi.Failure.unauthorized()); // Google stops taking the grant's access tokens too
                try {
                    mailroom.send(MailContext.system(), Email.builder().to("kunde@example.org").subject("Noch eine Frage").text("…").build());
                } catch (MailException e) {
                    System.out.println("  after the grant was revoked: " + e.code() + " - " + e.hint());
                }
                OAuthStatus revoked = mailroom.oauth().status(AccountId.of("support"));
                System.out.println("  status: " + revoked.state() + ": " + revoked.reason());
                System.out.println("  health: " + mailroom.health(AccountId.of("support")));
            }
            return gmail.delivered();
        }
    }
}
