package dev.mailroom.inbound.internal;

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
                new MessagingException("A3 BAD User is authenticated but not connected."));
        assertThat(e.code()).isEqualTo(MailErrorCode.AUTH_FAILED);
        assertThat(e.serverReply()).contains("A3 BAD User is authenticated but not connected.");
        assertThat(e.hint()).contains("Add-MailboxPermission");
    }
}
