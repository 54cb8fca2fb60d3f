package dev.mailroom.spi;

import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.ResolvedAccount;

/**
 * Where transports get OAuth 2.0 access tokens: one source shared by every transport (SMTP and IMAP
 * with XOAUTH2, HTTP APIs with a bearer token). A transport asks for a token before it logs in; when the
 * server refuses it (SMTP {@code 535}, IMAP {@code NO}, HTTP {@code 401}) it says so once with
 * {@link #refresh}, gets a fresh token and tries once more; a second refusal is the account's problem
 * ({@link MailErrorCode#AUTH_FAILED}).
 *
 * <p>Implementations cache tokens per account, refresh them before they expire, and are thread-safe:
 * transports call them concurrently. Failures are {@link MailException}s with a stable code, e.g.
 * {@link MailErrorCode#OAUTH_GRANT_REVOKED} when the grant was revoked; the token itself never
 * appears in a message. Mailroom has its own, for accounts connected with {@code mailroom.oauth()}; a host
 * that manages tokens itself registers one with {@code Mailroom.builder().accessTokens(…)}.
 */
public interface AccessTokens {

    /**
     * A valid token for the account, from the cache when it has one that does not expire soon.
     *
     * @param account the account, as resolved for this send or diagnosis
     * @return the token
     * @throws MailException when no token can be had, with a code that says why
     */
    AccessToken token(ResolvedAccount account);

    /**
     * The server refused {@code rejected}: forget it and return a fresh token. Called at most once per
     * login attempt.
     *
     * @param account the account
     * @param rejected the token the server refused
     * @return a fresh token, different from {@code rejected}
     * @throws MailException when no fresh token can be had
     */
    AccessToken refresh(ResolvedAccount account, AccessToken rejected);

    /**
     * What a token is for. One account may send one way and fetch another (e.g. Microsoft 365 application
     * credentials: sending through Graph, fetching over IMAP), and the provider issues a token per resource.
     */
    enum Purpose {
        /** Sending (SMTP, an HTTP API) and the Sent copy made with it: the resource the account sends through. */
        SEND,
        /** Fetching incoming mail over IMAP or POP3. */
        FETCH
    }

    /**
     * A valid token for the account, for one purpose. By default the same as {@link #token(ResolvedAccount)}: a
     * source whose tokens serve every protocol of an account need not implement it.
     *
     * @param account the account
     * @param purpose what the token is for
     * @return the token
     * @throws MailException when no token can be had, with a code that says why
     */
    default AccessToken token(ResolvedAccount account, Purpose purpose) {
        return token(account);
    }

    /**
     * The server refused {@code rejected}, a token for {@code purpose}: forget it and return a fresh one. By default
     * the same as {@link #refresh(ResolvedAccount, AccessToken)}.
     *
     * @param account the account
     * @param purpose what the token is for
     * @param rejected the token the server refused
     * @return a fresh token, different from {@code rejected}
     * @throws MailException when no fresh token can be had
     */
    default AccessToken refresh(ResolvedAccount account, Purpose purpose, AccessToken rejected) {
        return refresh(account, rejected);
    }

    /**
     * The source of a Mailroom without OAuth support: every call fails with
     * {@link MailErrorCode#ACCESS_TOKEN_UNAVAILABLE}, naming the account and the fix.
     *
     * @return the source
     */
    static AccessTokens none() {
        return NoAccessTokens.INSTANCE;
    }
}

/** The default source: none configured. */
final class NoAccessTokens implements AccessTokens {
    static final NoAccessTokens INSTANCE = new NoAccessTokens();

    private NoAccessTokens() {
    }

    @Override
    public AccessToken token(ResolvedAccount account) {
        throw missing(account);
    }

    @Override
    public AccessToken refresh(ResolvedAccount account, AccessToken rejected) {
        throw missing(account);
    }

    private static MailException missing(ResolvedAccount account) {
        return new MailException(MailErrorCode.ACCESS_TOKEN_UNAVAILABLE, "account " + account.account().email().address()
                + " logs in with OAuth 2.0, but this Mailroom has no access-token source");
    }

    @Override
    public String toString() {
        return "AccessTokens.none()";
    }
}
