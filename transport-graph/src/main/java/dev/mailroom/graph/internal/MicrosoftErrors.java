package dev.mailroom.graph.internal;

import com.microsoft.aad.msal4j.MsalServiceException;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.OAuthClient;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the Microsoft identity platform's refusals mean, by the AADSTS code of its reply. */
final class MicrosoftErrors {
    private static final Pattern AADSTS = Pattern.compile("AADSTS(\\d+)");

    private MicrosoftErrors() {
    }

    /** Which call Microsoft refused: the meaning of some codes differs between an app's token and a user's grant. */
    enum Flow {
        /** The client credentials grant of an application (no user). */
        APP,
        /** A user's authorization code being exchanged. */
        CODE,
        /** A user's grant being refreshed. */
        REFRESH
    }

    static MailException classify(OAuthClient client, String directory, MsalServiceException e) {
        return classify(client, directory, e.statusCode() == null ? 0 : e.statusCode(), e.errorCode(), e.getMessage(), e.headers());
    }

    static MailException classify(OAuthClient client, String directory, int status, String errorCode, String errorDescription,
                                  Map<String, List<String>> headers) {
        return classify(Flow.APP, client, directory, status, errorCode, errorDescription, headers);
    }

    /**
     * Classifies a refusal of the token endpoint.
     *
     * @param status the HTTP status, 0 when unknown
     * @param errorCode the OAuth {@code error}, or {@code null}
     * @param errorDescription the {@code error_description} (with the AADSTS code), or {@code null}
     * @param headers the response headers (for {@code Retry-After}), or {@code null}
     */
    static MailException classify(Flow flow, OAuthClient client, String directory, int status, String errorCode, String errorDescription,
                                  Map<String, List<String>> headers) {
        String description = firstLine(errorDescription);
        String error = errorCode == null ? "" : errorCode;
        String reply = (status > 0 ? status + " " : "") + error + (description.isEmpty() ? "" : ": " + description);
        String aadsts = aadsts(description);
        String app = "application " + client.clientId() + " (OAuth client " + client.id() + ")";
        if (flow != Flow.APP) {
            MailException user = delegated(flow, app, directory, reply, error, aadsts);
            if (user != null) {
                return user;
            }
        }
        switch (aadsts) {
            case "7000215" -> {
                return new MailException(MailErrorCode.OAUTH_CLIENT_REJECTED, "Microsoft refused the client secret of " + app
                        + " as wrong (AADSTS7000215)", reply, "The client secret is wrong: copy the secret's Value (not its Secret ID) from "
                        + "Microsoft Entra ID > App registrations > Certificates & secrets, and register the client again with it.", List.of(), null);
            }
            case "7000222" -> {
                return new MailException(MailErrorCode.OAUTH_CLIENT_REJECTED, "the client secret of " + app + " has expired (AADSTS7000222)",
                        reply, "The client secret has expired: create a new one in Microsoft Entra ID > App registrations > Certificates & "
                        + "secrets, and register the client again with it.", List.of(), null);
            }
            case "700016" -> {
                return new MailException(MailErrorCode.OAUTH_CLIENT_REJECTED, "directory " + directory + " has no " + app + " (AADSTS700016)",
                        reply, "Check the application (client) ID, and that the app is registered in (or consented to by) directory "
                        + directory + ".", List.of(), null);
            }
            case "90002", "90023", "900023" -> {
                return new MailException(MailErrorCode.INVALID_ACCOUNT, "Microsoft does not know directory " + directory + " (AADSTS" + aadsts
                        + ")", reply, "Check the directory (tenant) ID of the account: the GUID or the domain (contoso.onmicrosoft.com) shown "
                        + "in Microsoft Entra ID > Overview.", List.of(), null);
            }
            case "65001", "650057", "650052", "7000112" -> {
                return new MailException(MailErrorCode.API_PERMISSION_MISSING, "directory " + directory + " has not consented to " + app
                        + " (AADSTS" + aadsts + ")", reply, "An administrator of the directory grants admin consent to the app's application "
                        + "permissions (Mail.Send, User.Read.All) in Microsoft Entra ID > App registrations > API permissions.", List.of(), null);
            }
            case "70011", "1002012" -> {
                return new MailException(MailErrorCode.API_PERMISSION_MISSING, "Microsoft refused the scope asked for " + app + " (AADSTS" + aadsts
                        + ")", reply, "Application tokens use the scope https://graph.microsoft.com/.default (Graph) or "
                        + "https://outlook.office365.com/.default (SMTP, IMAP, POP).", List.of(), null);
            }
            default -> {
            }
        }
        if (status == 429 || status >= 500 || "temporarily_unavailable".equals(error) || "server_error".equals(error)) {
            return unavailable(client, directory, "Microsoft's token endpoint answered " + (status > 0 ? status : error), reply,
                    retryAfter(headers).orElse(null));
        }
        if ("invalid_grant".equals(error) || "interaction_required".equals(error)) {
            // AADSTS70000/70008/700082/50173 (refresh token used, expired, idle 90 days, password changed), 54005 (code used)
            return new MailException(MailErrorCode.OAUTH_GRANT_REVOKED, "Microsoft refused the grant of " + app + (aadsts.isEmpty() ? ""
                    : " (AADSTS" + aadsts + ")"), reply, null, List.of(), null);
        }
        if ("invalid_client".equals(error) || "unauthorized_client".equals(error)) {
            return new MailException(MailErrorCode.OAUTH_CLIENT_REJECTED, "Microsoft refused " + app, reply, null, List.of(), null);
        }
        if ("invalid_scope".equals(error)) {
            return new MailException(MailErrorCode.API_PERMISSION_MISSING, "Microsoft refused the scope asked for " + app, reply, null, List.of(),
                    null);
        }
        return new MailException(MailErrorCode.OAUTH_CLIENT_REJECTED, "Microsoft refused the token request of " + app, reply, null, List.of(),
                null);
    }

