package dev.mailroom;

import java.util.Objects;
import java.util.Optional;

/**
 * How an account logs in to its server (A9). A closed set: {@link None}, {@link Password},
 * {@link OAuth2} and {@link MicrosoftApp}.
 *
 * <p>Transports that cannot use a kind say so with {@link MailErrorCode#AUTH_METHOD_NOT_SUPPORTED}
 * before anything is sent.
 */
public sealed interface Authentication permits Authentication.None, Authentication.Password,
        Authentication.OAuth2, Authentication.MicrosoftApp {

    /**
     * No login ("server requires authentication" unchecked), e.g. a local relay.
     *
     * @return the shared instance
     */
    static Authentication none() {
        return None.INSTANCE;
    }

    /**
     * User name and password.
     *
     * @param username the login, usually the full address
     * @param password the password; {@link Secret#stored()} keeps the stored one in an update
     * @return the authentication
     */
    static Authentication password(String username, Secret password) {
        return new Password(username, password);
    }

    /**
     * OAuth 2.0 (XOAUTH2) with a grant stored elsewhere (D1, D2).
     *
     * @param username the mailbox that was authorized
     * @param grantReference the key of the stored grant (OAuth client and refresh token)
     * @return the authentication
     */
    static Authentication oauth2(String username, String grantReference) {
        return new OAuth2(username, grantReference);
    }

    /**
     * Microsoft Graph application credentials (D4).
     *
     * @param directoryId the directory (tenant) ID
     * @param clientId the application (client) ID
     * @param clientSecret the client secret
     * @return the authentication
     */
    static Authentication microsoftApp(String directoryId, String clientId, Secret clientSecret) {
        return new MicrosoftApp(directoryId, clientId, clientSecret);
    }

    /**
     * The login name presented to the server, if this kind has one.
     *
     * @return the user name
     */
    default Optional<String> username() {
        return Optional.empty();
    }

    /**
     * The secret of this authentication, if it has one.
     *
     * @return the secret
     */
    default Optional<Secret> secret() {
        return Optional.empty();
    }

    /**
     * A copy whose secret is the {@link Secret#stored()} placeholder.
     *
     * @return the redacted copy (this, if there is no secret)
     */
    default Authentication redacted() {
        return this;
    }

    /** No authentication. */
    final class None implements Authentication {
        static final None INSTANCE = new None();

        private None() {
        }

        @Override
        public String toString() {
            return "none";
        }
    }

    /**
     * User name and password.
     *
     * @param user the login name
     * @param password the password
     */
    record Password(String user, Secret password) implements Authentication {
        /**
         * Validates.
         *
         * @param user see the record description
         * @param password see the record description
         */
        public Password {
            requireText(user, "username");
            Objects.requireNonNull(password, "password");
        }

        @Override
        public Optional<String> username() {
            return Optional.of(user);
        }

        @Override
        public Optional<Secret> secret() {
            return Optional.of(password);
        }

        @Override
        public Authentication redacted() {
            return new Password(user, Secret.stored());
        }

        @Override
        public String toString() {
            return "password(" + user + ", ****)";
        }
    }

    /**
     * OAuth 2.0 with a stored grant.
     *
     * @param user the authorized mailbox
     * @param grantReference the key of the stored grant
     */
    record OAuth2(String user, String grantReference) implements Authentication {
        /**
         * Validates.
         *
         * @param user see the record description
         * @param grantReference see the record description
         */
        public OAuth2 {
            requireText(user, "username");
            requireText(grantReference, "grantReference");
        }

        @Override
        public Optional<String> username() {
            return Optional.of(user);
        }
    }

    /**
     * Microsoft Graph application credentials.
     *
     * @param directoryId the directory (tenant) ID
     * @param clientId the application (client) ID
     * @param clientSecret the client secret
     */
    record MicrosoftApp(String directoryId, String clientId, Secret clientSecret) implements Authentication {
        /**
         * Validates.
         *
         * @param directoryId see the record description
         * @param clientId see the record description
         * @param clientSecret see the record description
         */
        public MicrosoftApp {
            requireText(directoryId, "directoryId");
            requireText(clientId, "clientId");
            Objects.requireNonNull(clientSecret, "clientSecret");
        }

        @Override
        public Optional<Secret> secret() {
            return Optional.of(clientSecret);
        }

        @Override
        public Authentication redacted() {
            return new MicrosoftApp(directoryId, clientId, Secret.stored());
        }

        @Override
        public String toString() {
            return "microsoftApp(" + directoryId + ", " + clientId + ", ****)";
        }
    }

    private static void requireText(String value, String field) {
        Objects.requireNonNull(value, field);
        if (value.isBlank() || value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(field + " must be non-blank text without control characters");
        }
    }
}
