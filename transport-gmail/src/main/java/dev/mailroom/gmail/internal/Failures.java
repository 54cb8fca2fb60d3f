package dev.mailroom.gmail.internal;

import com.google.api.client.googleapis.json.GoogleJsonError;
import com.google.api.client.googleapis.json.GoogleJsonResponseException;
import com.google.api.client.http.HttpResponseException;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * What Gmail's answers and the network's failures mean, as {@link MailException}s. The rule for duplicates: once
 * the whole request body went out, a broken connection or a 5xx may come after Google took the message, so it is
 * {@link MailErrorCode#DELIVERY_UNCERTAIN}; before that, nothing can have been sent.
 */
final class Failures {
    /** Google's quota day ends at midnight Pacific time. */
    static final ZoneId QUOTA_DAY = ZoneId.of("America/Los_Angeles");
    /** When a rate limit comes without a time to wait. */
    static final Duration DEFAULT_RATE_LIMIT_WAIT = Duration.ofSeconds(30);
    private static final Pattern RETRY_AFTER_IN_MESSAGE = Pattern.compile("(?i)retry after (\\d{4}-\\d{2}-\\d{2}T[0-9:.]+Z)");

    private Failures() {
    }

    /** A refused request: the status, Google's error reasons and message. */
    record Reply(int status, Set<String> reasons, String message, String retryAfter, String wwwAuthenticate) {
        static Reply of(HttpResponseException e) {
            Set<String> reasons = new LinkedHashSet<>();
            String message = e.getStatusMessage();
            if (e instanceof GoogleJsonResponseException g && g.getDetails() != null) {
                GoogleJsonError d = g.getDetails();
                if (d.getMessage() != null) {
                    message = d.getMessage();
                }
                if (d.getErrors() != null) {
                    d.getErrors().forEach(i -> {
                        if (i.getReason() != null) {
                            reasons.add(i.getReason());
                        }
                    });
                }
                if (d.getDetails() != null) {
                    d.getDetails().forEach(i -> {
                        if (i.getReason() != null) {
                            reasons.add(i.getReason());
                        }
                    });
                }
            }
            return new Reply(e.getStatusCode(), reasons, message == null ? "" : message,
                    e.getHeaders().getFirstHeaderStringValue("Retry-After"), e.getHeaders().getFirstHeaderStringValue("WWW-Authenticate"));
        }

        boolean has(String... any) {
            for (String a : any) {
                if (reasons.contains(a)) {
                    return true;
                }
            }
            return false;
        }

        /** The reply as shown to an administrator: status, reasons, Google's message; never a token. */
        String text() {
            return status + (reasons.isEmpty() ? "" : " " + String.join(",", reasons)) + (message.isEmpty() ? "" : ": " + message);
        }
    }

    /**
     * A refusal (any status but 401, which the caller handles) as a {@link MailException}.
     *
     * @param r the reply
     * @param bodyDone whether the whole request went out before the reply
     * @param now the current time
     * @return the exception
     */
    static MailException refused(Reply r, boolean bodyDone, Instant now) {
        String reply = r.text();
        int s = r.status();
        if (s == 429 || (s == 403 && r.has("userRateLimitExceeded", "rateLimitExceeded", "RATE_LIMIT_EXCEEDED"))) {
            Duration wait = retryAfter(r, now).orElse(DEFAULT_RATE_LIMIT_WAIT);
            return new MailException(MailErrorCode.RATE_LIMITED, "Gmail throttles this mailbox; nothing was sent; retry in " + wait, reply, wait, null);
        }
        if (s == 403 && r.has("dailyLimitExceeded", "quotaExceeded")) {
            Duration wait = untilQuotaDayEnds(now);
            return new MailException(MailErrorCode.DAILY_LIMIT_REACHED, "the mailbox reached Gmail's daily sending limit; nothing was sent; "
                    + "the limit resets at midnight Pacific time, in " + wait, reply, wait, null);
        }
        if (s == 403 && r.has("domainPolicy")) {
            return failure(MailErrorCode.PROVIDER_POLICY_REFUSED, "the Google Workspace domain's policy does not allow this app to send for the mailbox",
                    reply, null);
        }
        if (s == 403 && (r.has("insufficientPermissions", "ACCESS_TOKEN_SCOPE_INSUFFICIENT")
                || (r.wwwAuthenticate() != null && r.wwwAuthenticate().contains("insufficient_scope")))) {
            return failure(MailErrorCode.API_PERMISSION_MISSING, "the account's grant lacks the permission to send (scope "
                    + "https://www.googleapis.com/auth/gmail.send)", reply, null);
        }
        if (s == 403 && r.has("accessNotConfigured", "SERVICE_DISABLED")) {
            return failure(MailErrorCode.API_PERMISSION_MISSING, "the Gmail API is not enabled in the Google Cloud project of the OAuth client",
                    reply, "Enable the Gmail API in the Google Cloud console for the project of the OAuth client, then try again.");
        }
        if (s == 403) {
            return failure(MailErrorCode.PROVIDER_POLICY_REFUSED, "Google refused the request for this mailbox", reply, null);
        }
        if (s == 413) {
            return failure(MailErrorCode.MESSAGE_TOO_LARGE, "the message is larger than Gmail takes", reply, null);
        }
        if (s == 400) {
            String m = r.message().toLowerCase(Locale.ROOT);
            if (m.contains("invalid to header") || m.contains("invalid cc header") || m.contains("invalid bcc header")
                    || m.contains("invalid recipient")) {
                return failure(MailErrorCode.RECIPIENT_REJECTED, "Gmail refused a recipient of the message", reply, null);
            }
            if (r.has("failedPrecondition")) {
                return failure(MailErrorCode.PROVIDER_POLICY_REFUSED, "Gmail cannot send for this mailbox", reply,
                        "Check that the mailbox has Gmail enabled in Google Workspace.");
            }
            return failure(MailErrorCode.INVALID_EMAIL, "Gmail refused the message as invalid", reply, null);
        }
        if (s >= 500) {
            Optional<Duration> wait = retryAfter(r, now);
            if (bodyDone) {
                // Google may have taken the message before the error: a retry could send it twice.
                return new MailException(MailErrorCode.DELIVERY_UNCERTAIN, "Gmail answered " + s + " after the whole message was handed over: "
                        + "it may have been sent, a retry may duplicate it", reply, null, List.of(), null);
            }
            return wait.map(w -> new MailException(MailErrorCode.TEMPORARY_FAILURE, "Gmail answered " + s + " before it took the message; "
                    + "nothing was sent", reply, w, null)).orElseGet(() -> new MailException(MailErrorCode.TEMPORARY_FAILURE, "Gmail answered "
                    + s + " before it took the message; nothing was sent", reply, null, List.of(), null));
        }
        if (s == 408) { // the server gave up waiting for the request: nothing was taken
            return failure(MailErrorCode.TEMPORARY_FAILURE, "Gmail timed out waiting for the request", reply, null);
        }
        if (s == 404) { // no such endpoint: a wrong root URL or a proxy in the way, the same for every message of the account
            return failure(MailErrorCode.CONNECTION_REJECTED, "Gmail's API answered 404: the transport's root URL or a proxy"
                    + " sends the request elsewhere", reply, "Check the Gmail transport's root URL and any HTTP proxy between this host and"
                    + " gmail.googleapis.com.");
        }
        return failure(MailErrorCode.PERMANENT_FAILURE, "Gmail refused the message", reply, null);
    }

    private static MailException failure(MailErrorCode code, String what, String reply, String hint) {
        return new MailException(code, what + "; nothing was sent", reply, hint, List.of(), null);
    }

    /**
     * A network failure as a {@link MailException}.
     *
     * @param e the failure
     * @param x the exchange it happened in
     * @return the exception
     */
    static MailException network(IOException e, Exchange x) {
        String detail = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        if (x.bodyDone()) {
            return new MailException(MailErrorCode.DELIVERY_UNCERTAIN, "the connection to Gmail failed after the whole message was handed over ("
                    + detail + "): it may have been sent, a retry may duplicate it", null, null, List.of(), e);
        }
        if (x.stalled()) {
            return new MailException(MailErrorCode.TIMEOUT, "writing the message to Gmail made no progress within the write timeout; "
                    + "it was not completely handed over, nothing was sent", null, null, List.of(), e);
        }
        MailErrorCode code;
        if (e instanceof UnknownHostException) {
            code = MailErrorCode.UNKNOWN_HOST;
        } else if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
            code = MailErrorCode.CONNECTION_REFUSED;
        } else if (e instanceof SocketTimeoutException) {
            code = !x.bodyStarted() && String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("connect")
                    ? MailErrorCode.CONNECT_TIMEOUT : MailErrorCode.TIMEOUT;
        } else if (e instanceof SSLHandshakeException && causedBy(e, CertificateException.class)) {
            code = String.valueOf(rootMessage(e)).toLowerCase(Locale.ROOT).contains("name")
                    ? MailErrorCode.CERTIFICATE_NAME_MISMATCH : MailErrorCode.CERTIFICATE_UNTRUSTED;
        } else if (e instanceof SSLException) {
            code = MailErrorCode.TLS_FAILED;
        } else {
            code = MailErrorCode.CONNECTION_LOST;
        }
        return new MailException(code, "Gmail could not be reached, or the connection broke before the message was handed over ("
                + detail + "); nothing was sent", null, null, List.of(), e);
    }

    private static boolean causedBy(Throwable t, Class<?> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        return c.getMessage();
    }

    /** The wait a reply asks for: Retry-After (seconds or an HTTP date), else a time in Google's message. */
    static Optional<Duration> retryAfter(Reply r, Instant now) {
        String h = r.retryAfter();
        if (h != null && !h.isBlank()) {
            try {
                return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(h.strip()))));
            } catch (NumberFormatException e) {
                try {
                    Instant at = ZonedDateTime.parse(h.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                    return Optional.of(nonNegative(Duration.between(now, at)));
                } catch (DateTimeException ignored) {
                    // fall through to the message
                }
            }
        }
        Matcher m = RETRY_AFTER_IN_MESSAGE.matcher(r.message());
        if (m.find()) {
            try {
                return Optional.of(nonNegative(Duration.between(now, Instant.parse(m.group(1)))));
            } catch (DateTimeException ignored) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /**
     * @param now the current time
     * @return the time until Google's quota day ends (midnight in America/Los_Angeles)
     */
    static Duration untilQuotaDayEnds(Instant now) {
        ZonedDateTime local = now.atZone(QUOTA_DAY);
        LocalDate tomorrow = local.toLocalDate().plusDays(1);
        return Duration.between(now, tomorrow.atStartOfDay(QUOTA_DAY).toInstant());
    }

    private static Duration nonNegative(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }
}
