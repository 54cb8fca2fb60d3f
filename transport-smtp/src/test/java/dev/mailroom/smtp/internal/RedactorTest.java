package dev.mailroom.smtp.internal;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

final class RedactorTest {

    @Test
    @DisplayName("C4: a secret longer than the protocol log's line limit is redacted before the line is shortened, never cut into a visible part")
    void longSecret_redactedBeforeTheLineIsShortened() {
        List<String> lines = new ArrayList<>();
        Redactor r = new Redactor("app@acme.test", null, lines::add);
        String token = "ya29." + "t".repeat(3_000);
        r.secret(token);
        byte[] echoed = ("500 5.5.2 unrecognized command: " + token + "\r\n").getBytes(StandardCharsets.US_ASCII);
        r.write(echoed, 0, echoed.length);
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).isEqualTo("500 5.5.2 unrecognized command: ****").doesNotContain("ttttt");
    }

    @Test
    @DisplayName("C4: a long line without secrets is still shortened to 2,000 characters")
    void longLine_shortened() {
        List<String> lines = new ArrayList<>();
        Redactor r = new Redactor(null, null, lines::add);
        byte[] line = ("250 " + "x".repeat(5_000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        r.write(line, 0, line.length);
        assertThat(lines.get(0)).hasSize(2_001).endsWith("…");
    }
}
