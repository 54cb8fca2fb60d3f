package dev.mailroom;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

final class ResolvedAccountTest {
    private final Account defaults = Account.builder().description("Company defaults").email("it@acme.test").defaultsAccount(true)
            .smtp("smtp.acme.test", 2587, Security.STARTTLS).imap("imap.acme.test", null, Security.TLS)
            .clientAlias("erp.acme.test").build();

    @Test
    @DisplayName("A3: blank fields come from the defaults account; explicit values win; provenance per field")
    void blanksFromDefaults_explicitWins() {
        Account own = Account.builder().description("Sales").email("sales@acme.test").imap("imap2.acme.test", null, null)
                .authentication(Authentication.password("sales@acme.test", Secret.of("pw"))).build();
        ResolvedAccount r = ResolvedAccount.of(own, defaults, Security.NONE);
        assertThat(r.smtpHost()).contains("smtp.acme.test");
        assertThat(r.origin(AccountField.SMTP_HOST)).isEqualTo(Origin.DEFAULTS_ACCOUNT);
        assertThat(r.smtpPort()).isEqualTo(2587);
        assertThat(r.origin(AccountField.SMTP_PORT)).isEqualTo(Origin.DEFAULTS_ACCOUNT);
        assertThat(r.imapHost()).contains("imap2.acme.test");
        assertThat(r.origin(AccountField.IMAP_HOST)).isEqualTo(Origin.ACCOUNT);
        assertThat(r.imapPort()).isEqualTo(993);
        assertThat(r.origin(AccountField.IMAP_PORT)).isEqualTo(Origin.BUILT_IN);
        assertThat(r.clientAlias()).contains("erp.acme.test");
        assertThat(r.origin(AccountField.AUTHENTICATION)).isEqualTo(Origin.ACCOUNT);
        assertThat(r.defaultsAccountId()).contains(defaults.id());
    }

    @Test
    @DisplayName("A3/A8: a port is not inherited apart from its security (TLS never gets 587)")
    void ownSecurity_getsConventionalPort() {
        Account own = Account.builder().description("Sales").email("sales@acme.test").smtpSecurity(Security.TLS).build();
        ResolvedAccount r = ResolvedAccount.of(own, defaults, Security.NONE);
        assertThat(r.smtpSecurity()).isEqualTo(Security.TLS);
        assertThat(r.smtpPort()).isEqualTo(465);
        assertThat(r.origin(AccountField.SMTP_PORT)).isEqualTo(Origin.BUILT_IN);
    }

    @Test
    @DisplayName("A3/A8: a defaults account with DEFAULT security still lends its port")
    void defaultsWithHostSecurity_lendsPort() {
        Account company = Account.builder().description("Company").email("it@acme.test").defaultsAccount(true)
                .smtp("smtp.acme.test", 2525, Security.DEFAULT).build();
        Account own = Account.builder().description("System").email("noreply@acme.test").build();
        ResolvedAccount r = ResolvedAccount.of(own, company, Security.NONE);
        assertThat(r.smtpPort()).isEqualTo(2525);
        assertThat(r.origin(AccountField.SMTP_PORT)).isEqualTo(Origin.DEFAULTS_ACCOUNT);
        assertThat(r.origin(AccountField.SMTP_SECURITY)).isEqualTo(Origin.HOST_DEFAULT);
    }

    @Test
    @DisplayName("A8: DEFAULT security is the host's global choice, with its port")
    void defaultSecurity_isHostSetting() {
        Account own = Account.builder().description("Sales").email("sales@acme.test").smtp("smtp.x.test", null, Security.DEFAULT).build();
        ResolvedAccount r = ResolvedAccount.of(own, null, Security.TLS);
        assertThat(r.smtpSecurity()).isEqualTo(Security.TLS);
        assertThat(r.origin(AccountField.SMTP_SECURITY)).isEqualTo(Origin.HOST_DEFAULT);
        assertThat(r.smtpPort()).isEqualTo(465);
    }

    @Test
    @DisplayName("A2: an account without login data is reported field by field; the SMTP host is the SMTP provider's check (#11)")
    void problemsForSending_listsFields() {
        Account bare = Account.builder().description("Bare").email("bare@acme.test").build();
        assertThat(ResolvedAccount.of(bare, null, Security.STARTTLS).problemsForSending(true))
                .extracting(FieldProblem::field)
                .containsExactly(AccountField.AUTHENTICATION, AccountField.IMAP_HOST);
    }

    @Test
    @DisplayName("B3: the sender is the sender address and name when set")
    void sender_prefersSenderFields() {
        Account a = Account.builder().description("Sales").email("login@acme.test").displayName("Login")
                .senderAddress("sales@acme.test").senderName("ACME Sales").build();
        assertThat(ResolvedAccount.of(a, null, Security.STARTTLS).sender()).isEqualTo(EmailAddress.of("sales@acme.test", "ACME Sales"));
    }

