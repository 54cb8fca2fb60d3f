package dev.mailroom;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The result of a staged connection test: every stage with its outcome and the server's
 * exact replies, the server's capabilities, and the protocol transcript with credentials redacted.
 *
 * @param account the tested account's address
 * @param transport the transport that ran the test
 * @param steps the stages in order
 * @param capabilities the server's EHLO capability lines (after STARTTLS when used)
 * @param transcript the protocol dialog, credentials redacted
 */
public record Diagnosis(EmailAddress account, String transport, List<DiagnosisStep> steps, List<String> capabilities,
                        List<String> transcript) {
    /**
     * Validates and copies.
     *
     * @param account see the record description
     * @param transport see the record description
     * @param steps see the record description
     * @param capabilities see the record description
     * @param transcript see the record description
     */
    public Diagnosis {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(transport, "transport");
        steps = List.copyOf(steps);
        capabilities = List.copyOf(capabilities);
        transcript = List.copyOf(transcript);
    }

    /**
     * Whether every stage that ran passed.
     *
     * @return true if no stage failed
     */
    public boolean ok() {
        return steps.stream().noneMatch(s -> s.outcome() == DiagnosisStep.Outcome.FAILED);
    }

    /**
     * The first failed stage.
     *
     * @return the failure, if any
     */
    public Optional<DiagnosisStep> failure() {
        return steps.stream().filter(s -> s.outcome() == DiagnosisStep.Outcome.FAILED).findFirst();
    }

    /**
     * The step of a stage.
     *
     * @param stage the stage
     * @return the step, if the transport has that stage
     */
    public Optional<DiagnosisStep> step(DiagnosisStep.Stage stage) {
        return steps.stream().filter(s -> s.stage() == stage).findFirst();
    }

    /**
     * A multi-line report for an administrator.
     *
     * @return the report
     */
    public String report() {
        StringBuilder sb = new StringBuilder("Connection test of ").append(account.address()).append(" via ").append(transport)
                .append(ok() ? ": OK" : ": FAILED").append('\n');
        for (DiagnosisStep s : steps) {
            sb.append(String.format("  %-12s %-7s %s", s.stage(), s.outcome(), s.detail()));
            s.reply().ifPresent(r -> sb.append("\n               server: ").append(r.strip().replace("\n", "\n                       ")));
            if (s.code() != null) {
                sb.append("\n               ").append(s.code()).append(": ").append(s.hint());
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
