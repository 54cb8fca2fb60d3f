package dev.mailroom;

import java.util.Objects;
import java.util.Optional;

/**
 * How an account logs in to its servers, for sending and for fetching. A closed set: {@link None},
 * {@link Password}, {@link OAuth2} and {@link MicrosoftApp}; switch on {@link #kind()} rather than testing
 * the type.
 *
 * <p>OAuth and application credentials do not carry a client secret: they refer to a client registered
 * once in the store's OAuth client registry by its {@link OAuthClientId}. Only {@link Password} holds a
 * secret of its own.
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
     * OAuth 2.0 (XOAUTH2 for SMTP and IMAP, bearer tokens for HTTP APIs): the mailbox authorized a
     * registered client; the grant (refresh token) is kept by the token store under this account and
     * client.
     *
     * @param username the mailbox that was authorized
     * @param client the registered OAuth client that holds the grant
     * @return the authentication
     */
    static Authentication oauth2(String username, OAuthClientId client) {
        return new OAuth2(username, client);
    }

    /**
     * Application credentials of a Microsoft 365 directory (client credentials flow, e.g. for Graph): the
     * application and its secret are a registered client.
     *
     * @param directoryId the directory (tenant) ID
     * @param client the registered client: application (client) ID and secret
     * @return the authentication
     */
    static Authentication microsoftApp(String directoryId, OAuthClientId client) {
        return new MicrosoftApp(directoryId, client);
    }

    /**
     * Which kind this is, for a {@code switch}.
     *
     * @return the kind
     */
    Kind kind();

    /**
     * The registered OAuth client this authentication refers to, if its kind uses one.
     *
     * @return the client id
     */
    default Optional<OAuthClientId> oauthClient() {
        return Optional.empty();
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

    /** The kinds of authentication. */
    enum Kind {
        /** No login. */
        NONE,
        /** User name and password. */
        PASSWORD,
        /** OAuth 2.0 grant of a mailbox to a registered client. */
        OAUTH2,
        /** Application credentials of a Microsoft 365 directory. */
        MICROSOFT_APP
    }

    /** No authentication. */
    final class None implements Authentication {
        static final None INSTANCE = new None();

        private None() {
        }

        @Override
        public Kind kind() {
            return Kind.NONE;
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
        public Kind kind() {
            return Kind.PASSWORD;
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
     * OAuth 2.0: a mailbox that authorized a registered client.
     *
     * @param user the authorized mailbox
     * @param client the registered client holding the grant
     */
    record OAuth2(String user, OAuthClientId client) implements Authentication {
        /**
         * Validates.
         *
         * @param user see the record description
         * @param client see the record description
         */
        public OAuth2 {
            requireText(user, "username");
            Objects.requireNonNull(client, "client");
        }

        @Override
        public Kind kind() {
            return Kind.OAUTH2;
        }

        @Override
        public Optional<String> username() {
            return Optional.of(user);
        }

        @Override
        public Optional<OAuthClientId> oauthClient() {
            return Optional.of(client);
        }

        @Override
        public String toString() {
            return "oauth2(" + user + ", client " + client + ")";
        }
    }

    /**
     * Application credentials of a Microsoft 365 directory; the application ID and secret are the
     * registered client.
     *
     * @param directoryId the directory (tenant) ID
     * @param client the registered client
     */
    record MicrosoftApp(String directoryId, OAuthClientId client) implements Authentication {
        /**
         * Validates.
         *
         * @param directoryId see the record description
         * @param client see the record description
         */
        public MicrosoftApp {
            requireText(directoryId, "directoryId");
            Objects.requireNonNull(client, "client");
        }

        @Override
        public Kind kind() {
            return Kind.MICROSOFT_APP;
        }

        @Override
        public Optional<OAuthClientId> oauthClient() {
            return Optional.of(client);
        }

        @Override
        public String toString() {
            return "microsoftApp(" + directoryId + ", client " + client + ")";
        }
    }

    private static void requireText(String value, String field) {
        Objects.requireNonNull(value, field);
        if (value.isBlank() || value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(field + " must be non-blank text without control characters");
        }
    }
}
