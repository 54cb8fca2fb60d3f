package dev.mailroom.spi;

import dev.mailroom.EmailAddress;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Findings of the review of the transport seam (issue #11). */
final class TransportSpiReviewTest {
    private static final EmailAddress FROM = EmailAddress.of("app@acme.test");
    private static final List<EmailAddress> TO = List.of(EmailAddress.of("a@example.test"));

    @Test
    @DisplayName("#11 review: an outgoing message built from an array keeps its bytes when the caller changes the array")
    void content_arrayIsCopied() throws Exception {
        byte[] bytes = "Subject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);
        OutgoingMessage m = OutgoingMessage.builder("<1@acme.test>", FROM, TO).content(bytes).build();
        bytes[0] = 'X';
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.writeTo(out);
        assertThat(out.toString(StandardCharsets.US_ASCII)).startsWith("Subject: x");
    }

    @Test
    @DisplayName("#11 review: a Message-ID must be <...> with visible ASCII: blank, bare, or with a line break is refused")
    void messageId_validated() {
        for (String bad : new String[] {"", " ", "1@acme.test", "<>", "<1@acme.test", "1@acme.test>", "<1@acme.test>\r\nBcc: x@evil.test",
                "<1 @acme.test>", "< 1@acme.test>", "<<1@acme.test>>"}) {
            assertThatThrownBy(() -> OutgoingMessage.builder(bad, FROM, TO)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("messageId").hasMessageNotContaining("\r\n");
        }
        assertThat(OutgoingMessage.builder("<a.b-c$1@acme.test>", FROM, TO).content(new byte[] {'x'}).build().messageId()).isEqualTo("<a.b-c$1@acme.test>");
    }

    @Test
    @DisplayName("#11 review: access tokens are equal by value and expiry (compared in constant time)")
    void accessToken_equality() {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        assertThat(AccessToken.of("ya29.a", t)).isEqualTo(AccessToken.of("ya29.a", t)).hasSameHashCodeAs(AccessToken.of("ya29.a", t));
        assertThat(AccessToken.of("ya29.a", t)).isNotEqualTo(AccessToken.of("ya29.b", t)).isNotEqualTo(AccessToken.of("ya29.a"))
                .isNotEqualTo(AccessToken.of("ya29.ab", t));
    }

    @Test
    @DisplayName("#11 review: a transport context's toString never shows the host's token source, which may print secrets")
    void context_toString_hidesTokenSource() {
        AccessTokens leaky = new AccessTokens() {
            @Override
            public AccessToken token(dev.mailroom.ResolvedAccount account) {
                throw new UnsupportedOperationException();
            }

            @Override
            public AccessToken refresh(dev.mailroom.ResolvedAccount account, AccessToken rejected) {
                throw new UnsupportedOperationException();
            }

            @Override
            public String toString() {
                return "TokenSource[clientSecret=s3cr3t]";
            }
        };
        TransportContext c = TransportContext.builder().accessTokens(leaky).build();
        assertThat(c.toString()).doesNotContain("s3cr3t").contains("access tokens from the host");
    }

    @Test
    @DisplayName("#11 review: TLS per account: own trust under a key, a verification name; the builder's function is used for tls() and tlsServerName()")
    void accountTls_perAccount() throws Exception {
        SSLContext own = SSLContext.getInstance("TLS");
        own.init(null, null, null);
        TransportContext c = TransportContext.builder().accountTls(a -> AccountTls.trust("tenant-ca-1", own).verifyAs("relay.acme.test")).build();
        assertThat(c.tls(null)).isSameAs(own);
        assertThat(c.tlsServerName(null)).contains("relay.acme.test");
        assertThat(c.accountTls(null).key()).isEqualTo("tenant-ca-1");
        assertThat(c.accountTls(null).toString()).contains("tenant-ca-1", "relay.acme.test");
        TransportContext plain = TransportContext.defaults();
        assertThat(plain.accountTls(null)).isEqualTo(AccountTls.mailroomWide());
        assertThat(plain.tls(null)).isSameAs(plain.defaultTls());
        assertThatThrownBy(() -> AccountTls.trust(" ", own)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AccountTls.mailroomWide().verifyAs("relay acme")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TransportContext.builder().accountTls(a -> null).build().tls(null)).isInstanceOf(NullPointerException.class);
    }
}
