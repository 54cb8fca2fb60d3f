package dev.mailroom.inbound;

import dev.mailroom.inbound.internal.ContentKeys;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** F2: the content key that survives a renumbered folder. */
final class ContentKeysTest {
    private static String key(String raw) {
        return ContentKeys.of(raw.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    @DisplayName("F2: the content key depends on the header block only, not on the body")
    void headerBlockOnly() {
        String h = "Message-ID: <A1@Example.test>\r\nSubject: x\r\n\r\n";
        assertThat(key(h + "body one")).isEqualTo(key(h + "body two")).hasSize(45);
        assertThat(key(h + "b")).isEqualTo(ContentKeys.of(ContentKeys.headerBlock((h + "b").getBytes(StandardCharsets.US_ASCII))));
    }

    @Test
    @DisplayName("F2: two mails that share a Message-ID but differ in their headers get different content keys")
    void sameIdOtherHeaders() {
        assertThat(key("Message-ID: <a@x>\r\nSubject: one\r\n\r\nb")).isNotEqualTo(key("Message-ID: <a@x>\r\nSubject: two\r\n\r\nb"));
    }
}
