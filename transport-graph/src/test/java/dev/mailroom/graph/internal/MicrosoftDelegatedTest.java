package dev.mailroom.graph.internal;

import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.OAuthClient;
import dev.mailroom.OAuthClientId;
import dev.mailroom.Secret;
import dev.mailroom.spi.TokenResponse;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** What the delegated flow reads from Microsoft's token replies: granted scopes and who consented. */
final class MicrosoftDelegatedTest {
    private static final String TENANT = "7f3c2a10-1b2c-4d5e-8f90-123456789abc";

    private static OAuthClient client(String directory, List<String> scopes) {
        return OAuthClient.builder(OAuthClientId.of("c"), "microsoft").clientId("app").clientSecret(Secret.of("s"))
                .redirectUri(URI.create("https://erp.example/cb")).directory(directory).scopes(scopes).build();
    }

    private static String idToken(String claims) {
        Base64.Encoder b = Base64.getUrlEncoder().withoutPadding();
        return b.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "." + b.encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + ".";
    }

    @Test
    @DisplayName("D5: Microsoft's spelling of a granted scope (short, other case) counts as the client's; offline_access, never listed, counts when tokens came")
    void grantedScopes() {
        OAuthClient c = client(TENANT, List.of("https://outlook.office.com/SMTP.Send", "https://outlook.office.com/IMAP.AccessAsUser.All", "offline_access"));
        assertThat(MicrosoftDelegated.granted(c, List.of("https://outlook.office.com/smtp.send", "IMAP.AccessAsUser.All")))
                .contains("https://outlook.office.com/SMTP.Send", "https://outlook.office.com/IMAP.AccessAsUser.All", "offline_access");
        assertThat(MicrosoftDelegated.granted(c, List.of("https://graph.microsoft.com/SMTP.Send"))).doesNotContain("https://outlook.office.com/SMTP.Send");
    }

    @Test
    @DisplayName("D5: the id token must be for this client and name its tenant; preferred_username is the mailbox; an email claim counts only with xms_edov")
    void identity() {
        OAuthClient c = client(TENANT, List.of());
        String iss = "https://login.microsoftonline.com/" + TENANT + "/v2.0";
        TokenResponse.GrantedIdentity id = MicrosoftDelegated.identity(c, idToken("{\"aud\":\"app\",\"iss\":\"" + iss + "\",\"tid\":\"" + TENANT
                + "\",\"oid\":\"o1\",\"preferred_username\":\"max@contoso.test\",\"email\":\"m@other.test\"}"));
        assertThat(id).isEqualTo(new TokenResponse.GrantedIdentity("max@contoso.test", true, List.of()));
        assertThat(MicrosoftDelegated.identity(c, idToken("{\"aud\":\"app\",\"iss\":\"" + iss + "\",\"tid\":\"" + TENANT
                + "\",\"oid\":\"o1\",\"preferred_username\":\"max@contoso.test\",\"email\":\"max@contoso.example\",\"xms_edov\":true}")).aliases())
                .containsExactly("max@contoso.example");
        assertThat(MicrosoftDelegated.identity(c, idToken("{\"aud\":\"app\",\"iss\":\"" + iss + "\",\"tid\":\"" + TENANT
                + "\",\"oid\":\"o1\",\"email\":\"max@contoso.test\"}")).verified()).isFalse();
        for (String bad : List.of("{\"aud\":\"other-app\",\"iss\":\"" + iss + "\",\"tid\":\"" + TENANT + "\",\"oid\":\"o1\",\"preferred_username\":\"a@b.c\"}",
                "{\"aud\":\"app\",\"iss\":\"https://evil.example/x/v2.0\",\"tid\":\"" + TENANT + "\",\"oid\":\"o1\",\"preferred_username\":\"a@b.c\"}",
                "{\"aud\":\"app\",\"iss\":\"" + iss + "\",\"tid\":\"" + TENANT + "\",\"preferred_username\":\"a@b.c\"}")) {
            MailException e = catchThrowableOfType(MailException.class, () -> MicrosoftDelegated.identity(c, idToken(bad)));
            assertThat(e.code()).as(bad).isEqualTo(MailErrorCode.OAUTH_WRONG_ACCOUNT);
        }
        // a domain as directory cannot be compared with the tid GUID: the tenant-specific authority vouches for it
        assertThat(MicrosoftDelegated.identity(client("contoso.onmicrosoft.com", List.of()), idToken("{\"aud\":\"app\",\"iss\":\"" + iss
                + "\",\"tid\":\"" + TENANT + "\",\"oid\":\"o1\",\"preferred_username\":\"max@contoso.test\"}")).email()).isEqualTo("max@contoso.test");
    }

    @Test
    @DisplayName("D5: personal accounts (tenant 9188040d-...), guests (idp other than iss) and an issuer on another host than the authority are refused")
    void identity_personalGuestAndForeignIssuer() {
        String msa = "9188040d-6c67-4c5b-b112-36a304b66dad";
        OAuthClient common = client("common", List.of());
        String msaIss = "https://login.microsoftonline.com/" + msa + "/v2.0";
        MailException personal = catchThrowableOfType(MailException.class, () -> MicrosoftDelegated.identity(common, idToken("{\"aud\":\"app\",\"iss\":\""
                + msaIss + "\",\"tid\":\"" + msa + "\",\"oid\":\"o1\",\"preferred_username\":\"max@outlook.test\"}")));
        assertThat(personal.code()).isEqualTo(MailErrorCode.OAUTH_WRONG_ACCOUNT);
        assertThat(personal.getMessage()).contains("personal");
        String iss = "https://login.microsoftonline.com/" + TENANT + "/v2.0";
        MailException guest = catchThrowableOfType(MailException.class, () -> MicrosoftDelegated.identity(client(TENANT, List.of()), idToken(
                "{\"aud\":\"app\",\"iss\":\"" + iss + "\",\"tid\":\"" + TENANT + "\",\"oid\":\"o1\",\"idp\":\"https://sts.windows.net/"
                + "0d9e8f7a-6b5c-4d3e-2f1a-0b9c8d7e6f5a/\",\"preferred_username\":\"max@contoso.test\"}")));
        assertThat(guest.code()).isEqualTo(MailErrorCode.OAUTH_WRONG_ACCOUNT);
        assertThat(guest.getMessage()).contains("guest");
        MailException foreign = catchThrowableOfType(MailException.class, () -> MicrosoftDelegated.identity(client(TENANT, List.of()), idToken(
                "{\"aud\":\"app\",\"iss\":\"https://evil.example/" + TENANT + "/v2.0\",\"tid\":\"" + TENANT
                + "\",\"oid\":\"o1\",\"preferred_username\":\"max@contoso.test\"}")));
        assertThat(foreign.code()).isEqualTo(MailErrorCode.OAUTH_WRONG_ACCOUNT);
    }
}
