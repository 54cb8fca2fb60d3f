package dev.mailroom.smtp.internal;

import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Security;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * Maps what Angus and the JDK report to a stable {@link MailErrorCode}, the server's exact reply and a
 * hint that fits the account (the catalogue in docs/diagnostics.md). Transport-specific exception types
 * never reach callers.
 */
final class Failures {
    private Failures() {
    }

    /** A classified failure: code, the server's reply (or null), a message and a hint. */
    record Classified(MailErrorCode code, String reply, String message, String hint) {
        MailException toException(Throwable cause) {
            return new MailException(code, message, reply, hint, List.of(), cause);
        }
    }

    static MailException toException(Throwable e, TrackingSmtpTransport.Phase phase, ResolvedAccount account) {
        return classify(e, phase, account).toException(e);
    }

    static MailException toException(Throwable e, TrackingSmtpTransport t, ResolvedAccount account) {
        return classify(e, t, account).toException(e);
    }

    /**
     * Classifies with what the connection recorded: the step it was in, and the replies Angus loses when
     * the server hangs up right after them (a {@code 421}, the reply to the final ".").
     */
    static Classified classify(Throwable e, TrackingSmtpTransport t, ResolvedAccount account) {
        if (t == null) {
            return classify(e, TrackingSmtpTransport.Phase.CONNECT, account);
        }
        TrackingSmtpTransport.Phase phase = t.phase();
        String host = account.smtpHost().orElse("?") + ":" + account.smtpPort();
        if (e instanceof TrackingSmtpTransport.ExtensionMisbehaved m) {
            return m.safeToRetry()
                    ? new Classified(MailErrorCode.CONNECTION_LOST, null, host + ": " + m.getMessage() + "; nothing was delivered", null)
                    : new Classified(MailErrorCode.DELIVERY_UNCERTAIN, null, host + ": " + m.getMessage()
                            + "; the message was complete on the wire, so it may have been delivered", null);
        }
        TrackingSmtpTransport.SizeLimitExceeded size = causeOf(e, TrackingSmtpTransport.SizeLimitExceeded.class);
        if (size != null) {
            return new Classified(MailErrorCode.MESSAGE_TOO_LARGE, t.sizeLine(), "the message grew past the " + size.limit()
                    + " bytes " + host + " accepts (SIZE); the transfer was broken off before its end, so nothing was delivered", null);
        }
        if (phase == TrackingSmtpTransport.Phase.END_OF_DATA) {
            String reply = t.endOfDataReply();
            int code = t.endOfDataCode();
            if (reply != null && code >= 400 && code != 421) {
                return byReply(reply, code, phase, account); // a definite refusal, even if the server hung up after it
            }
            return new Classified(MailErrorCode.DELIVERY_UNCERTAIN, code == 421 ? reply : null, (code == 421 ? host
                    + " answered the end of the message with 421 and closed the session" : "the connection to " + host
                    + " broke after the message was handed over") + ": it may have been delivered (" + rootMessage(e) + ")", null);
        }
        String closing = t.closingReply();
        if (closing != null && phase != TrackingSmtpTransport.Phase.DONE) {
            return serverBusy(closing, host);
        }
        if (phase == TrackingSmtpTransport.Phase.CONNECT && t.greeting() != null && !t.greeting().startsWith("220")) {
            return greeting(t.greeting(), host);
        }
        return classify(e, phase, account);
    }

    /** A greeting other than 220: 4xx the server is busy (try later), 5xx it refuses this client. */
    static Classified greeting(String reply, String host) {
        int code = reply.length() >= 3 && Character.isDigit(reply.charAt(0)) ? Integer.parseInt(reply.substring(0, 3)) : -1;
        if (code >= 400 && code < 500) {
            return serverBusy(reply, host);
        }
        if (code >= 500) {
            return new Classified(MailErrorCode.CONNECTION_REJECTED, reply, host + " refused the connection in its greeting", null);
        }
        return new Classified(MailErrorCode.CONNECTION_LOST, null, host + " did not greet as expected", null);
    }

