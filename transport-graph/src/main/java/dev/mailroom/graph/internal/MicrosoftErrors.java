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

    static MailException classify(OAuthClient client, String directory, MsalServiceException e) {
        return classify(client, directory, e.statusCode() == null ? 0 : e.statusCode(), e.errorCode(), e.getMessage(), e.headers());
    }

    /**
     * Classifies a refusal of the token endpoint.
     *
     * @param status the HTTP status, 0 when unknown
     * @param errorCode the OAuth {@code error}, or {@code null}
     * @param errorDescription the {@code error_description} (with the AADSTS code), or {@code null}
     * @param headers the response headers (for {@code Retry-After}), or {@code null}
     */
    static MailException classify(OAuthClient client, String directory, int status, String errorCode, String errorDescription,
                                  Map<String, List<String>> headers) {
        String description = firstLine(errorDescription);
        String error = errorCode == null ? "" : errorCode;
        String reply = (status > 0 ? status + " " : "") + error + (description.isEmpty() ? "" : ": " + description);
        String aadsts = aadsts(description);
        String app = "application " + client.clientId() + " (OAuth client " + client.id() + ")";
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
