package dev.mailroom.inbound.internal;

import dev.mailroom.Authentication;
import dev.mailroom.Diagnosis;
import dev.mailroom.DiagnosisStep;
import dev.mailroom.DiagnosisStep.Outcome;
import dev.mailroom.DiagnosisStep.Stage;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Security;
import dev.mailroom.spi.AccessToken;
import dev.mailroom.spi.AccessTokens;
import dev.mailroom.spi.TransportContext;
import jakarta.mail.MessagingException;
import jakarta.mail.Store;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The connection check of a fetch account: settings, the access token (OAuth 2.0 and app accounts) and, for a Microsoft
 * 365 app, its IMAP.AccessAsApp/POP.AccessAsApp role, TCP, TLS, login, folder, message count; each step with the
 * server's exact reply and a hint. A wrong client secret thus fails the token step, a missing role the permission step,
 * and an app Exchange does not know or does not let into the mailbox the login or mailbox step. Reads nothing and changes nothing in the mailbox; the account need not be saved.
 */
public final class ConnectionCheck {
    private ConnectionCheck() {
    }

    /**
     * Runs the check.
     *
     * @param account the account, saved or a draft
     * @param context timeouts, TLS and the token source
     * @param folder the IMAP folder to open (ignored for POP3)
     * @return the steps; later steps are SKIPPED after a failure
     */
    public static Diagnosis run(ResolvedAccount account, TransportContext context, String folder) {
        List<DiagnosisStep> steps = new ArrayList<>();
        Connector.Endpoint e;
        long t0 = System.nanoTime();
        try {
            e = Connector.endpoint(account);
            steps.add(passed(Stage.SETTINGS, e.protocol().toUpperCase(java.util.Locale.ROOT) + " " + e.host() + ":" + e.port() + ", security "
                    + e.security(), t0));
        } catch (MailException ex) {
            steps.add(failed(Stage.SETTINGS, ex, t0));
            return done(account, "fetch", steps, Stage.TCP, Stage.TLS, Stage.AUTH, Stage.MAILBOX);
        }
        String transport = e.protocol();
        Authentication auth = account.authentication().orElse(Authentication.none());
        AccessToken token = null;
        if (Connector.usesToken(auth)) {
            t0 = System.nanoTime();
            try {
                token = context.accessTokens().token(account, AccessTokens.Purpose.FETCH);
            } catch (MailException ex) { // e.g. a wrong client secret (AADSTS7000215): nothing to do with the mail server
                steps.add(failed(Stage.TOKEN, ex, t0));
                return done(account, transport, steps, Stage.TCP, Stage.TLS, Stage.AUTH, Stage.MAILBOX);
            }
            steps.add(passed(Stage.TOKEN, "access token for " + Connector.tokenUser(account) + " obtained", t0));
            if (auth instanceof Authentication.MicrosoftApp) {
                DiagnosisStep permission = appPermission(e, token);
                steps.add(permission);
                if (permission.outcome() == Outcome.FAILED) {
                    return done(account, transport, steps, Stage.TCP, Stage.TLS, Stage.AUTH, Stage.MAILBOX);
                }
            } else if (auth.kind() == Authentication.Kind.OAUTH2) {
                long t1 = System.nanoTime();
                java.util.Optional<MailException> missing = Connector.delegatedScopeMissing(account, e, token);
                if (missing.isPresent()) {
                    steps.add(failed(Stage.PERMISSION, missing.get(), t1));
                    return done(account, transport, steps, Stage.TCP, Stage.TLS, Stage.AUTH, Stage.MAILBOX);
                }
            }
        }
        t0 = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(e.host(), e.port()), (int) context.connectTimeout().toMillis());
            steps.add(passed(Stage.TCP, "connected to " + e.host() + ":" + e.port(), t0));
        } catch (IOException ex) {
            steps.add(failed(Stage.TCP, Connector.failure("connecting to " + e.host() + ":" + e.port(), ex, auth.kind()), t0));
            return done(account, transport, steps, Stage.TLS, Stage.AUTH, Stage.MAILBOX);
        }
        t0 = System.nanoTime();
        Store store;
        try {
            store = Connector.connect(account, context, e, token);
        } catch (MailException ex) {
            boolean tls = ex.code() == MailErrorCode.TLS_FAILED || ex.code() == MailErrorCode.CERTIFICATE_UNTRUSTED
                    || ex.code() == MailErrorCode.CERTIFICATE_NAME_MISMATCH;
            if (tls) {
                steps.add(failed(Stage.TLS, ex, t0));
                return done(account, transport, steps, Stage.AUTH, Stage.MAILBOX);
            }
            steps.add(tlsPassed(e, t0));
            steps.add(failed(Stage.AUTH, ex, t0));
            return done(account, transport, steps, Stage.MAILBOX);
        }
        steps.add(tlsPassed(e, t0));
        steps.add(passed(Stage.AUTH, "logged in", t0));
        t0 = System.nanoTime();
        try (MailboxSession session = transport.equals("imap") ? new ImapSession(store, folder) : new Pop3Session(store)) {
            int count = session instanceof ImapSession i ? i.count() : ((Pop3Session) session).count();
            steps.add(passed(Stage.MAILBOX, (transport.equals("imap") ? "folder " + session.folder() : "POP3 inbox") + ": " + count
                    + " message(s)", t0));
        } catch (MessagingException ex) {
            steps.add(failed(Stage.MAILBOX, Connector.failure("opening " + (transport.equals("imap") ? "folder " + folder : "the inbox"), ex, auth.kind()),
                    t0));
        }
        return done(account, transport, steps);
    }

    /**
     * The application permission in an app token's {@code roles} claim (read without checking the signature: it only
     * decides the hint): without it Exchange refuses the login, and the cause is in Microsoft Entra ID, not in Exchange.
     */
    private static DiagnosisStep appPermission(Connector.Endpoint e, AccessToken token) {
        String role = Connector.appRole(e);
        long t0 = System.nanoTime();
        java.util.Optional<List<String>> roles = Connector.claimList(token.reveal(), "roles");
        if (roles.isEmpty()) {
            return new DiagnosisStep(Stage.PERMISSION, Outcome.SKIPPED, "the token is not a JWT with a roles claim: " + role + " not checked", null,
                    null, null, Duration.ZERO);
        }
        if (!roles.get().contains(role)) {
            return failed(Stage.PERMISSION, new MailException(MailErrorCode.API_PERMISSION_MISSING, "the app's token has no " + role + " role (it has "
                    + roles.get() + ")", null, "Add the application permission " + role + " (Office 365 Exchange Online) to the app in Microsoft"
                    + " Entra ID > App registrations > API permissions, and grant admin consent.", List.of(), null), t0);
        }
        return passed(Stage.PERMISSION, "the app's token carries " + role, t0);
    }

    private static DiagnosisStep tlsPassed(Connector.Endpoint e, long t0) {
        return e.security() == Security.NONE
                ? new DiagnosisStep(Stage.TLS, Outcome.SKIPPED, "security NONE: no TLS (the password travels in plain text)", null, null, null,
                Duration.ZERO)
                : passed(Stage.TLS, e.security() + " with a trusted certificate for " + e.host(), t0);
    }

    private static DiagnosisStep passed(Stage stage, String detail, long t0) {
        return DiagnosisStep.passed(stage, detail, Duration.ofNanos(System.nanoTime() - t0));
    }

    private static DiagnosisStep failed(Stage stage, MailException e, long t0) {
        return DiagnosisStep.failed(stage, e, Duration.ofNanos(System.nanoTime() - t0));
    }

    private static Diagnosis done(ResolvedAccount account, String transport, List<DiagnosisStep> steps, Stage... skipped) {
        for (Stage s : skipped) {
            steps.add(new DiagnosisStep(s, Outcome.SKIPPED, "not tried after the failure above", null, null, null, Duration.ZERO));
        }
        return new Diagnosis(account.account().email(), transport, steps, List.of(), List.of());
    }
}
