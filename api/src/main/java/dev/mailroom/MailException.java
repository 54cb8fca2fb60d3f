package dev.mailroom;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The one unchecked exception of Mailroom's operations. It carries a stable {@link MailErrorCode},
 * whether retrying can help, the server's exact reply when there was one, a hint for an
 * administrator, and for configuration errors the problems field by field.
 *
 * <p>Callers never need to know a transport's own exception types: everything a transport reports is
 * translated into this class.
 */
public class MailException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The stable code of this failure. */
    private final MailErrorCode code;
    /** Whether the same attempt may succeed later. */
    private final boolean retryable;
    /** The server's exact reply, or {@code null} when there was none. */
    private final String serverReply;
    /** What an administrator can do about it, or {@code null}. */
    private final String hint;
    private final transient List<FieldProblem> fieldProblems;
    /** How long the server asked to wait before trying again, or {@code null}. */
    private final Duration retryAfter;

    /**
     * Creates an exception with the code's default hint and retryability.
     *
     * @param code the code
     * @param message what failed
     */
    public MailException(MailErrorCode code, String message) {
        this(code, message, null, null, List.of(), null);
    }

    /**
     * Creates an exception.
     *
     * @param code the code
     * @param message what failed
     * @param serverReply the server's exact reply, or {@code null}
     * @param hint a hint for an administrator, or {@code null} for the code's default
     * @param fieldProblems problems per field (may be empty)
     * @param cause the cause, or {@code null}
     */
    public MailException(MailErrorCode code, String message, String serverReply, String hint,
                         List<FieldProblem> fieldProblems, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
        this.retryable = code.retryable();
        this.serverReply = serverReply;
        this.hint = hint != null ? hint : code.hint();
        this.fieldProblems = List.copyOf(fieldProblems);
        this.retryAfter = null;
    }

    /**
     * Creates a transient failure for which the server named the earliest time to try again (an HTTP
     * {@code Retry-After} on 429 or 503, a provider's throttling reply). The outbox waits at least that long.
     *
     * @param code the code
     * @param message what failed
     * @param serverReply the server's exact reply, or {@code null}
     * @param retryAfter how long the server asked to wait; zero or positive
     * @param cause the cause, or {@code null}
     */
    public MailException(MailErrorCode code, String message, String serverReply, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
        Objects.requireNonNull(retryAfter, "retryAfter");
        if (retryAfter.isNegative()) {
            throw new IllegalArgumentException("retryAfter must not be negative: " + retryAfter);
        }
        this.retryable = code.retryable();
        this.serverReply = serverReply;
        this.hint = code.hint();
        this.fieldProblems = List.of();
        this.retryAfter = retryAfter;
    }

    /**
     * Creates a validation error listing every problem.
     *
     * @param code {@link MailErrorCode#INVALID_ACCOUNT} or {@link MailErrorCode#ACCOUNT_INCOMPLETE}
     * @param what what was being validated, e.g. "account 'Support'"
     * @param problems the problems, at least one
     * @return the exception
     */
    public static MailException fieldProblems(MailErrorCode code, String what, List<FieldProblem> problems) {
        StringBuilder sb = new StringBuilder(what).append(": ");
        for (int i = 0; i < problems.size(); i++) {
            sb.append(i == 0 ? "" : "; ").append(problems.get(i));
        }
        return new MailException(code, sb.toString(), null, null, problems, null);
    }

    /**
     * The stable code.
     *
     * @return the code
     */
    public MailErrorCode code() {
        return code;
    }

    /**
     * Whether the same operation may succeed later without a configuration change.
     *
     * @return true if transient
     */
    public boolean isRetryable() {
        return retryable;
    }

    /**
     * The server's exact reply (e.g. {@code 535 5.7.8 Error: authentication failed}), if a server answered.
     *
     * @return the reply
     */
    public Optional<String> serverReply() {
        return Optional.ofNullable(serverReply);
    }

    /**
     * How long the server asked to wait before the next attempt, when it said so.
     *
     * @return the server's wait time
     */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /**
     * What an administrator should do.
     *
     * @return the hint
     */
    public String hint() {
        return hint;
    }

    /**
     * The problems per field, for configuration errors; empty otherwise.
     *
     * @return the problems
     */
    public List<FieldProblem> fieldProblems() {
        return fieldProblems == null ? List.of() : fieldProblems;
    }

    @Override
    public String toString() {
        return getClass().getName() + ": [" + code + "] " + getMessage()
                + (serverReply != null ? " (server: " + serverReply + ")" : "");
    }
}
