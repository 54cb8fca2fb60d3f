package dev.mailroom.examples.quickstart;

import dev.mailroom.testkit.FakeGraphApi;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The Microsoft 365 part of the quickstart: app credentials, connection test, Graph send, a wrong secret explained. */
final class MicrosoftQuickstartIT {
    @Test
    @DisplayName("D4, D5, A9: the quickstart sends as a Microsoft 365 mailbox with app credentials through Graph and explains a wrong secret; no secret printed")
    void microsoftQuickstart() {
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        List<FakeGraphApi.Delivered> delivered;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            delivered = MicrosoftQuickstart.run();
        } finally {
            System.setOut(out);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        assertThat(delivered).hasSize(1);
        assertThat(delivered.get(0).recipients()).containsExactly("kunde@example.org", "archiv@contoso.example");
        assertThat(text).contains("connection test: OK").contains("sent via graph as " + MicrosoftQuickstart.MAILBOX + " -> 202")
                .contains("with a wrong secret: TOKEN OAUTH_CLIENT_REJECTED").contains("AADSTS7000215").contains("Secret ID")
                .doesNotContain("quickstart-client-secret-value").doesNotContain("secret-id-not-the-value");
    }
}
