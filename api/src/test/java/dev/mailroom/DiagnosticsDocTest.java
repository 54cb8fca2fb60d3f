package dev.mailroom;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/diagnostics.md lists every error code with its category, whether it is retryable and its hint, and no other code. */
final class DiagnosticsDocTest {
    private static final Pattern ROW = Pattern.compile("^\\| `([A-Z0-9_]+)` \\| ([A-Z]+) \\| (yes|no) \\| (.*) \\| (.*) \\|$");

    @Test
    @DisplayName("C5: docs/diagnostics.md is in step with MailErrorCode (category, retryable, hint)")
    void diagnosticsDoc_matchesEnum() throws IOException {
        Path doc = Path.of("..", "docs", "diagnostics.md");
        List<String> problems = new ArrayList<>();
        Set<MailErrorCode> seen = EnumSet.noneOf(MailErrorCode.class);
        for (String line : Files.readAllLines(doc)) {
            Matcher m = ROW.matcher(line);
            if (!m.matches()) {
                continue;
            }
            MailErrorCode code;
            try {
                code = MailErrorCode.valueOf(m.group(1));
            } catch (IllegalArgumentException e) {
                problems.add(m.group(1) + " is documented but is no MailErrorCode");
                continue;
            }
            if (!seen.add(code)) {
                problems.add(code + " is documented twice");
            }
            if (!m.group(2).equals(code.category().name())) {
                problems.add(code + ": category " + m.group(2) + " in the doc, " + code.category() + " in the code");
            }
            if (m.group(3).equals("yes") != code.retryable()) {
                problems.add(code + ": retryable " + m.group(3) + " in the doc, " + code.retryable() + " in the code");
            }
            if (!m.group(5).replace("\\|", "|").equals(code.hint())) {
                problems.add(code + ": the hint differs from the code's: " + code.hint());
            }
        }
        for (MailErrorCode code : MailErrorCode.values()) {
            if (!seen.contains(code)) {
                problems.add(code + " is missing from docs/diagnostics.md");
            }
        }
        assertThat(problems).as("regenerate the table rows of docs/diagnostics.md").isEmpty();
    }
}
