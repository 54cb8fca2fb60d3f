package dev.mailroom;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One stage of a connection test, with the server's exact reply and, on failure, a stable code and
 * a hint.
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
    /**
     * A stage of a connection test. The well-known stages are constants, in the order an SMTP test runs
     * them; a transport adds its own with {@link #of(String)} (an HTTP API has no EHLO, but a token and a
     * permission check). Two stages are equal when their names are. Immutable.
     */
    public static final class Stage {
        /** The settings are complete and consistent. */
        public static final Stage SETTINGS = new Stage("SETTINGS");
        /** The host name resolves. */
        public static final Stage DNS = new Stage("DNS");
        /** A TCP connection opens. */
        public static final Stage TCP = new Stage("TCP");
        /** The server greets (and, for implicit TLS, the handshake succeeds). */
        public static final Stage GREETING = new Stage("GREETING");
        /** The server's capabilities (SMTP EHLO, IMAP CAPABILITY). */
        public static final Stage CAPABILITIES = new Stage("CAPABILITIES");
        /** TLS upgrade and certificate check. */
        public static final Stage TLS = new Stage("TLS");
        /** An access token was obtained for the account (OAuth 2.0). */
        public static final Stage TOKEN = new Stage("TOKEN");
        /** Login. */
        public static final Stage AUTH = new Stage("AUTH");
        /** The application or user has the permission the transport needs (an HTTP API's scope or role). */
        public static final Stage PERMISSION = new Stage("PERMISSION");
        /** The server accepts the account's sender (SMTP MAIL FROM). */
        public static final Stage SENDER = new Stage("SENDER");
        /** A mailbox or folder can be selected (IMAP SELECT, the Sent folder). */
        public static final Stage MAILBOX = new Stage("MAILBOX");
        /** A test mail was sent. */
        public static final Stage TEST_MAIL = new Stage("TEST_MAIL");

        private static final java.util.List<Stage> WELL_KNOWN = java.util.List.of(SETTINGS, DNS, TCP, GREETING, CAPABILITIES, TLS,
                TOKEN, AUTH, PERMISSION, SENDER, MAILBOX, TEST_MAIL);

        private final String name;

        private Stage(String name) {
            this.name = name;
        }

        /**
         * The stage of a name: the well-known constant when there is one, else a transport's own stage.
         *
         * @param name upper-case letters, digits and '_', starting with a letter, at most 32 characters
         * @return the stage
         * @throws IllegalArgumentException if the name has another form
         */
        public static Stage of(String name) {
            Objects.requireNonNull(name, "name");
            for (Stage s : WELL_KNOWN) {
                if (s.name.equals(name)) {
                    return s;
                }
            }
            if (!name.matches("[A-Z][A-Z0-9_]{0,31}")) {
                throw new IllegalArgumentException("a stage name is upper-case letters, digits and '_', at most 32 characters: " + name);
            }
            return new Stage(name);
        }

        /** @return the well-known stages, in the order they run */
        public static java.util.List<Stage> wellKnown() {
            return WELL_KNOWN;
        }

        /** @return the stage's name, e.g. {@code AUTH} */
        public String name() {
            return name;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Stage s && s.name.equals(name);
        }

        @Override
        public int hashCode() {
            return name.hashCode();
        }

        @Override
        public String toString() {
            return name;
        }
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
     * A stage that passed.
     *
     * @param stage the stage
     * @param detail what was checked, in words
     * @param duration how long the stage took
     * @return the step
     */
    public static DiagnosisStep passed(Stage stage, String detail, Duration duration) {
        return new DiagnosisStep(stage, Outcome.PASSED, detail, null, null, null, duration);
    }

    /**
     * A stage that failed with a typed failure: its message, the server's reply, its code and its hint.
     *
     * @param stage the stage
     * @param failure what went wrong
     * @param duration how long the stage took
     * @return the step
     */
    public static DiagnosisStep failed(Stage stage, MailException failure, Duration duration) {
        return new DiagnosisStep(stage, Outcome.FAILED, failure.getMessage(), failure.serverReply().orElse(null), failure.code(),
                failure.hint(), duration);
    }

    /**
     * A stage that failed.
     *
     * @param stage the stage
     * @param detail what went wrong, in words
     * @param serverReply the server's exact reply, or {@code null}
     * @param code the error code
     * @param hint what an administrator should do, or {@code null} for the code's own hint
     * @param duration how long the stage took
     * @return the step
     */
    public static DiagnosisStep failed(Stage stage, String detail, String serverReply, MailErrorCode code, String hint, Duration duration) {
        Objects.requireNonNull(code, "code");
        return new DiagnosisStep(stage, Outcome.FAILED, detail, serverReply, code, hint != null ? hint : code.hint(), duration);
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
