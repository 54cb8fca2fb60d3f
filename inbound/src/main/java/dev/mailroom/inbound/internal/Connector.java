package dev.mailroom.inbound.internal;

import dev.mailroom.Account;
import dev.mailroom.Authentication;
import dev.mailroom.FetchSettings;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Security;
import dev.mailroom.spi.AccessToken;
import dev.mailroom.spi.AccessTokens;
import dev.mailroom.spi.TransportContext;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * Opens an account's mailbox over IMAP or POP3 with Angus: finite timeouts, {@code BODY.PEEK} for IMAP, the
 * account's TLS choice (server identity checked, STARTTLS required when chosen), the login string passed verbatim
 * (an Exchange shared mailbox's {@code Domain\User\Alias} included), "prevent plain-text login" and "prevent NTLM"
 * as Angus' mechanism switches, and XOAUTH2 with a token from the context's source for fetching (refreshed once when
 * refused): OAuth 2.0 as the authorized mailbox, Microsoft 365 application credentials as the account's mailbox with the
 * app's Exchange Online token.
 */
public final class Connector {
    private Connector() {
    }

    /** Where to connect, read from the account. */
    record Endpoint(String protocol, String host, int port, Security security) {
    }

    /**
     * The endpoint of an account's fetch protocol.
     *
     * @param account the account
     * @return protocol ({@code imap} or {@code pop3}), host, port and security
     * @throws MailException {@link MailErrorCode#ACCOUNT_INCOMPLETE} when the account does not fetch or lacks a host
     */
    static Endpoint endpoint(ResolvedAccount account) {
        FetchSettings.Protocol protocol = account.fetching().protocol();
        if (protocol == FetchSettings.Protocol.IMAP) {
            String host = account.imapHost().orElseThrow(() -> incomplete(account, "imapHost", "an IMAP host"));
            return new Endpoint("imap", host, account.imapPort(), account.imapSecurity());
        }
        if (protocol == FetchSettings.Protocol.POP3) {
            String host = account.pop3Host().orElseThrow(() -> incomplete(account, "pop3Host", "a POP3 host"));
            return new Endpoint("pop3", host, account.pop3Port(), account.imapSecurity());
        }
        throw new MailException(MailErrorCode.ACCOUNT_INCOMPLETE, "account " + account.id() + " does not fetch mail (fetching protocol "
                + protocol + "): set FetchSettings.imap(...) or FetchSettings.pop3(...) on the account");
    }

    private static MailException incomplete(ResolvedAccount account, String field, String what) {
        return new MailException(MailErrorCode.ACCOUNT_INCOMPLETE, "account " + account.id() + " fetches mail but has no " + field
                + ": set " + what + " on the account or its defaults account");
    }

    /**
     * Connects and opens the folder.
     *
     * @param account the account
     * @param context timeouts, TLS and the token source
     * @param folder the IMAP folder (ignored for POP3)
     * @return the open session
     * @throws MailException when connecting, logging in or opening the folder fails, with the server's reply
     */
    public static MailboxSession open(ResolvedAccount account, TransportContext context, String folder) {
        Endpoint e = endpoint(account);
        Store store = connect(account, context, e);
        try {
            return e.protocol().equals("imap") ? new ImapSession(store, folder) : new Pop3Session(store);
        } catch (MessagingException ex) {
            throw failure("opening " + (e.protocol().equals("imap") ? "folder " + folder : "the POP3 inbox") + " of account "
                    + account.id(), ex, kind(account));
        }
    }

    /** How the account logs in. */
    public static Authentication.Kind kind(ResolvedAccount account) {
        return account.authentication().map(Authentication::kind).orElse(Authentication.Kind.NONE);
    }

    /**
     * Connects and logs in.
     *
     * @param account the account
     * @param context timeouts, TLS and the token source
     * @param e where to connect
     * @return the connected store
     */
    static Store connect(ResolvedAccount account, TransportContext context, Endpoint e) {
        return connect(account, context, e, null);
    }

    /**
     * Connects and logs in, with a token already obtained (the connection check's TOKEN stage) or a new one.
     *
     * @param account the account
     * @param context timeouts, TLS and the token source
     * @param e where to connect
     * @param token the access token to log in with first, or {@code null} to ask the context's source
     * @return the connected store
     */
    static Store connect(ResolvedAccount account, TransportContext context, Endpoint e, AccessToken token) {
        Authentication auth = account.authentication().orElse(Authentication.none());
        boolean oauth = usesToken(auth);
        Session session = Session.getInstance(properties(account, context, e, oauth));
        String user;
        String secret;
        if (auth instanceof Authentication.Password p) {
            user = p.user(); // verbatim: Exchange's shared-mailbox form Domain\User\Alias is just a login string
            secret = p.password().reveal();
            token = null;
        } else if (oauth) {
            user = tokenUser(account);
            if (token == null) {
                token = context.accessTokens().token(account, AccessTokens.Purpose.FETCH);
            }
            if (auth.kind() == Authentication.Kind.OAUTH2) {
                // a grant for another protocol (SMTP.Send, Graph) would be refused at every poll, after a useless refresh
                Optional<MailException> missing = delegatedScopeMissing(account, e, token);
                if (missing.isPresent()) {
                    throw missing.get();
                }
            }
            secret = token.reveal();
        } else {
            throw new MailException(MailErrorCode.AUTH_METHOD_NOT_SUPPORTED, "account " + account.id() + " logs in with "
                    + auth.kind() + ", but fetching needs a password, OAuth 2.0 or Microsoft 365 application (XOAUTH2) login");
        }
        String what = "connecting to " + e.protocol().toUpperCase(java.util.Locale.ROOT) + " server " + e.host() + ":" + e.port()
                + " for account " + account.id();
        try {
            Store store = session.getStore(e.protocol());
            try {
                store.connect(e.host(), e.port(), user, secret);
            } catch (AuthenticationFailedException refused) {
                if (token == null) {
                    throw refused;
                }
                token = context.accessTokens().refresh(account, AccessTokens.Purpose.FETCH, token);
                try {
                    store.connect(e.host(), e.port(), user, token.reveal());
                } catch (AuthenticationFailedException again) {
                    if (auth instanceof Authentication.MicrosoftApp) {
                        throw appLoginRefused(account, e, user, token, what, again);
                    }
                    throw again;
                }
            }
            return store;
        } catch (MessagingException ex) {
            throw failure(what, ex, auth.kind());
        }
    }

    /** Whether the account logs in with an access token (XOAUTH2): OAuth 2.0 for a user, or a Microsoft 365 app acting for the mailbox. */
    static boolean usesToken(Authentication auth) {
        return auth.kind() == Authentication.Kind.OAUTH2 || auth.kind() == Authentication.Kind.MICROSOFT_APP;
    }

    /**
     * The XOAUTH2 user: the authorized mailbox for OAuth 2.0; for Microsoft 365 application credentials
     * ({@code IMAP.AccessAsApp}, {@code POP.AccessAsApp}) the mailbox the app reads, which is the account's address.
     */
    static String tokenUser(ResolvedAccount account) {
        return account.authentication().flatMap(Authentication::username).orElse(account.account().email().address());
    }

    /** The application permission an app token needs for the protocol. */
    static String appRole(Endpoint e) {
        return e.protocol().equals("imap") ? "IMAP.AccessAsApp" : "POP.AccessAsApp";
    }

    /**
     * Exchange Online refused an application's token twice. It answers the same ({@code AUTHENTICATE failed}) whatever is
     * missing, so the token's own claims decide the hint: another resource than Exchange Online, no
     * {@code IMAP.AccessAsApp}/{@code POP.AccessAsApp} role (no admin consent), or else the Exchange side: the app's
     * service principal is not registered in Exchange, or has no permission on this mailbox.
     */
    static MailException appLoginRefused(ResolvedAccount account, Endpoint e, String user, AccessToken token, String what,
                                         AuthenticationFailedException refused) {
        String reply = refused.getMessage();
        String role = appRole(e);
        Optional<List<String>> roles = claimList(token.reveal(), "roles");
        Optional<String> aud = claim(token.reveal(), "aud");
        if (aud.isPresent() && !aud.get().contains("outlook.office") && !aud.get().equals(EXCHANGE_APP_ID)) {
            return new MailException(MailErrorCode.AUTH_FAILED, what + " failed: the app's token is for " + aud.get() + ", not Exchange Online",
                    reply, "Application tokens for IMAP and POP use the scope https://outlook.office365.com/.default.", List.of(), refused);
        }
        if (roles.isPresent() && !roles.get().contains(role)) {
            return new MailException(MailErrorCode.API_PERMISSION_MISSING, what + " failed: the app's token has no " + role + " role (it has "
                    + roles.get() + ")", reply, "Add the application permission " + role + " (Office 365 Exchange Online) to the app in"
                    + " Microsoft Entra ID > App registrations > API permissions, and grant admin consent.", List.of(), refused);
        }
        return new MailException(MailErrorCode.AUTH_FAILED, what + " failed: Exchange Online refused the app's token (with the " + role
                + " role) for mailbox " + user + ", also a fresh one", reply, "The app's secret and permission are fine; Exchange does not"
                + " know the app or lets it not into this mailbox. Register its service principal in Exchange Online (New-ServicePrincipal"
                + " -AppId <application ID> -ObjectId <object ID of the Enterprise application, not of the App registration>), then give it"
                + " the mailbox (Add-MailboxPermission -Identity " + user + " -User <service principal> -AccessRights FullAccess);"
                + " Get-ServicePrincipal shows whether the first step is done.", List.of(), refused);
    }

    /** The delegated scope a Microsoft user token needs for the protocol. */
    static String userScope(Endpoint e) {
        return e.protocol().equals("imap") ? "IMAP.AccessAsUser.All" : "POP.AccessAsUser.All";
    }

    /**
     * Whether a Microsoft user's access token (a JWT whose audience is Exchange Online or Graph, read without checking its
     * signature) lacks the delegated scope of the protocol: a grant given for sending ({@code SMTP.Send}, or Graph) cannot
     * fetch, and refreshing it does not change that. Other tokens (not a JWT, another provider, no {@code scp}) are not judged.
     *
     * @return the exception naming the missing scope, or empty
     */
    static Optional<MailException> delegatedScopeMissing(ResolvedAccount account, Endpoint e, AccessToken token) {
        Optional<String> aud = claim(token.reveal(), "aud");
        Optional<String> scp = claim(token.reveal(), "scp");
        if (aud.isEmpty() || scp.isEmpty()) {
            return Optional.empty();
        }
        String a = aud.get().toLowerCase(java.util.Locale.ROOT);
        boolean exchange = a.contains("outlook.office") || a.equals(EXCHANGE_APP_ID);
        boolean graph = a.contains("graph.microsoft.com") || a.equals(GRAPH_APP_ID);
        if (!exchange && !graph) {
            return Optional.empty();
        }
        String scope = userScope(e);
        boolean has = exchange && List.of(scp.get().split("\\s+")).stream().anyMatch(s -> s.equalsIgnoreCase(scope));
        if (has) {
            return Optional.empty();
        }
        String client = account.authentication().filter(x -> x instanceof Authentication.OAuth2).map(x -> ((Authentication.OAuth2) x).client()
                .value()).orElse("?");
        return Optional.of(new MailException(MailErrorCode.API_PERMISSION_MISSING, "account " + account.id() + " fetches over "
                + e.protocol().toUpperCase(java.util.Locale.ROOT) + ", but its Microsoft grant (OAuth client " + client + ") has no "
                + scope + (graph ? " (its token is for Microsoft Graph)" : " (it has " + scp.get() + ")"), null, "Give the account an OAuth"
                + " client whose scopes are https://outlook.office.com/" + scope + " (a delegated permission of Office 365 Exchange Online on"
                + " the app registration), then connect the mailbox again; a client for sending (SMTP.Send) cannot fetch.", List.of(), null));
    }

    /** Microsoft Graph's application ID, the audience of its tokens in some tenants. */
    private static final String GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";

    /** Exchange Online's application ID, the audience of its tokens in some tenants. */
    private static final String EXCHANGE_APP_ID = "00000002-0000-0ff1-ce00-000000000000";

    /** A string claim of a JWT, read without checking its signature: it only decides a hint. */
    static Optional<String> claim(String jwt, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\"([^\"]*)\"").matcher(payload(jwt));
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** A claim that is a list of strings (e.g. {@code roles}), empty when the token is not a JWT or lacks it. */
    static Optional<List<String>> claimList(String jwt, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\\[([^\\]]*)\\]").matcher(payload(jwt));
        if (!m.find()) {
            return Optional.empty();
        }
        List<String> out = new ArrayList<>();
        Matcher item = Pattern.compile("\"([^\"]*)\"").matcher(m.group(1));
        while (item.find()) {
            out.add(item.group(1));
        }
        return Optional.of(out);
    }

    private static String payload(String jwt) {
        String[] parts = jwt.split("\\.");
        if (parts.length < 2) {
            return "";
        }
        try {
            return new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    static Properties properties(ResolvedAccount resolved, TransportContext context, Endpoint e, boolean oauth) {
        Account account = resolved.account();
        String p = "mail." + e.protocol() + ".";
        Properties props = new Properties();
        props.setProperty(p + "connectiontimeout", Long.toString(context.connectTimeout().toMillis()));
        props.setProperty(p + "timeout", Long.toString(context.readTimeout().toMillis()));
        props.setProperty(p + "writetimeout", Long.toString(context.writeTimeout().toMillis()));
        props.put(p + "executor.writetimeout", context.scheduler());
        props.setProperty("mail.imap.peek", "true");
        props.setProperty(p + "auth.plain.disable", Boolean.toString(account.preventPlainTextLogin()));
        props.setProperty(p + "auth.ntlm.disable", Boolean.toString(account.preventNtlm()));
        props.setProperty("mail.debug.auth", "false");
        if (oauth) {
            props.setProperty(p + "auth.mechanisms", "XOAUTH2");
        }
        if (e.security() == Security.TLS || e.security() == Security.STARTTLS) {
            props.put(p + "ssl.socketFactory", context.tls(resolved).getSocketFactory());
            props.setProperty(p + "ssl.checkserveridentity", "true");
            props.setProperty(p + (e.security() == Security.TLS ? "ssl.enable" : "starttls.enable"), "true");
            if (e.security() == Security.STARTTLS) {
                props.setProperty(p + "starttls.required", "true");
            }
        }
        return props;
    }

    /**
     * Turns a failure into a typed one that carries the server's reply.
     *
     * @param what what was being done
     * @param e the failure
     * @param login how the account logs in (the same reply means different things for an app and for a user)
     * @return the exception to throw
     */
    public static MailException failure(String what, Exception e, Authentication.Kind login) {
        String reply = e.getMessage();
        MailErrorCode code = MailErrorCode.CONNECTION_LOST;
        if (reply != null && reply.contains("User is authenticated but not connected")) {
            // Exchange Online took the login but will not open the mailbox for it
            if (login == Authentication.Kind.MICROSOFT_APP) {
                return new MailException(MailErrorCode.AUTH_FAILED, what + " failed: " + reply, reply, "The app's login is valid but has no"
                        + " access to this mailbox: give the app's service principal permission on the mailbox (Exchange:"
                        + " Add-MailboxPermission -AccessRights FullAccess), and check that the account's address is that mailbox.", List.of(), e);
            }
            // a user's own login: the mailbox behind it is not reachable now (Exchange busy or throttling), or not at all
            return new MailException(MailErrorCode.SERVER_BUSY, what + " failed: " + reply, reply, "Exchange Online accepted the login but"
                    + " did not open the mailbox. Often passing (Exchange busy or throttling the user): the next attempt may work. If it"
                    + " persists, check that the mailbox exists and is licensed, that IMAP/POP is enabled for it (Exchange: Get-CASMailbox /"
                    + " Set-CASMailbox -ImapEnabled $true -PopEnabled $true), and for a shared mailbox that the user has FullAccess.",
                    List.of(), e);
        }
        if (e instanceof AuthenticationFailedException) {
            code = MailErrorCode.AUTH_FAILED;
        } else if (reply != null && reply.contains("No authentication mechanisms supported")) {
            code = MailErrorCode.AUTH_MECHANISM_BLOCKED;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException) {
                code = MailErrorCode.UNKNOWN_HOST;
            } else if (t instanceof ConnectException) {
                code = MailErrorCode.CONNECTION_REFUSED;
            } else if (t instanceof SocketTimeoutException) {
                code = MailErrorCode.TIMEOUT;
            } else if (t instanceof SSLHandshakeException && String.valueOf(t.getMessage()).contains("PKIX")) {
                code = MailErrorCode.CERTIFICATE_UNTRUSTED;
            } else if (t instanceof SSLException) {
                code = MailErrorCode.TLS_FAILED;
            } else {
                continue;
            }
            reply = t.toString();
            break;
        }
        return new MailException(code, what + " failed: " + reply, reply, null, List.of(), e);
    }
}