    private static Classified serverBusy(String reply, String host) {
        return new Classified(MailErrorCode.SERVER_BUSY, reply, host + " closed the session before the message was handed over ("
                + reply.lines().findFirst().orElse(reply) + "); nothing was sent", null);
    }

    /**
     * Whether a refusal is about the sender (the login may not use it), wherever it comes: Postfix refuses
     * a foreign sender at RCPT ({@code 553 5.7.1 <x>: Sender address rejected: not owned by user y}),
     * Exchange with {@code 5.7.60}.
     */
    static boolean isSenderProblem(String reply) {
        if (reply == null) {
            return false;
        }
        String r = reply.toLowerCase(Locale.ROOT);
        return r.contains("sender address rejected") || r.contains(" 5.7.60") || r.contains("send as this sender")
                || r.contains("not owned by user") || r.contains(" 5.1.7 ") || r.contains(" 5.1.8 ");
    }

    /** {@code 452 4.5.3 too many recipients}: the rest go in a further transaction (RFC 5321 4.5.3.1.10). */
    static boolean isTooManyRecipients(int code, String reply) {
        if (code != 452 || reply == null) {
            return false;
        }
        String r = reply.toLowerCase(Locale.ROOT);
        return r.contains("4.5.3") || r.contains("too many recipients");
    }

    static Classified classify(Throwable e, TrackingSmtpTransport.Phase phase, ResolvedAccount account) {
        String host = account.smtpHost().orElse("?") + ":" + account.smtpPort();
        Security security = account.smtpSecurity();

        // Replies of the server first: they are the most precise.
        if (e instanceof AuthenticationFailedException) {
            String reply = reply(e.getMessage());
            return auth(reply, e.getMessage(), account);
        }
        if (e instanceof SMTPSendFailedException || e instanceof SMTPSenderFailedException || e instanceof SMTPAddressFailedException
                || (e instanceof SendFailedException && e.getCause() instanceof MessagingException)) {
            SmtpReply r = replyOf(e);
            if (r != null && r.code > 0) {
                return byReply(r.text, r.code, phase, account);
            }
            if (r != null && phase != TrackingSmtpTransport.Phase.END_OF_DATA) {
                return new Classified(MailErrorCode.CONNECTION_LOST, null, host + " closed the connection without a reply during "
                        + phase.name().toLowerCase(Locale.ROOT).replace('_', ' '), null);
            }
        }
        if (e instanceof MessagingException me && me.getMessage() != null) {
            String msg = me.getMessage();
            int greeting = msg.indexOf("Got bad greeting from SMTP host");
            int response = msg.indexOf("response: ");
            if (greeting >= 0 && response > 0) {
                String reply = msg.substring(response + "response: ".length()).strip();
                if (reply.length() >= 3 && Character.isDigit(reply.charAt(0))) {
                    return greeting(reply, host);
                }
            }
            if (msg.contains("STARTTLS is required but host does not support STARTTLS")) {
                return new Classified(MailErrorCode.STARTTLS_NOT_OFFERED, null, host + " does not offer STARTTLS, which this account requires; no credentials were sent", null);
            }
            if (msg.contains("No authentication mechanisms supported by both server and client")) {
                return mechanismBlocked(null, account);
            }
            String reply = reply(msg);
            if (reply != null && Character.isDigit(reply.charAt(0)) && causeOf(e, java.io.IOException.class) == null) {
                int code = Integer.parseInt(reply.substring(0, 3));
                return byReply(reply, code, phase, account);
            }
        }

        // Then what the network and TLS said.
        if (phase == TrackingSmtpTransport.Phase.END_OF_DATA) {
            return new Classified(MailErrorCode.DELIVERY_UNCERTAIN, null, "the connection to " + host
                    + " broke after the message was handed over: it may have been delivered (" + rootMessage(e) + ")", null);
        }
        UnknownHostException uhe = causeOf(e, UnknownHostException.class);
        if (uhe != null) {
            return new Classified(MailErrorCode.UNKNOWN_HOST, null, "the host name " + account.smtpHost().orElse("?") + " does not resolve", null);
        }
        if (causeOf(e, ConnectException.class) != null || causeOf(e, NoRouteToHostException.class) != null) {
            return new Classified(MailErrorCode.CONNECTION_REFUSED, null, "cannot connect to " + host + ": " + rootMessage(e), null);
        }
        SSLException ssl = causeOf(e, SSLException.class);
        if (ssl != null) {
            return tls(e, host, security, account);
        }
        SocketTimeoutException timeout = causeOf(e, SocketTimeoutException.class);
        if (timeout != null) {
            if (phase == TrackingSmtpTransport.Phase.CONNECT) {
                String hint = security != Security.TLS && account.smtpPort() == 465
                        ? "Port 465 expects SSL/TLS from the first byte: choose SSL/TLS for this port, or STARTTLS on 587."
                        : null;
                return new Classified(MailErrorCode.CONNECT_TIMEOUT, null, "no answer from " + host + " while connecting ("
                        + rootMessage(e) + ")", hint);
            }
            return new Classified(MailErrorCode.TIMEOUT, null, host + " stopped answering (" + rootMessage(e) + ")", null);
        }
        if (phase == TrackingSmtpTransport.Phase.CONNECT && causeOf(e, java.io.IOException.class) != null
                && security != Security.TLS && account.smtpPort() == 465) {
            return new Classified(MailErrorCode.CONNECT_TIMEOUT, null, host + " did not greet: " + rootMessage(e),
                    "Port 465 expects SSL/TLS from the first byte: choose SSL/TLS for this port, or STARTTLS on 587.");
        }
        if (causeOf(e, java.io.IOException.class) != null) {
            return new Classified(MailErrorCode.CONNECTION_LOST, null, "the connection to " + host + " broke: " + rootMessage(e), null);
        }
        return new Classified(MailErrorCode.INTERNAL, null, "sending through " + host + " failed: " + e, null);
    }

