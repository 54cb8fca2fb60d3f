package dev.mailroom.graph.internal;

import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * What Graph's answers to {@code sendMail} and the network's failures mean. The rule for duplicates: once the whole
 * request went out, a broken connection, a timeout or a 5xx without {@code Retry-After} may come after Exchange took
 * the message, so it is {@link MailErrorCode#DELIVERY_UNCERTAIN}; before that, nothing can have been sent.
 */
final class GraphFailures {
    /** When a 429 comes without a time to wait. */
    static final Duration DEFAULT_RATE_LIMIT_WAIT = Duration.ofSeconds(30);

    private GraphFailures() {
    }

    /**
     * A refusal of {@code sendMail} (any status but 202 and 401).
     *
     * @param r the reply
     * @param sender the mailbox the request was for
     * @param bodyDone whether the whole request went out before the reply
     * @param now the current time
     * @return the exception
     */
    static MailException refused(GraphReply r, String sender, boolean bodyDone, Instant now) {
        String reply = r.text();
        int s = r.status();
        if (s == 429) {
            Duration wait = r.wait(now).orElse(DEFAULT_RATE_LIMIT_WAIT);
            return new MailException(MailErrorCode.RATE_LIMITED, "Graph throttles mailbox " + sender + "; nothing was sent; retry in " + wait,
                    reply, wait, null);
        }
        if (s == 403 && r.is("ErrorSendAsDenied")) {
            return failure(MailErrorCode.SENDER_REJECTED, "mailbox " + sender + " may not send as the message's From address", reply,
                    "Give the mailbox Send As permission for the From address in Exchange, or send through the mailbox that owns the address.");
        }
        if (s == 403 && r.is("ErrorAccessDenied", "Authorization_RequestDenied", "AccessDenied")) {
            return failure(MailErrorCode.API_PERMISSION_MISSING, "the app may not send mail as " + sender + " (Graph permission Mail.Send)",
                    reply, "Grant the app the Graph application permission Mail.Send and admin consent in Microsoft Entra ID > App "
                    + "registrations > API permissions; an Exchange application access policy may also exclude this mailbox.");
        }
        if (s == 403) {
            return failure(MailErrorCode.PROVIDER_POLICY_REFUSED, "Microsoft 365 refused the request for mailbox " + sender, reply, null);
        }
        if (s == 404 || r.is("ErrorInvalidUser", "ResourceNotFound", "Request_ResourceNotFound", "MailboxNotEnabledForRESTAPI",
                "MailboxNotFound")) {
            if (r.is("MailboxNotEnabledForRESTAPI")) {
                return failure(MailErrorCode.SENDER_REJECTED, "the mailbox " + sender + " cannot be used through Graph (MailboxNotEnabledForRESTAPI)",
                        reply, "The sender must be a mailbox in Exchange Online (a licensed user or a shared mailbox), not on-premises or "
                        + "without an Exchange Online licence.");
            }
            return failure(MailErrorCode.SENDER_REJECTED, "the directory has no mailbox " + sender, reply, "The sender must be a user or shared "
                    + "mailbox of the app's directory (tenant); check the account's address and its directory ID.");
        }
        if (r.is("ErrorMessageSizeExceeded")) {
            return failure(MailErrorCode.MESSAGE_TOO_LARGE, "the message is larger than mailbox " + sender + " may send", reply,
                    "Exchange Online limits the size per mailbox (MaxSendSize, 35 MB by default, at most 150 MB, base64 included); raise it "
                    + "for the mailbox or send large files as links.");
        }
        if (s == 413) {
            return failure(MailErrorCode.MESSAGE_TOO_LARGE, "the message is larger than Graph's sendMail takes (about 4 MB per request)", reply,
                    null);
        }
        if (s == 400) {
            if (r.is("ErrorInvalidRecipients") || r.message().toLowerCase(Locale.ROOT).contains("recipient")) {
                return failure(MailErrorCode.RECIPIENT_REJECTED, "Graph refused a recipient of the message", reply, null);
            }
            return failure(MailErrorCode.INVALID_EMAIL, "Graph refused the message as invalid", reply, null);
        }
        if (s >= 500) {
            java.util.Optional<Duration> wait = r.wait(now);
            if (s == 503 && wait.isPresent()) {
                // Graph's throttling answer: the request was not processed
                return new MailException(MailErrorCode.TEMPORARY_FAILURE, "Graph is unavailable for mailbox " + sender + " (503) and asked to "
                        + "retry in " + wait.get() + "; nothing was sent", reply, wait.get(), null);
            }
            if (bodyDone) {
                return new MailException(MailErrorCode.DELIVERY_UNCERTAIN, "Graph answered " + s + " after the whole message was handed over: "
                        + "it may have been sent, a retry may duplicate it", reply, null, List.of(), null);
            }
            return new MailException(MailErrorCode.TEMPORARY_FAILURE, "Graph answered " + s + " before it took the message; nothing was sent",
                    reply, null, List.of(), null);
        }
        return failure(MailErrorCode.PERMANENT_FAILURE, "Graph refused the message", reply, null);
    }

    /** The hint when the app lacks {@code Mail.ReadWrite}, which the draft path needs. */
    static final String READ_WRITE_HINT = "Grant the app the Graph application permission Mail.ReadWrite and admin consent in Microsoft Entra ID > "
            + "App registrations > API permissions (messages over " + GraphTransport.MAX_MESSAGE_SIZE + " bytes go through a draft), or send "
            + "smaller messages.";

    /**
     * A refusal of a step of the draft path before the send (creating an upload session, a chunk PUT, the status of an
     * upload URL, an attachment POST, or the draft's creation for what {@link #refused} does not cover). Nothing was sent
     * and the draft is deleted, so the message is tried again from the start: what may pass then (a lost or expired
     * session, a range out of step, a refused upload URL token, a server error) is {@link MailErrorCode#TEMPORARY_FAILURE};
     * what cannot is a code of this message alone. Never a code of the account: the mailbox's other mail is not held.
     *
     * @param r the reply
     * @param step what was done, for the message ("create an upload session")
     * @param sender the mailbox
     * @param now the current time
     * @return the exception
     */
    static MailException draftStep(GraphReply r, String step, String sender, Instant now) {
        String reply = r.text();
        int s = r.status();
        if (s == 429) {
            Duration wait = r.wait(now).orElse(DEFAULT_RATE_LIMIT_WAIT);
            return new MailException(MailErrorCode.RATE_LIMITED, "Graph throttles mailbox " + sender + " (" + step + "); nothing was sent; retry in "
                    + wait, reply, wait, null);
        }
        if (r.is("ErrorMessageSizeExceeded")) {
            return failure(MailErrorCode.MESSAGE_TOO_LARGE, "the message is larger than mailbox " + sender + " may send", reply,
                    "Exchange Online limits the size per mailbox (MaxSendSize, 35 MB by default, at most 150 MB, base64 included); raise it "
                    + "for the mailbox or send large files as links.");
        }
        if (s == 413) {
            return failure(MailErrorCode.MESSAGE_TOO_LARGE, "the request to " + step + " is larger than Graph takes (about 4 MB per request)",
                    reply, "Send files this large as links, or make them a little larger or smaller: Graph uploads attachments of 3 MB and more "
                    + "in parts.");
        }
        if (s == 403 && r.is("ErrorAccessDenied", "Authorization_RequestDenied", "AccessDenied")) {
            return failure(MailErrorCode.MESSAGE_TOO_LARGE, "the message is too large for one Graph request, and the app may not " + step
                    + " in mailbox " + sender + " (Graph permission Mail.ReadWrite)", reply, READ_WRITE_HINT);
        }
        if (s == 403 || (s == 400 && !r.is("InvalidRange", "InvalidContentRange"))) {
            return failure(MailErrorCode.PERMANENT_FAILURE, "Graph refused to " + step + " for this message", reply, null);
        }
        java.util.Optional<Duration> wait = r.wait(now);
        String text = "Graph answered " + s + " to the request to " + step + "; nothing was sent, the message is tried again from the start";
        return wait.isPresent() ? new MailException(MailErrorCode.TEMPORARY_FAILURE, text, reply, wait.get(), null)
                : new MailException(MailErrorCode.TEMPORARY_FAILURE, text, reply, null, List.of(), null);
    }

    private static MailException failure(MailErrorCode code, String what, String reply, String hint) {
        return new MailException(code, what + "; nothing was sent", reply, hint, List.of(), null);
    }

    /**
     * A network failure.
     *
     * @param e the failure
     * @param bodyStarted whether part of the request went out
     * @param bodyDone whether all of it went out
     * @return the exception
     */
    static MailException network(IOException e, boolean bodyStarted, boolean bodyDone) {
        String detail = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        if (bodyDone) {
            return new MailException(MailErrorCode.DELIVERY_UNCERTAIN, "the connection to Graph failed after the whole message was handed over ("
                    + detail + "): it may have been sent, a retry may duplicate it", null, null, List.of(), e);
        }
        MailErrorCode code;
        if (causedBy(e, UnknownHostException.class)) {
            code = MailErrorCode.UNKNOWN_HOST;
        } else if (e instanceof HttpConnectTimeoutException) {
            code = MailErrorCode.CONNECT_TIMEOUT;
        } else if (e instanceof HttpTimeoutException) {
            code = MailErrorCode.TIMEOUT;
        } else if (causedBy(e, ConnectException.class) || causedBy(e, NoRouteToHostException.class)) {
            code = MailErrorCode.CONNECTION_REFUSED;
        } else if (causedBy(e, SSLHandshakeException.class) && causedBy(e, CertificateException.class)) {
            code = String.valueOf(rootMessage(e)).toLowerCase(Locale.ROOT).contains("name") ? MailErrorCode.CERTIFICATE_NAME_MISMATCH
                    : MailErrorCode.CERTIFICATE_UNTRUSTED;
        } else if (causedBy(e, SSLException.class)) {
            code = MailErrorCode.TLS_FAILED;
        } else {
            code = MailErrorCode.CONNECTION_LOST;
        }
        return new MailException(code, "Graph could not be reached, or the connection broke before the message was handed over (" + detail
                + (bodyStarted ? ", part of it was written" : "") + "); nothing was sent", null, null, List.of(), e);
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
}
