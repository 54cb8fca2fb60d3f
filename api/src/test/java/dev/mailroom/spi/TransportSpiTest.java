package dev.mailroom.spi;

import dev.mailroom.DiagnosisStep;
import dev.mailroom.EmailAddress;
import dev.mailroom.Security;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The value types of the transport seam (issue #11). */
final class TransportSpiTest {
    private static final EmailAddress FROM = EmailAddress.of("app@acme.test");

    @Test
    @DisplayName("#11: an outgoing message writes its bytes as given, any number of times; the envelope is validated")
    void outgoingMessage_bytes() throws Exception {
        byte[] bytes = "Subject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);
        OutgoingMessage m = OutgoingMessage.builder("<1@acme.test>", FROM, List.of(EmailAddress.of("a@example.test"))).content(bytes).build();
        for (int i = 0; i < 2; i++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            m.writeTo(out);
            assertThat(out.toByteArray()).isEqualTo(bytes);
        }
        assertThat(m.size()).isEqualTo(bytes.length);
        assertThat(m.sizeExact()).isTrue();
        assertThat(m.copyToSent()).isTrue();
        assertThat(m.partialDelivery()).isFalse();
        OutgoingMessage partial = m.toBuilder().partialDelivery(true).sizeEstimate(-5).build();
        assertThat(partial.partialDelivery()).isTrue();
        assertThat(partial.size()).isEqualTo(-1);
        assertThat(partial.sizeExact()).isFalse();
        assertThatThrownBy(() -> OutgoingMessage.builder("<1@acme.test>", FROM, List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OutgoingMessage.builder("<1@acme.test>", FROM, List.of(FROM)).build()).isInstanceOf(NullPointerException.class);
    }

    @Test
    @DisplayName("#11: a send result is built, copied with its Sent-copy outcome, and compared by value")
    void sendResult_builder() {
        SendResult r = SendResult.builder("250 ok").accepted(List.of(FROM))
                .refused(List.of(new SendResult.RefusedRecipient(EmailAddress.of("b@example.test"), "450 later", true))).build();
        SendResult copied = r.withSentCopy("Sent", null);
        assertThat(copied.sentCopy()).isEqualTo("Sent");
        assertThat(copied.refused()).isEqualTo(r.refused());
        assertThat(copied.toBuilder().sentCopy(null).build()).isEqualTo(r);
    }

    @Test
    @DisplayName("#11: diagnosis stages are open: well-known constants, and a transport's own by name")
    void stages_open() {
        assertThat(DiagnosisStep.Stage.of("AUTH")).isSameAs(DiagnosisStep.Stage.AUTH);
        DiagnosisStep.Stage own = DiagnosisStep.Stage.of("API_QUOTA");
        assertThat(own).isEqualTo(DiagnosisStep.Stage.of("API_QUOTA")).isNotEqualTo(DiagnosisStep.Stage.AUTH);
        assertThat(own.toString()).isEqualTo("API_QUOTA");
        assertThat(DiagnosisStep.Stage.wellKnown()).contains(DiagnosisStep.Stage.TOKEN, DiagnosisStep.Stage.PERMISSION, DiagnosisStep.Stage.MAILBOX);
        assertThatThrownBy(() -> DiagnosisStep.Stage.of("auth check")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("#11: a transport context has finite defaults, and its builder refuses infinite timeouts and DEFAULT security")
    void context_defaultsAndValidation() {
        TransportContext c = TransportContext.defaults();
        assertThat(c.connectTimeout()).isPositive();
        assertThat(c.poolLimits()).isEqualTo(PoolLimits.defaults());
        assertThat(c.accessTokens()).isSameAs(AccessTokens.none());
        assertThat(c.tlsServerName(null)).isEmpty();
        assertThatThrownBy(() -> TransportContext.builder().timeouts(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TransportContext.builder().hostDefaultSecurity(Security.DEFAULT)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PoolLimits(0, Duration.ofSeconds(1), Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        TransportContext interfaceOnly = new TransportContext() { };
        assertThat(interfaceOnly.readTimeout()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    @DisplayName("#11: an access token never shows its value; expiry is known or not")
    void accessToken_redacted() {
        AccessToken t = AccessToken.of("ya29.secret", Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(t.toString()).doesNotContain("ya29");
        assertThat(t.expiredAt(Instant.parse("2026-01-01T00:00:00Z"))).isTrue();
        assertThat(AccessToken.of("x").expiredAt(Instant.MAX)).isFalse();
        assertThatThrownBy(() -> AccessToken.of(" ")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("#11: capabilities default to password logins, no provider Sent copy, no fixed size limit")
    void capabilities_defaults() {
        TransportCapabilities c = TransportCapabilities.defaults();
        assertThat(c.sentCopyByProvider()).isFalse();
        assertThat(c.maxMessageSize()).isEqualTo(-1);
        assertThat(c.smtpUtf8()).isTrue();
        assertThat(c.supports(TransportCapabilities.AuthenticationKind.PASSWORD)).isTrue();
        assertThat(c.supports(TransportCapabilities.AuthenticationKind.OAUTH2)).isFalse();
        assertThatThrownBy(() -> TransportCapabilities.builder().maxMessageSize(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("#11: every kind of account authentication maps to one kind of transport login")
    void authenticationKind_mapsEveryKind() {
        for (dev.mailroom.Authentication.Kind k : dev.mailroom.Authentication.Kind.values()) {
            assertThat(TransportCapabilities.AuthenticationKind.of(k)).isNotNull();
        }
        assertThat(TransportCapabilities.AuthenticationKind.of(dev.mailroom.Authentication.Kind.MICROSOFT_APP))
                .isEqualTo(TransportCapabilities.AuthenticationKind.APP_CREDENTIALS);
        assertThat(TransportCapabilities.AuthenticationKind.of(dev.mailroom.Authentication.Kind.OAUTH2))
                .isEqualTo(TransportCapabilities.AuthenticationKind.OAUTH2);
    }
}