    static Classified tls(Throwable e, String host, Security security, ResolvedAccount account) {
        String all = chainText(e).toLowerCase(Locale.ROOT);
        if (all.contains("unsupported or unrecognized ssl message") || all.contains("plaintext connection")
                || all.contains("wrong version number")) {
            return new Classified(MailErrorCode.TLS_ON_PLAIN_PORT, null, host + " speaks plain text, but SSL/TLS was chosen",
                    account.smtpPort() == 587 ? "On port 587 choose STARTTLS." : MailErrorCode.TLS_ON_PLAIN_PORT.hint());
        }
        if (all.contains("no subject alternative") || all.contains("no name matching") || all.contains("doesn't match")
                || all.contains("can't verify identity")) {
            return new Classified(MailErrorCode.CERTIFICATE_NAME_MISMATCH, null, "the certificate of " + host
                    + " is not issued for " + account.smtpHost().orElse("?") + " (" + rootMessage(e) + ")", null);
        }
        if (causeOf(e, CertPathValidatorException.class) != null || all.contains("pkix path")
                || all.contains("unable to find valid certification path") || causeOf(e, CertificateException.class) != null) {
            return new Classified(MailErrorCode.CERTIFICATE_UNTRUSTED, null, "the certificate of " + host + " is not trusted ("
                    + rootMessage(e) + ")", null);
        }
        return new Classified(MailErrorCode.TLS_FAILED, null, "TLS with " + host + " failed: " + rootMessage(e), null);
    }

