package dev.mailroom.inbound;

import dev.mailroom.AccountId;
import dev.mailroom.testkit.MailServerExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;

import static dev.mailroom.inbound.Fixtures.deliver;
import static dev.mailroom.inbound.Fixtures.imapAccount;
import static dev.mailroom.inbound.Fixtures.message;
import static org.assertj.core.api.Assertions.assertThat;

/** F1: size and MIME limits at fetch time. */
final class LimitsIT {
    @RegisterExtension
    final MailServerExtension mail = MailServerExtension.builder().user(Fixtures.USER, Fixtures.PASSWORD).build();

    private final InMemoryInboundState state = new InMemoryInboundState();
    private final Fixtures.Tickets tickets = new Fixtures.Tickets();
    private final Inbound inbound = Inbound.builder(state, tickets).build();

    @Test
    @DisplayName("F1: a mail above the size limit (RFC822.SIZE) is imported with its header block only, flagged truncated")
    void oversizedIsHeadersOnly() throws Exception {
        deliver(mail, message("big", "Riesig", "x".repeat(8000)));
        FetchReport r = inbound.fetch(imapAccount(mail), FetchOptions.builder().maxMessageSize(4096).build());
        assertThat(r.truncated()).isEqualTo(1);
        FetchedMail m = tickets.tickets.get(0);
        assertThat(m.truncated()).isTrue();
        assertThat(m.subject()).isEqualTo("Riesig");
        assertThat(m.text()).isEmpty();
        assertThat(m.serverSize()).isGreaterThan(8000);
        assertThat(new String(m.openRaw().readAllBytes(), StandardCharsets.UTF_8)).doesNotContain("xxxx");
    }

    @Test
    @DisplayName("F1: a deeply nested multipart (200 levels; GreenMail itself needs long to store deeper ones, PipelineTest takes 5,000) goes to quarantine"
            + " at once over IMAP; the next mail is imported")
    void mimeBombQuarantined() {
        deliver(mail, MimeShapes.nested(200));
        deliver(mail, message("ok", "Normal", "x"));
        long start = System.nanoTime();
        FetchReport r = inbound.fetch(imapAccount(mail), FetchOptions.defaults());
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(r.quarantined()).isEqualTo(1);
        assertThat(state.quarantined(AccountId.of("support")).get(0).reason()).startsWith("MIME_NESTING_LIMIT");
        assertThat(tickets.subjects()).containsExactly("Normal");
        assertThat(ms).isLessThan(5000);
    }
}
