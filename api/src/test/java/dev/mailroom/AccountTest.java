package dev.mailroom;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class AccountTest {

    @Test
    @DisplayName("A1/A7: build() reports every invalid field at once, by name")
    void build_invalidFields_reportsEachField() {
        assertThatThrownBy(() -> Account.builder().email("no-at-sign").smtp("smtp://mail.example.com", 0, Security.TLS)
                .senderAddress("a@@b").tenant(" ").build())
                .isInstanceOfSatisfying(MailException.class, e -> {
                    assertThat(e.code()).isEqualTo(MailErrorCode.INVALID_ACCOUNT);
                    assertThat(e.fieldProblems()).extracting(FieldProblem::field).containsExactlyInAnyOrder(
                            AccountField.DESCRIPTION, AccountField.EMAIL, AccountField.SENDER_ADDRESS,
                            AccountField.SMTP_HOST, AccountField.SMTP_PORT, AccountField.OWNER);
                    assertThat(e.getMessage()).contains("smtpHost: 'smtp://mail.example.com' is not a host name");
                });
    }

    @Test
    @DisplayName("A1: toString never prints the password")
    void toString_hidesSecret() {
        Account a = Account.builder().description("Support").email("support@acme.test")
                .authentication(Authentication.password("support@acme.test", Secret.of("hunter2"))).build();
        assertThat(a.toString()).doesNotContain("hunter2").contains("****");
        assertThat(a.authentication().orElseThrow().toString()).doesNotContain("hunter2");
    }

    @Test
    @DisplayName("A7: redacted() replaces secrets with the stored placeholder")
    void redacted_replacesSecret() {
        Account a = Account.builder().description("Support").email("support@acme.test")
                .authentication(Authentication.password("support@acme.test", Secret.of("hunter2"))).build();
        Secret s = a.redacted().authentication().orElseThrow().secret().orElseThrow();
        assertThat(s.isPlaceholder()).isTrue();
        assertThatThrownBy(s::reveal).isInstanceOf(IllegalStateException.class).hasMessageContaining("write-only");
    }

    @Test
    @DisplayName("A5: department and user accounts cannot be system accounts")
    void userAccount_cannotBeSystemAccount() {
        assertThatThrownBy(() -> Account.builder().description("Max").email("max@acme.test").user("u-1").systemAccount(true).build())
                .isInstanceOfSatisfying(MailException.class, e ->
                        assertThat(e.fieldProblems()).extracting(FieldProblem::field).containsExactly(AccountField.OWNER));
    }

    @Test
    @DisplayName("B8: a local relay is localhost, plain SMTP, no login")
    void localRelay_setsRelayDefaults() {
        Account a = Account.builder().description("MTA").email("app@acme.test").localRelay(25).build();
        assertThat(a.smtpHost()).contains("localhost");
        assertThat(a.smtpSecurity()).contains(Security.NONE);
        assertThat(a.authentication()).contains(Authentication.none());
        assertThatThrownBy(() -> a.toBuilder().authentication(Authentication.password("x", Secret.of("y"))).build())
                .isInstanceOf(MailException.class).hasMessageContaining("local relay does not log in");
    }

    @Test
    @DisplayName("A6/B3: an account owns its address and its sender address, domain case-insensitive")
    void owns_addressAndSenderAddress() {
        Account a = Account.builder().description("Sales").email("sales@acme.test").senderAddress("info@acme.test").build();
        assertThat(a.owns(EmailAddress.of("sales@ACME.test"))).isTrue();
        assertThat(a.owns(EmailAddress.of("info@acme.test"))).isTrue();
        assertThat(a.owns(EmailAddress.of("Sales@acme.test"))).isFalse();
    }
}