    /** Classifies a server reply by its code and enhanced status, in the step it came. */
    static Classified byReply(String reply, int code, TrackingSmtpTransport.Phase phase, ResolvedAccount account) {
        String r = reply.toLowerCase(Locale.ROOT);
        if (code == 530 && r.contains("starttls")) {
            return new Classified(MailErrorCode.STARTTLS_REQUIRED_BY_SERVER, reply, "the server requires STARTTLS before "
                    + phase.name().toLowerCase(Locale.ROOT).replace('_', ' '), null);
        }
        if (r.contains("5.7.139") || r.contains("5.7.30") || r.contains("basic authentication is disabled")
                || r.contains("basic authentication is not supported") || r.contains("smtpclientauthentication is disabled")) {
            return new Classified(MailErrorCode.AUTH_BASIC_DISABLED, reply, "Microsoft 365 refused basic authentication", null);
        }
        if (code == 534 || r.contains("5.7.9") || r.contains("application-specific password")) {
            return new Classified(MailErrorCode.APP_PASSWORD_REQUIRED, reply, "the server wants an app password or OAuth", null);
        }
        boolean login = account.authentication().map(a -> a instanceof dev.mailroom.Authentication.Password
                || AccountSession.usesToken(a)).orElse(false) && !account.account().localRelay();
        if (code == 530 && !login) {
            return new Classified(MailErrorCode.RELAY_DENIED, reply, "the server requires a login, but the account has none",
                    "Turn on 'server requires authentication' and enter user name and password.");
        }
        if (code == 530 || code == 535) {
            return auth(reply, reply, account);
        }
        if (phase == TrackingSmtpTransport.Phase.STARTTLS || (code == 454 && r.contains("tls"))) {
            return new Classified(MailErrorCode.TLS_FAILED, reply, "the server refused STARTTLS", code >= 400 && code < 500
                    ? "The server cannot start TLS at the moment (a problem on its side); the mail waits and goes out later. If it lasts, ask its administrator."
                    : null);
        }
        if (code == 421) {
            if (phase == TrackingSmtpTransport.Phase.END_OF_DATA) {
                return new Classified(MailErrorCode.DELIVERY_UNCERTAIN, reply, "the server answered the end of the message with 421: it may have been delivered", null);
            }
            return new Classified(MailErrorCode.SERVER_BUSY, reply, "the server closed the session (421) before the message was handed over; nothing was sent", null);
        }
        if (code == 454 && r.contains("auth")) {
            return new Classified(MailErrorCode.AUTH_TEMPORARY, reply, "temporary failure at the server", null);
        }
        if (code >= 500 && isSenderProblem(reply)) {
            return new Classified(MailErrorCode.SENDER_REJECTED, reply, "the server refused the sender for login "
                    + account.authentication().flatMap(a -> a.username()).orElse("(none)"), null);
        }
        if (phase == TrackingSmtpTransport.Phase.MAIL && code >= 500) {
            if (r.contains("5.7.1") || r.contains("5.7.60") || r.contains("not owned") || r.contains("send as") || code == 553 || code == 550) {
                return new Classified(MailErrorCode.SENDER_REJECTED, reply, "the server refused the sender for login "
                        + account.authentication().flatMap(a -> a.username()).orElse("(none)"), null);
            }
        }
        if (r.contains("relay") && (r.contains("denied") || r.contains("not permitted") || r.contains("unable to relay"))) {
            return new Classified(MailErrorCode.RELAY_DENIED, reply, "the server refuses to relay", null);
        }
        if (code == 552 || r.contains("5.3.4") || r.contains("size exceeds") || r.contains("too large")) {
            return new Classified(MailErrorCode.MESSAGE_TOO_LARGE, reply, "the message is too large for the server", null);
        }
        if (phase == TrackingSmtpTransport.Phase.RCPT && code >= 500) {
            return new Classified(MailErrorCode.RECIPIENT_REJECTED, reply, "the server refused a recipient", null);
        }
        if (code >= 400 && code < 500) {
            return new Classified(MailErrorCode.TEMPORARY_FAILURE, reply, "the server deferred the message", null);
        }
        if (code >= 500) {
            return new Classified(MailErrorCode.PERMANENT_FAILURE, reply, "the server refused the message", null);
        }
        return new Classified(MailErrorCode.INTERNAL, reply, "unexpected reply", null);
    }

