package dev.mailroom.inbound;

import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** F5-F7: routing options refuse bad input with typed errors; subjects are normalized for bundling. */
final class TicketRoutingTest {
    @Test
    @DisplayName("F5: an invalid subject reference pattern is a typed error naming subjectReference")
    void badSubjectReference() {
        MailException broken = assertThrows(MailException.class, () -> TicketRouting.builder().subjectReference("[#(\\d+"));
        assertThat(broken.code()).isEqualTo(MailErrorCode.INVALID_ACCOUNT);
        assertThat(broken.getMessage()).contains("subjectReference");
        assertThat(assertThrows(MailException.class, () -> TicketRouting.builder().subjectReference("\\[#\\d+\\]")).getMessage())
                .contains("subjectReference").contains("group");
        assertThat(TicketRouting.builder().subjectReference("\\[Ticket#([A-Z0-9-]+)\\]").build().subjectReference()).isPresent();
        assertThat(TicketRouting.builder().noSubjectReference().build().subjectReference()).isEmpty();
    }

    @Test
    @DisplayName("F5-F7: defaults must not be blank, the bundling window and auto-reply limits are bounded, nulls refused")
    void badValues() {
        assertThat(assertThrows(MailException.class, () -> TicketRouting.builder().queue(" ")).getMessage()).contains("queue");
        assertThat(assertThrows(MailException.class, () -> TicketRouting.builder().bundleWithin(Duration.ZERO)).getMessage())
                .contains("bundleWithin");
        assertThat(assertThrows(MailException.class, () -> AutoReply.builder("s", "t").perSenderPerDay(0)).getMessage())
                .contains("perSenderPerDay");
        assertThat(assertThrows(MailException.class, () -> AutoReply.builder("", "t")).getMessage()).contains("subject");
        assertThrows(NullPointerException.class, () -> TicketRouting.builder().project(null));
        assertThrows(NullPointerException.class, () -> FetchOptions.builder().routing(null));
        assertThrows(IllegalArgumentException.class, () -> InboundResult.rejected(" "));
        assertThrows(IllegalArgumentException.class, () -> InboundResult.ticket("a\nb"));
    }

    @Test
    @DisplayName("F6: subjects are compared without Re:, AW:, WG:, Fwd: and the like, spacing and case")
    void normalizedSubjects() {
        assertThat(Router.normalizeSubject("AW: WG: Re[2]:  Drucker   defekt")).isEqualTo("drucker defekt");
        assertThat(Router.normalizeSubject("Fwd: RE: drucker defekt")).isEqualTo("drucker defekt");
        assertThat(Router.normalizeSubject("Reise: Berlin")).isEqualTo("reise: berlin");
        assertThat(Router.bundleKey("kunde@example.test", "AW: Drucker")).isEqualTo(Router.bundleKey("kunde@example.test", "drucker"));
        assertThat(Router.bundleKey("kunde@example.test", "Drucker")).isNotEqualTo(Router.bundleKey("chef@example.test", "Drucker"));
    }
}
