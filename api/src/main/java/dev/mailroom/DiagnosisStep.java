package dev.mailroom;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One stage of a connection test (C1), with the server's exact reply and, on failure, a stable code and
 * a hint (C5).
 *
 * @param stage the stage
 * @param outcome passed, failed or skipped (after an earlier failure, or not applicable)
 * @param detail what was checked or found, in words
 * @param serverReply the server's exact reply, or {@code null}
 * @param code the error code when failed, or {@code null}
 * @param hint what to do when failed, or {@code null}
 * @param duration how long the stage took
 */
public record DiagnosisStep(Stage stage, Outcome outcome, String detail, String serverReply, MailErrorCode code,
                            String hint, Duration duration) {
    /** The stages, in the order they run. */
    public enum Stage {
        /** The settings are complete and consistent. */
        SETTINGS,
        /** The host name resolves. */
        DNS,
        /** A TCP connection opens. */
        TCP,
        /** The server greets (and, for implicit TLS, the handshake succeeds). */
        GREETING,
        /** The server's EHLO capabilities. */
        CAPABILITIES,
        /** STARTTLS upgrade and certificate check. */
        TLS,
        /** Login. */
        AUTH,
        /** The server accepts the account's sender in MAIL FROM. */
        SENDER,
        /** A test mail was sent. */
        TEST_MAIL
    }

    /** The outcome of a stage. */
    public enum Outcome {
        /** The stage passed. */
        PASSED,
        /** The stage failed; later stages are skipped. */
        FAILED,
        /** The stage did not run. */
        SKIPPED
    }

    /**
     * Validates.
     *
     * @param stage see the record description
     * @param outcome see the record description
     * @param detail see the record description
     * @param serverReply see the record description
     * @param code see the record description
     * @param hint see the record description
     * @param duration see the record description
     */
    public DiagnosisStep {
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(duration, "duration");
    }

    /**
     * @return the server's reply, if any
     */
    public Optional<String> reply() { return Optional.ofNullable(serverReply); }
    /**
     * @return the error code, if failed
     */
    public Optional<MailErrorCode> errorCode() { return Optional.ofNullable(code); }

    @Override
    public String toString() {
        return stage + " " + outcome + ": " + detail + (serverReply != null ? " [" + serverReply + "]" : "")
                + (code != null ? " (" + code + ": " + hint + ")" : "");
    }
}
