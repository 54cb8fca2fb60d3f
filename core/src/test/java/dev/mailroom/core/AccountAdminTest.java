package dev.mailroom.core;

import dev.mailroom.Account;
import dev.mailroom.AccountField;
import dev.mailroom.AccountId;
import dev.mailroom.Authentication;
import dev.mailroom.FieldProblem;
import dev.mailroom.MailException;
import dev.mailroom.OAuthClientId;
import dev.mailroom.Secret;
import dev.mailroom.SendSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class AccountAdminTest {
    private final InMemoryAccountRepository repo = new InMemoryAccountRepository();
    private final Mailroom mailroom = Mailroom.builder().accountRepository(repo).discoverTransports(false).build();

    @AfterEach
    void close() {
        mailroom.close();
    }

    private static Account account() {
        return Account.builder().id("a1").description("Support").email("support@acme.test").smtpHost("smtp.acme.test")
                .authentication(Authentication.password("support@acme.test", Secret.of("s3cret"))).build();
    }

    @Test
    @DisplayName("A7: create, list, update, delete; no read path returns a secret")
    void crud_neverReturnsSecrets() {
        Account created = mailroom.accounts().create(account());
        assertThat(created.authentication().orElseThrow().secret().orElseThrow().isPlaceholder()).isTrue();
        assertThat(mailroom.accounts().list()).singleElement()
                .satisfies(a -> assertThat(a.authentication().orElseThrow().secret().orElseThrow().isPlaceholder()).isTrue());
        assertThat(mailroom.accounts().get(AccountId.of("a1")).orElseThrow().toString()).doesNotContain("s3cret");
        assertThat(mailroom.accounts().delete(AccountId.of("a1"))).isTrue();
        assertThat(mailroom.accounts().list()).isEmpty();
    }

    @Test
    @DisplayName("A7: an update without a new secret keeps the stored one; a new secret replaces it")
    void update_placeholderKeepsSecret() {
        mailroom.accounts().create(account());
        Account fromUi = mailroom.accounts().get(AccountId.of("a1")).orElseThrow();
        mailroom.accounts().update(fromUi.toBuilder().description("Support desk").build());
        Account stored = repo.find(AccountId.of("a1")).orElseThrow();
        assertThat(stored.description()).isEqualTo("Support desk");
        assertThat(stored.authentication().orElseThrow().secret().orElseThrow().reveal()).isEqualTo("s3cret");

        mailroom.accounts().update(fromUi.toBuilder().authentication(Authentication.password("support@acme.test", Secret.of("n3w"))).build());
        assertThat(repo.find(AccountId.of("a1")).orElseThrow().authentication().orElseThrow().secret().orElseThrow().reveal()).isEqualTo("n3w");
    }

    @Test
    @DisplayName("A7: field-level errors before anything is stored")
    void create_invalid_storesNothing() {
        mailroom.accounts().create(account());
        assertThatThrownBy(() -> mailroom.accounts().create(account()))
                .isInstanceOfSatisfying(MailException.class, e ->
                        assertThat(e.fieldProblems()).extracting(FieldProblem::field).containsExactly(AccountField.ID));
        assertThatThrownBy(() -> mailroom.accounts().create(account().toBuilder().id("a2")
                .authentication(Authentication.password("x@acme.test", Secret.stored())).build()))
                .isInstanceOfSatisfying(MailException.class, e ->
                        assertThat(e.fieldProblems()).extracting(FieldProblem::field).containsExactly(AccountField.AUTHENTICATION));
        assertThatThrownBy(() -> mailroom.accounts().update(account().toBuilder().id("missing").build()))
                .isInstanceOf(MailException.class).hasMessageContaining("use create");
        assertThat(repo.findAll()).hasSize(1);
    }

    @Test
    @DisplayName("#11/D1: a login that refers to a registered client has no secret to keep; a password placeholder after it is refused")
    void update_clientReference_noSecret() {
        Account oauth = account().toBuilder().sending(SendSettings.gmailApi())
                .authentication(Authentication.oauth2("support@acme.test", OAuthClientId.of("acme-google"))).build();
        mailroom.accounts().create(oauth);
        Account fromUi = mailroom.accounts().get(AccountId.of("a1")).orElseThrow();
        assertThat(fromUi).isEqualTo(oauth);
        mailroom.accounts().update(fromUi.toBuilder().authentication(
                Authentication.microsoftApp("dir-1", OAuthClientId.of("acme-microsoft"))).sending(SendSettings.graph()).build());
        assertThat(repo.find(AccountId.of("a1")).orElseThrow().authentication().orElseThrow().kind())
                .isEqualTo(Authentication.Kind.MICROSOFT_APP);
        assertThatThrownBy(() -> mailroom.accounts().update(fromUi.toBuilder()
                .authentication(Authentication.password("support@acme.test", Secret.stored())).build()))
                .isInstanceOfSatisfying(MailException.class, e ->
                        assertThat(e.fieldProblems()).extracting(FieldProblem::field).containsExactly(AccountField.AUTHENTICATION));
    }

    @Test
    @DisplayName("#15 review: resolvedForConnection carries the stored secret, resolved() stays redacted, an unknown id is INVALID_ACCOUNT;"
            + " Mailroom#transportContext is the one context, stable until close")
    void resolvedForConnection_secrets_resolvedRedacted() {
        mailroom.accounts().create(account());
        assertThat(mailroom.accounts().resolvedForConnection(AccountId.of("a1")).authentication().orElseThrow().secret().orElseThrow().reveal())
                .isEqualTo("s3cret");
        assertThat(mailroom.accounts().resolved(AccountId.of("a1")).authentication().orElseThrow().secret().orElseThrow().isPlaceholder())
                .isTrue();
        assertThatThrownBy(() -> mailroom.accounts().resolvedForConnection(AccountId.of("nobody")))
                .isInstanceOfSatisfying(MailException.class, e -> assertThat(e.code()).isEqualTo(dev.mailroom.MailErrorCode.INVALID_ACCOUNT));
        assertThat(mailroom.transportContext()).isSameAs(mailroom.transportContext());
        assertThat(mailroom.transportContext().accessTokens()).isNotNull();
    }
}
