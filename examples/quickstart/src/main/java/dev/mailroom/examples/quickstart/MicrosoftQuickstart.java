package dev.mailroom.examples.quickstart;

import dev.mailroom.Account;
import dev.mailroom.AccountId;
import dev.mailroom.Authentication;
import dev.mailroom.Diagnosis;
import dev.mailroom.DiagnosisStep;
import dev.mailroom.Email;
import dev.mailroom.MailContext;
import dev.mailroom.OAuthClient;
import dev.mailroom.OAuthClientId;
import dev.mailroom.Receipt;
import dev.mailroom.Secret;
import dev.mailroom.SendSettings;
import dev.mailroom.core.AesGcmSecretCipher;
import dev.mailroom.core.Mailroom;
import dev.mailroom.graph.GraphTransportProvider;
import dev.mailroom.jdbc.JdbcStore;
import dev.mailroom.testkit.FakeGraphApi;
import dev.mailroom.testkit.FakeMicrosoftIdentity;
import dev.mailroom.testkit.TestCertificates;

import java.net.URI;
import java.security.SecureRandom;
import java.util.List;

/**
 * A Microsoft 365 mailbox with application credentials, end to end against in-process fakes of the Microsoft identity
 * platform and Microsoft Graph: register the app (directory ID, application ID, client secret), save the account,
 * test the connection, send through Graph, and see a wrong secret reported at the token step with what to do.
 */
final class MicrosoftQuickstart {
    static final String MAILBOX = "support@contoso.example";
    private static final String DIRECTORY = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"; // Microsoft Entra ID > Overview > Tenant ID
    private static final String APP_ID = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d";    // App registrations > the app > Application (client) ID
    private static final String CLIENT_SECRET = "Qx8~quickstart-client-secret-value"; // Certificates & secrets > the secret's Value
    private static final OAuthClientId CLIENT = OAuthClientId.of("contoso-m365");

    private MicrosoftQuickstart() {
    }

    /**
     * Runs the example and prints what happens.
     *
     * @return what the fake Graph received
     */
    static List<FakeGraphApi.Delivered> run() {
        try (FakeMicrosoftIdentity identity = FakeMicrosoftIdentity.start().directory(DIRECTORY)
                .app(APP_ID, CLIENT_SECRET, "Mail.Send", "User.Read.All"); // the application permissions an administrator consented to
             FakeGraphApi graph = FakeGraphApi.start().mailbox(MAILBOX)) {
            org.h2.jdbcx.JdbcDataSource h2 = new org.h2.jdbcx.JdbcDataSource();
            h2.setURL("jdbc:h2:mem:quickstart-microsoft-" + java.util.UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            try (JdbcStore store = JdbcStore.builder(h2).cipher(AesGcmSecretCipher.builder().key("quickstart", key).build()).build();
                 Mailroom mailroom = Mailroom.builder().store(store)
                         .sslContext(TestCertificates.clientContext()) // the fakes' loopback certificate; the real endpoints need nothing
                         .transport(GraphTransportProvider.builder().graphUrl(graph.rootUrl()).build()) // the real one needs no URL
                         .build()) {
                Quickstart.section("12. A Microsoft 365 mailbox with app credentials (D4, A9): directory ID, client ID and secret; Graph");
                // The administrator registers the app once; the secret is sealed in the store and never shown again.
                mailroom.oauth().registerClient(OAuthClient.builder(CLIENT, "microsoft").name("Contoso Microsoft 365")
                        .clientId(APP_ID).clientSecret(Secret.of(CLIENT_SECRET)).directory(DIRECTORY)
                        .redirectUri(URI.create("http://localhost/")) // the client credentials flow has no browser step
                        .endpoints(identity.authorizationEndpoint(DIRECTORY), identity.tokenEndpoint(DIRECTORY)) // Microsoft's own by default
                        .build());
                System.out.println("  registered: " + mailroom.oauth().client(CLIENT).orElseThrow());
                Account account = Account.builder().id("contoso").description("Contoso support").email(MAILBOX).systemAccount(true)
                        .sending(SendSettings.graph()).authentication(Authentication.microsoftApp(DIRECTORY, CLIENT)).build();
                mailroom.accounts().create(account);

                // "Test connection": settings, the app's token, the mailbox in the directory, the Mail.Send permission.
                Diagnosis d = mailroom.diagnose(account);
                System.out.println("  connection test: " + (d.ok() ? "OK" : "FAILED"));
                for (DiagnosisStep s : d.steps()) {
                    System.out.println("    " + s.stage() + " " + s.outcome() + ": " + s.detail());
                }

                Receipt receipt = mailroom.send(MailContext.system(), Email.builder().to("kunde@example.org").bcc("archiv@contoso.example")
                        .subject("Ihr Ticket #4711").text("Guten Tag, …").build());
                System.out.println("  sent via " + receipt.transport() + " as " + receipt.accountAddress() + " -> " + receipt.serverReply()
                        + "; Exchange keeps the Sent copy");
                System.out.println("  token requests: " + identity.tokenCalls() + " (" + identity.requests().get(0).grantType()
                        + ", https://graph.microsoft.com/.default): one token for every mailbox of the app, renewed shortly before it expires");

                // Someone pasted the secret's ID instead of its value: the test stops at the token, says so, and names the fix.
                mailroom.oauth().registerClient(mailroom.oauth().client(CLIENT).orElseThrow().toBuilder()
                        .clientSecret(Secret.of("8c1f4e2a-secret-id-not-the-value")).build());
                DiagnosisStep failed = mailroom.diagnose(account).failure().orElseThrow();
                System.out.println("  with a wrong secret: " + failed.stage() + " " + failed.code() + " [Microsoft: "
                        + String.valueOf(failed.serverReply()).replaceAll(" Trace ID.*", "") + "]");
                System.out.println("    hint: " + failed.hint());
                System.out.println("  health: " + mailroom.health(AccountId.of("contoso")));
            }
            return graph.delivered();
        }
    }
}