    @Test
    @DisplayName("#11/A3: the way of sending is inherited with its SMTP values, field by field, and named as such")
    void sendKind_inherited() {
        Account own = Account.builder().description("Sales").email("sales@acme.test").build();
        ResolvedAccount r = ResolvedAccount.of(own, defaults, Security.NONE);
        assertThat(r.origin(AccountField.SENDING)).isEqualTo(Origin.DEFAULTS_ACCOUNT);
        assertThat(r.sending()).contains(SendSettings.smtp("smtp.acme.test", 2587, Security.STARTTLS).withClientAlias("erp.acme.test"));
        Account relay = Account.builder().description("MTA").email("mta@acme.test").localRelay(25).build();
        ResolvedAccount rr = ResolvedAccount.of(relay, defaults, Security.TLS);
        assertThat(rr.origin(AccountField.SENDING)).isEqualTo(Origin.ACCOUNT);
        assertThat(rr.smtpHost()).contains("localhost");
        assertThat(rr.clientAlias()).as("blank on the relay: from the defaults account").contains("erp.acme.test");
        assertThat(ResolvedAccount.of(own, null, Security.TLS).sending()).isEmpty();
        assertThat(ResolvedAccount.of(own, null, Security.TLS).origin(AccountField.SENDING)).isEqualTo(Origin.UNSET);
    }

    @Test
    @DisplayName("#11: an account that sends through the Gmail API or Graph gets no SMTP server from the defaults account")
    void apiKinds_doNotInheritSmtp() {
        Account gmail = Account.builder().description("Team").email("team@acme.test").sending(SendSettings.gmailApi())
                .authentication(Authentication.oauth2("team@acme.test", OAuthClientId.of("acme-google"))).build();
        ResolvedAccount r = ResolvedAccount.of(gmail, defaults, Security.STARTTLS);
        assertThat(r.smtpHost()).isEmpty();
        assertThat(r.origin(AccountField.SMTP_HOST)).isEqualTo(Origin.UNSET);
        assertThat(r.clientAlias()).isEmpty();
        assertThat(r.sending()).contains(SendSettings.gmailApi());
        assertThat(r.imapHost()).as("the mailbox is still filled").contains("imap.acme.test");
    }

    @Test
    @DisplayName("#11: fetching is never inherited; the mailbox servers are, field by field")
    void fetching_notInherited() {
        Account fetchingDefaults = defaults.toBuilder().fetching(FetchSettings.imap("imap.acme.test", null, Security.TLS)).build();
        Account own = Account.builder().description("Sales").email("sales@acme.test").build();
        ResolvedAccount r = ResolvedAccount.of(own, fetchingDefaults, Security.NONE);
        assertThat(r.fetching().protocol()).isEqualTo(FetchSettings.Protocol.NONE);
        assertThat(r.origin(AccountField.FETCHING)).isEqualTo(Origin.UNSET);
        assertThat(r.fetching().imapHost()).contains("imap.acme.test");
        assertThat(r.fetching().imapPort()).contains(993);
        ResolvedAccount fetching = ResolvedAccount.of(own.toBuilder().fetching(FetchSettings.pop3(null, null)).build(),
                fetchingDefaults, Security.NONE);
        assertThat(fetching.fetching().protocol()).isEqualTo(FetchSettings.Protocol.POP3);
        assertThat(fetching.origin(AccountField.FETCHING)).isEqualTo(Origin.ACCOUNT);
    }

    @Test
    @DisplayName("#11: a Gmail API or Graph account with blank authentication does not inherit the SMTP defaults account's password")
    void apiKind_doesNotInheritPassword() {
        Account company = Account.builder().description("Company").email("it@acme.test").defaultsAccount(true)
                .smtp("smtp.acme.test", 587, Security.STARTTLS).authentication(Authentication.password("it@acme.test", Secret.of("pw"))).build();
        for (SendSettings api : List.of(SendSettings.gmailApi(), SendSettings.graph())) {
            Account own = Account.builder().description("Sales").email("sales@acme.test").sending(api).build();
            ResolvedAccount r = ResolvedAccount.of(own, company, Security.NONE);
            assertThat(r.authentication()).as(api.kind().name()).isEmpty();
            assertThat(r.origin(AccountField.AUTHENTICATION)).isEqualTo(Origin.UNSET);
        }
        Account smtp = Account.builder().description("Sales").email("sales@acme.test").build();
        assertThat(ResolvedAccount.of(smtp, company, Security.NONE).authentication()).hasValueSatisfying(a ->
                assertThat(a.kind()).isEqualTo(Authentication.Kind.PASSWORD));
    }
}