    private static Classified auth(String reply, String message, ResolvedAccount account) {
        if (reply != null) {
            String r = reply.toLowerCase(Locale.ROOT);
            if (r.contains("5.7.139") || r.contains("5.7.30") || r.contains("basic authentication")) {
                return new Classified(MailErrorCode.AUTH_BASIC_DISABLED, reply, "Microsoft 365 refused basic authentication", null);
            }
            if (r.startsWith("534") || r.contains("5.7.9")) {
                return new Classified(MailErrorCode.APP_PASSWORD_REQUIRED, reply, "the server wants an app password or OAuth", null);
            }
            if (r.startsWith("421")) {
                return serverBusy(reply, account.smtpHost().orElse("?") + ":" + account.smtpPort());
            }
            if (r.startsWith("454")) {
                return new Classified(MailErrorCode.AUTH_TEMPORARY, reply, "temporary authentication failure at the server", null);
            }
        }
        if (message != null && message.contains("No authentication mechanisms supported by both server and client")) {
            return mechanismBlocked(reply, account);
        }
        String user = account.authentication().map(a -> AccountSession.usesToken(a) ? AccountSession.tokenUser(account)
                : a.username().orElse("(none)")).orElse("(none)");
        if (account.authentication().map(a -> a.kind() == dev.mailroom.Authentication.Kind.MICROSOFT_APP).orElse(false)) {
            return new Classified(MailErrorCode.AUTH_FAILED, reply, "login as " + user + " with the app's token (XOAUTH2) failed, also with a"
                    + " fresh token", "Give the app the SMTP.SendAsApp permission (Office 365 Exchange Online), register its service"
                    + " principal in Exchange and grant it the mailbox (Add-MailboxPermission); or send through Graph.");
        }
        if (account.authentication().map(a -> a instanceof dev.mailroom.Authentication.OAuth2).orElse(false)) {
            return new Classified(MailErrorCode.AUTH_FAILED, reply, "login as " + user + " with OAuth 2.0 (XOAUTH2) failed, also with a"
                    + " freshly refreshed access token", "Check that the grant covers sending by SMTP (Google: https://mail.google.com/;"
                    + " Microsoft: SMTP.Send) and that SMTP AUTH is allowed for the mailbox; if it persists, grant access again.");
        }
        return new Classified(MailErrorCode.AUTH_FAILED, reply, "login as " + user + " failed", null);
    }

    static Classified mechanismBlocked(String offered, ResolvedAccount account) {
        List<String> options = new java.util.ArrayList<>();
        if (account.account().preventPlainTextLogin()) {
            options.add("'prevent plain-text login' blocks AUTH PLAIN");
        }
        if (account.account().preventNtlm()) {
            options.add("'prevent NTLM login' blocks NTLM");
        }
        String why = options.isEmpty() ? "" : ": " + String.join(", ", options);
        return new Classified(MailErrorCode.AUTH_MECHANISM_BLOCKED, null, "the server offers no login method this account allows"
                + (offered != null ? " (server offers " + offered + ")" : "") + why, null);
    }

    private record SmtpReply(int code, String text) {
    }

    private static SmtpReply replyOf(Throwable e) {
        for (Throwable t = e; t != null; t = t instanceof MessagingException m && m.getNextException() != null ? m.getNextException() : t.getCause()) {
            if (t instanceof SMTPAddressFailedException a) {
                return new SmtpReply(a.getReturnCode(), a.getMessage().strip());
            }
            if (t instanceof SMTPSenderFailedException s) {
                return new SmtpReply(s.getReturnCode(), s.getMessage().strip());
            }
            if (t instanceof SMTPSendFailedException s) {
                return new SmtpReply(s.getReturnCode(), s.getMessage().strip());
            }
            if (t == t.getCause()) {
                break;
            }
        }
        return null;
    }

    /** The server's reply if a message starts with one ("535 5.7.8 ..."). */
    static String reply(String message) {
        if (message == null) {
            return null;
        }
        String m = message.strip();
        if (m.length() >= 3 && Character.isDigit(m.charAt(0)) && Character.isDigit(m.charAt(1)) && Character.isDigit(m.charAt(2))) {
            return m;
        }
        return null;
    }

    static <T extends Throwable> T causeOf(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = next(t)) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static Throwable next(Throwable t) {
        Throwable n = t instanceof MessagingException m && m.getNextException() != null ? m.getNextException() : t.getCause();
        return n == t ? null : n;
    }

    static String rootMessage(Throwable e) {
        Throwable last = e;
        for (Throwable t = e; t != null; t = next(t)) {
            last = t;
        }
        return last.getClass().getSimpleName() + (last.getMessage() != null ? ": " + last.getMessage() : "");
    }

    private static String chainText(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = next(t)) {
            sb.append(t.getClass().getName()).append(": ").append(t.getMessage()).append('\n');
        }
        return sb.toString();
    }
}
