package dev.mailroom.examples.quickstart;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

final class QuickstartIT {
    @Test
    @DisplayName("README line 1: the quickstart runs end to end on embedded defaults")
    void quickstart_runsEndToEnd() {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            Quickstart.main(new String[0]);
        } finally {
            System.setOut(original);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("tenant acme's system account (A4)").contains("has none of its own (A4)")
                .contains("via smtp: OK").contains("SENDER_NOT_ALLOWED").contains("attachments [Rechnung-4711.pdf]")
                .contains("errors of the last 24 hours: 1")
                .contains("queued for u-42 <anna@acme.example> through account acme").contains("skipped u-43: OWN_CHANGE")
                .contains("skipped u-44: NO_ADDRESS").containsPattern("NOTIFICATION +SUCCESS").contains("'Aufgabe: Angebot 4711 prüfen' (Auto-Submitted: auto-generated)").contains("existing=true").contains("Quickstart finished.")
                .doesNotContain("system-pw").doesNotContain("acme-pw")
                .contains("11. A Google Workspace mailbox").doesNotContain("client-secret")
                .contains("ticket 1001 <- 'Drucker druckt nicht'").contains("'Ihre Anfrage [#1001]: Drucker druckt nicht' (Auto-Submitted: auto-replied)")
                .contains("Routing[FOLLOW_UP 1001 by SIGNED_REFERENCE").doesNotContain("support-pw");
    }

    @Test
    @DisplayName("D1, D2, D3, A9: the quickstart connects a Google mailbox: registry, consent (wrong account refused), Gmail API send, revoked grant shown as connect again")
    void googleQuickstart_connectsAndSends() {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        java.util.List<dev.mailroom.testkit.FakeGmailApi.Delivered> delivered;
        try (dev.mailroom.testkit.MailServerExtension smtp = dev.mailroom.testkit.MailServerExtension.builder().build().start()) {
            delivered = GoogleQuickstart.run(smtp);
            assertThat(smtp.awaitReceived(1).get(0).subject()).isEqualTo("Angebot 4711");
        } finally {
            System.setOut(original);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("code_challenge_method=S256").contains("OAUTH_WRONG_ACCOUNT").contains("someone@gmail.example")
                .contains("CONNECTED as support@acme.example").contains("sent via gmail").contains("sent via smtp with XOAUTH2 as sales@acme.example")
                .contains("OAUTH_GRANT_REVOKED").contains("CONSENT_REQUIRED").contains("AUTH_REQUIRED")
                .doesNotContain("client-secret");
        assertThat(delivered).hasSize(1);
        assertThat(delivered.get(0).recipients()).containsExactlyInAnyOrder("kunde@example.org", "archiv@acme.example");
    }
}
