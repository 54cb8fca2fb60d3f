package dev.mailroom.smtp;

import dev.mailroom.AccountId;
import dev.mailroom.Attachment;
import dev.mailroom.Email;
import dev.mailroom.MailContext;
import dev.mailroom.Security;
import dev.mailroom.core.InMemoryAccountRepository;
import dev.mailroom.core.Mailroom;
import dev.mailroom.testkit.SmtpTestServer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

final class SmtpProtocolLogIT {
    private final InMemoryAccountRepository repo = new InMemoryAccountRepository();

    record Line(AccountId account, String text) {
    }

    @Test
    @DisplayName("C4: the debug flag logs the dialog per account; passwords, AUTH data and message content never appear")
    void debugAccount_logsRedactedDialog() {
        String password = "Sup3r-S3cret!";
        try (SmtpTestServer server = SmtpTestServer.builder().tls(SmtpTestServer.Tls.STARTTLS).user("app@acme.test", password).build().start()) {
            repo.save(SmtpFixtures.withLogin(SmtpFixtures.systemAccount(server.host(), server.port(), Security.STARTTLS), "app@acme.test", password)
                    .debug(true).build());
            List<Line> lines = new CopyOnWriteArrayList<>();
            try (Mailroom m = SmtpFixtures.mailroom(repo, (id, l) -> lines.add(new Line(id, l)))) {
                m.send(MailContext.system(), Email.builder().to("kunde@example.test").subject("Geheim").text("BODY-CONTENT-12345")
                        .attach(Attachment.of("a.txt", "text/plain", "ATTACHMENT-CONTENT".getBytes(StandardCharsets.UTF_8))).build());
            }
            server.received().single();
            String all = String.join("\n", lines.stream().map(Line::text).toList());
            assertThat(lines).isNotEmpty().allMatch(l -> l.account().value().equals("system"));
            assertThat(lines).extracting(Line::text).contains("STARTTLS");
            assertThat(all).contains("EHLO").contains("MAIL FROM:<app@acme.test>").contains("not logged");
            assertThat(all).doesNotContain(password)
                    .doesNotContain(Base64.getEncoder().encodeToString(password.getBytes(StandardCharsets.UTF_8)))
                    .doesNotContain(Base64.getEncoder().encodeToString(("\0app@acme.test\0" + password).getBytes(StandardCharsets.UTF_8)))
                    .doesNotContain("BODY-CONTENT-12345").doesNotContain("ATTACHMENT-CONTENT");
        }
    }

    @Test
    @DisplayName("C4: accounts without the debug flag log nothing")
    void normalAccount_logsNothing() {
        try (SmtpTestServer server = SmtpTestServer.builder().build().start()) {
            repo.save(SmtpFixtures.systemAccount(server.host(), server.port(), Security.NONE).build());
            List<String> lines = new CopyOnWriteArrayList<>();
            try (Mailroom m = SmtpFixtures.mailroom(repo, (id, l) -> lines.add(l))) {
                m.send(MailContext.system(), SmtpFixtures.email());
            }
            assertThat(lines).isEmpty();
        }
    }
}
