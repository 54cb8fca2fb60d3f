package dev.mailroom.icu;

import dev.mailroom.Email;
import dev.mailroom.EmailAddress;
import dev.mailroom.MailException;
import dev.mailroom.core.internal.MessageRenderer;
import dev.mailroom.spi.DomainNames;
import dev.mailroom.core.internal.RenderedMessage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** #10.13: with this module on the class path, domain names follow UTS #46 (IDNA2008). */
final class IcuDomainNamesTest {
    @Test
    @DisplayName("#10.13: ServiceLoader finds the ICU implementation")
    void installed_isIcu() {
        assertThat(DomainNames.installed().description()).startsWith("UTS #46");
    }

    @Test
    @DisplayName("#10.13: faß.example goes out as xn--fa-hia.example (IDNA2008), never as fass.example (IDNA2003)")
    void eszett_keptAsWritten() {
        EmailAddress a = EmailAddress.of("kunde@faß.example");
        assertThat(a.withAsciiDomain().address()).isEqualTo("kunde@xn--fa-hia.example");
        MessageRenderer renderer = new MessageRenderer(Clock.systemUTC());
        EmailAddress sender = EmailAddress.of("app@straße.example");
        RenderedMessage m = renderer.render(Email.builder().to(a).subject("s").text("t").build(), sender, sender);
        assertThat(m.recipients()).extracting(EmailAddress::address).containsExactly("kunde@xn--fa-hia.example");
        assertThat(m.envelopeFrom().address()).isEqualTo("app@xn--strae-oqa.example");
    }

    @Test
    @DisplayName("#10.13: the EHLO name and plain host names are converted by the same function")
    void hostName() {
        assertThat(DomainNames.installed().toAscii("büro.example")).isEqualTo("xn--bro-hoa.example");
        assertThat(DomainNames.installed().toAscii("Bücher.Example")).isEqualTo("xn--bcher-kva.example");
    }

    @Test
    @DisplayName("#10.13: names UTS #46 refuses are refused as INVALID_EMAIL (joiner out of context, leading hyphen, long label)")
    void invalid_refused() {
        for (String address : new String[] {"a@x.-y.example", "a@" + "a".repeat(60) + "ü.example", "a@ab--cd.example"}) {
            assertThatThrownBy(() -> EmailAddress.of(address)).as(address).isInstanceOf(MailException.class);
        }
    }

    @Test
    @DisplayName("#10.13: UTS #39: a Latin/Cyrillic mix and an all-Cyrillic look-alike are flagged, an ordinary domain is not")
    void spoof() {
        assertThat(DomainNames.installed().spoofWarning("p\u0430ypal.com")).hasValueSatisfying(w -> assertThat(w).contains("mixes scripts"));
        assertThat(DomainNames.installed().spoofWarning("\u0441\u043e\u0441\u043e.com")).hasValueSatisfying(w -> assertThat(w).contains("look like Latin"));
        assertThat(DomainNames.installed().spoofWarning("bücher.example")).isEmpty();
        assertThat(DomainNames.installed().spoofWarning("xn--bcher-kva.example")).isEmpty();
        assertThat(DomainNames.installed().spoofWarning("株式会社.jp")).isEmpty();
    }
}
