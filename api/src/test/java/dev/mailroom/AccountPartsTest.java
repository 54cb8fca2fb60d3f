package dev.mailroom;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class AccountPartsTest {
    private static Account.Builder base() {
        return Account.builder().id("a").description("Support").email("support@acme.test");
    }

    @Test
    @DisplayName("#11: the builder's SMTP and IMAP field methods and the parts are the same account")
    void fieldMethods_andParts_buildTheSameAccount() {
        Account byFields = base().smtp("smtp.acme.test", 587, Security.STARTTLS).clientAlias("erp.acme.test")
                .imap("imap.acme.test", 993, Security.TLS).pop3("pop.acme.test", 995).copyToSent(true, "Sent").build();
        Account byParts = base().sending(SendSettings.smtp("smtp.acme.test", 587, Security.STARTTLS).withClientAlias("erp.acme.test"))
                .fetching(FetchSettings.none().withImap("imap.acme.test", 993, Security.TLS).withPop3("pop.acme.test", 995)
                        .withSentFolder("Sent"))
                .copyToSent(true, "Sent").build();
        assertThat(byFields).isEqualTo(byParts);
        assertThat(byFields.sending()).contains(SendSettings.smtp("smtp.acme.test", 587, Security.STARTTLS).withClientAlias("erp.acme.test"));
        assertThat(byFields.fetching().protocol()).isEqualTo(FetchSettings.Protocol.NONE);
        assertThat(byParts.smtpHost()).contains("smtp.acme.test");
        assertThat(byParts.clientAlias()).contains("erp.acme.test");
        assertThat(byParts.imapPort()).contains(993);
        assertThat(byParts.sentFolder()).contains("Sent");
        assertThat(byParts.toBuilder().build()).isEqualTo(byParts);
    }

    @Test
    @DisplayName("#11: an account that sets nothing about sending has no send part (it sends as its defaults account)")
    void nothingSet_noSendPart() {
        Account a = base().build();
        assertThat(a.sending()).isEmpty();
        assertThat(a.fetching()).isEqualTo(FetchSettings.none());
        assertThat(base().smtpHost(null).build().sending()).as("clearing a blank field does not choose SMTP").isEmpty();
        assertThat(base().smtpSecurity(Security.TLS).build().sending()).hasValueSatisfying(s -> {
            assertThat(s.kind()).isEqualTo(SendSettings.Kind.SMTP);
            assertThat(s.host()).isEmpty();
        });
    }

    @Test
    @DisplayName("#11/B8: a local relay is a send kind; setting a part replaces every SMTP field set before")
    void localRelay_isAKind_sendingReplaces() {
        Account relay = base().localRelay(2525).build();
        assertThat(relay.localRelay()).isTrue();
        assertThat(relay.sending()).contains(SendSettings.localRelay(2525));
        assertThat(relay.sending().orElseThrow().kind().transport()).isEqualTo("smtp");

        Account gmail = relay.toBuilder().authentication(null).sending(SendSettings.gmailApi()).build();
        assertThat(gmail.localRelay()).isFalse();
        assertThat(gmail.smtpHost()).isEmpty();
        assertThat(gmail.smtpPort()).isEmpty();
        assertThat(gmail.sending().orElseThrow().kind().transport()).isEqualTo("gmail");
        assertThat(gmail.toBuilder().smtpHost("smtp.acme.test").build().sending().orElseThrow().kind())
                .as("an SMTP value makes it send over SMTP").isEqualTo(SendSettings.Kind.SMTP);
        assertThat(base().sending(SendSettings.graph()).build().sending().orElseThrow().kind().transport()).isEqualTo("graph");
        assertThat(base().localRelay(25).sending(null).build().sending()).isEmpty();
    }

    @Test
    @DisplayName("#11: fetching is a part of its own: IMAP or POP3, servers and Sent folder kept together")
    void fetching_protocols() {
        Account imap = base().fetching(FetchSettings.imap("imap.acme.test", null, Security.TLS)).build();
        assertThat(imap.fetching().protocol()).isEqualTo(FetchSettings.Protocol.IMAP);
        assertThat(imap.imapHost()).contains("imap.acme.test");
        Account pop = base().fetching(FetchSettings.pop3("pop.acme.test", 995)).build();
        assertThat(pop.fetching().protocol()).isEqualTo(FetchSettings.Protocol.POP3);
        assertThat(pop.pop3Port()).contains(995);
        assertThat(pop.toBuilder().imap("imap.acme.test", null, null).build().fetching().protocol())
                .as("naming a server does not change the protocol").isEqualTo(FetchSettings.Protocol.POP3);
    }

    @Test
    @DisplayName("#11: the part factories check their values like build(), naming the field")
    void parts_validate() {
        assertThatThrownBy(() -> SendSettings.smtp("smtp://x", 70000, Security.TLS)).isInstanceOfSatisfying(MailException.class, e -> {
            assertThat(e.code()).isEqualTo(MailErrorCode.INVALID_ACCOUNT);
            assertThat(e.fieldProblems()).extracting(FieldProblem::field).containsExactly(AccountField.SMTP_HOST, AccountField.SMTP_PORT);
        });
        assertThatThrownBy(() -> SendSettings.localRelay(0)).isInstanceOf(MailException.class);
        assertThatThrownBy(() -> SendSettings.gmailApi().withClientAlias("x")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> FetchSettings.imap("imap.acme.test", -1, null)).isInstanceOfSatisfying(MailException.class,
                e -> assertThat(e.fieldProblems()).extracting(FieldProblem::field).containsExactly(AccountField.IMAP_PORT));
        assertThatThrownBy(() -> FetchSettings.none().withSentFolder("a\nb")).isInstanceOfSatisfying(MailException.class,
                e -> assertThat(e.fieldProblems()).extracting(FieldProblem::field).containsExactly(AccountField.SENT_FOLDER));
        assertThatThrownBy(() -> base().clientAlias("not a host!").build()).isInstanceOfSatisfying(MailException.class,
                e -> assertThat(e.fieldProblems()).extracting(FieldProblem::field).containsExactly(AccountField.CLIENT_ALIAS));
    }

    @Test
    @DisplayName("#11/D1: OAuth and app credentials refer to a registered client and carry no secret; kind() names each kind")
    void authentication_refersToClient_andHasKind() {
        OAuthClientId google = OAuthClientId.of("acme-google");
        Authentication oauth = Authentication.oauth2("team@acme.test", google);
        Authentication app = Authentication.microsoftApp("dir-1", OAuthClientId.of("acme-microsoft"));
        assertThat(oauth.kind()).isEqualTo(Authentication.Kind.OAUTH2);
        assertThat(oauth.oauthClient()).contains(google);
        assertThat(oauth.username()).contains("team@acme.test");
        assertThat(oauth.secret()).isEmpty();
        assertThat(app.kind()).isEqualTo(Authentication.Kind.MICROSOFT_APP);
        assertThat(app.secret()).isEmpty();
        assertThat(app.redacted()).isSameAs(app);
        assertThat(Authentication.none().kind()).isEqualTo(Authentication.Kind.NONE);
        assertThat(Authentication.password("u", Secret.of("p")).kind()).isEqualTo(Authentication.Kind.PASSWORD);
        assertThat(Authentication.password("u", Secret.of("p")).oauthClient()).isEmpty();
        assertThat(app.toString()).contains("dir-1").contains("acme-microsoft");
        assertThatThrownBy(() -> OAuthClientId.of(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OAuthClientId.of("x".repeat(201))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Authentication.oauth2("u", null)).isInstanceOf(NullPointerException.class);
    }
}