    /**
     * A refusal that concerns one user's grant rather than the whole client. Microsoft answers {@code invalid_grant} or
     * {@code interaction_required} whenever the grant can no longer be used, whatever the AADSTS code says: consent
     * revoked or missing for a scope the client now asks for (AADSTS65001), the refresh token expired, revoked or already
     * rotated away (AADSTS70000, 70008, 700082, 50173), multi-factor or conditional access now required (AADSTS50076,
     * 50079, 53003). When a refresh finds the app gone from the user's directory (AADSTS700016, {@code unauthorized_client}),
     * that directory removed or disabled the app: for a multi-tenant app it says nothing about the other directories.
     *
     * @return the exception, or {@code null} when the refusal is the client's (a wrong secret) and the general rules apply
     */
    private static MailException delegated(Flow flow, String app, String directory, String reply, String error, String aadsts) {
        String code = aadsts.isEmpty() ? "" : " (AADSTS" + aadsts + ")";
        if ("invalid_grant".equals(error) || "interaction_required".equals(error)) {
            String hint = switch (aadsts) {
                case "65001", "65004", "650052", "650057" -> "The mailbox's consent no longer covers what the client asks for: the user or an"
                        + " administrator revoked the consent, or scopes were added to the client after the mailbox consented."
                        + " Connect the mailbox again (a new consent link) so that it consents to the client's current scopes.";
                case "50173", "50133", "50140" -> "The user's sessions were revoked or the password changed: connect the mailbox again.";
                case "700082", "70008" -> "The refresh token expired (unused for too long): connect the mailbox again.";
                case "50076", "50079", "50158", "53003", "53000" -> "The directory's sign-in rules (multi-factor authentication or"
                        + " conditional access) now require the user to sign in interactively: connect the mailbox again.";
                default -> "Microsoft no longer accepts this mailbox's grant (consent revoked, refresh token expired or revoked): connect"
                        + " the mailbox again.";
            };
            return new MailException(MailErrorCode.OAUTH_GRANT_REVOKED, "Microsoft refused the grant of " + app + code, reply, hint,
                    List.of(), null);
        }
        if (flow == Flow.REFRESH && ("700016".equals(aadsts) || "unauthorized_client".equals(error))) {
            return new MailException(MailErrorCode.OAUTH_GRANT_REVOKED, "the mailbox's directory no longer has " + app + code, reply,
                    "An administrator of the mailbox's directory removed or disabled the app (Microsoft Entra ID > Enterprise"
                    + " applications), or its consent; other directories are not affected. Connect the mailbox again once the app"
                    + " is allowed there.", List.of(), null);
        }
        if ("650057".equals(aadsts)) {
            return new MailException(MailErrorCode.API_PERMISSION_MISSING, "the app registration of " + app + " does not list the scopes"
                    + " asked for" + code, reply, "Add the client's scopes as delegated permissions (e.g. Office 365 Exchange Online >"
                    + " SMTP.Send or IMAP.AccessAsUser.All) in Microsoft Entra ID > App registrations > API permissions.", List.of(), null);
        }
        if ("70011".equals(aadsts) || "invalid_scope".equals(error)) {
            return new MailException(MailErrorCode.API_PERMISSION_MISSING, "Microsoft refused the scopes asked for " + app + code, reply,
                    "Delegated scopes name their resource, all of one resource per client: https://outlook.office.com/SMTP.Send,"
                    + " https://outlook.office.com/IMAP.AccessAsUser.All or https://outlook.office.com/POP.AccessAsUser.All (Exchange"
                    + " Online), or Graph scopes such as Mail.Send; add them as delegated permissions to the app registration.",
                    List.of(), null);
        }
        return null;
    }

    static MailException unavailable(OAuthClient client, String directory, String what, String reply, Duration retryAfter) {
        String message = what + " (application " + client.clientId() + ", directory " + directory + ")";
        return retryAfter != null ? new MailException(MailErrorCode.OAUTH_PROVIDER_UNAVAILABLE, message, reply, retryAfter, null)
                : new MailException(MailErrorCode.OAUTH_PROVIDER_UNAVAILABLE, message, reply, null, List.of(), null);
    }

    static String describe(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + firstLine(c.getMessage()));
    }

    static String aadsts(String text) {
        Matcher m = AADSTS.matcher(text == null ? "" : text);
        return m.find() ? m.group(1) : "";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }

    static Optional<Duration> retryAfter(Map<String, List<String>> headers) {
        if (headers == null) {
            return Optional.empty();
        }
        for (Map.Entry<String, List<String>> h : headers.entrySet()) {
            if (h.getKey() != null && h.getKey().toLowerCase(Locale.ROOT).equals("retry-after") && !h.getValue().isEmpty()) {
                try {
                    return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(h.getValue().get(0).strip()))));
                } catch (NumberFormatException ignored) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }
}
