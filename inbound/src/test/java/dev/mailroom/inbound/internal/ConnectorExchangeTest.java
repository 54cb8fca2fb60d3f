package dev.mailroom.inbound.internal;

import dev.mailroom.Authentication;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import jakarta.mail.MessagingException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Exchange Online's replies to logins that it takes but will not let into the mailbox. */
final class ConnectorExchangeTest {
    @Test
    @DisplayName("D5, F10: 'BAD User is authenticated but not connected' (Exchange: no permission on the mailbox) is AUTH_FAILED with the mailbox-permission hint, not a lost connection to retry")
    void authenticatedButNotConnected() {
        MailException e = Connector.failure("opening folder INBOX of account support",
                new MessagingException("A3 BAD User is authenticated but not connected."), Authentication.Kind.MICROSOFT_APP);
        assertThat(e.code()).isEqualTo(MailErrorCode.AUTH_FAILED);
        assertThat(e.serverReply()).contains("A3 BAD User is authenticated but not connected.");
        assertThat(e.hint()).contains("Add-MailboxPermission");
    }

    @Test
    @DisplayName("D5, F10: the same reply to a password or delegated OAuth login is SERVER_BUSY (retried) with a hint for the mailbox (licensed, IMAP/POP enabled, Exchange busy), not the service-principal one")
    void authenticatedButNotConnected_userLogin() {
        for (Authentication.Kind kind : java.util.List.of(Authentication.Kind.PASSWORD, Authentication.Kind.OAUTH2)) {
            MailException e = Connector.failure("opening folder INBOX of account support",
                    new MessagingException("A3 BAD User is authenticated but not connected."), kind);
            assertThat(e.code()).as(kind.name()).isEqualTo(MailErrorCode.SERVER_BUSY);
            assertThat(e.serverReply()).contains("A3 BAD User is authenticated but not connected.");
            assertThat(e.hint()).as(kind.name()).doesNotContain("service principal").contains("licens").contains("Set-CASMailbox");
        }
    }
}
