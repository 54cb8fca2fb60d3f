package dev.mailroom.spi;

import dev.mailroom.Authentication;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * What a transport can do, read by Mailroom where it decides, instead of asking which class the transport
 * is: whether the mail service stores the Sent copy itself, the largest message it takes, whether it
 * carries internationalized (UTF-8) addresses, and which kinds of login it supports. Immutable.
 *
 * <pre>{@code
 * TransportCapabilities.builder().sentCopyByProvider(true).maxMessageSize(35L << 20)
 *         .authentication(AuthenticationKind.OAUTH2).build();
 * }</pre>
 */
public final class TransportCapabilities {
    /** The kinds of login a transport may support. */
    public enum AuthenticationKind {
        /** No login (a local relay, a server that trusts the network). */
        NONE,
        /** User name and password (or app password). */
        PASSWORD,
        /** An OAuth 2.0 access token for a user, from {@link AccessTokens}. */
        OAUTH2,
        /** Credentials of a registered application acting for the mailbox (client credentials). */
        APP_CREDENTIALS;

        /**
         * The kind of login an account's authentication needs.
         *
         * @param kind the account's kind of authentication
         * @return the matching kind: {@link Authentication.Kind#MICROSOFT_APP} is {@link #APP_CREDENTIALS}
         */
        public static AuthenticationKind of(Authentication.Kind kind) {
            return switch (Objects.requireNonNull(kind, "kind")) {
                case NONE -> NONE;
                case PASSWORD -> PASSWORD;
                case OAUTH2 -> OAUTH2;
                case MICROSOFT_APP -> APP_CREDENTIALS;
            };
        }
    }

    private static final TransportCapabilities DEFAULTS = builder().build();

    private final boolean sentCopyByProvider;
    private final long maxMessageSize;
    private final boolean smtpUtf8;
    private final Set<AuthenticationKind> authentication;

    private TransportCapabilities(Builder b) {
        this.sentCopyByProvider = b.sentCopyByProvider;
        this.maxMessageSize = b.maxMessageSize;
        this.smtpUtf8 = b.smtpUtf8;
        this.authentication = Set.copyOf(b.authentication);
    }

    /**
     * No Sent copy by the provider, no size limit known, internationalized addresses carried, password
     * and no login supported.
     *
     * @return the defaults
     */
    public static TransportCapabilities defaults() {
        return DEFAULTS;
    }

    /** @return a builder starting from {@link #defaults()} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @return whether the mail service stores the Sent copy itself (an API that files sent mail); then
     *         Mailroom asks for no IMAP settings for it
     */
    public boolean sentCopyByProvider() { return sentCopyByProvider; }

    /** @return the largest message in bytes the service takes, or -1 when the transport knows no fixed limit */
    public long maxMessageSize() { return maxMessageSize; }

    /**
     * @return whether the transport can send messages with raw UTF-8 addresses (SMTPUTF8 or its
     *         protocol's equivalent); when false, such messages are refused before anything is sent
     */
    public boolean smtpUtf8() { return smtpUtf8; }

    /** @return the kinds of login the transport supports */
    public Set<AuthenticationKind> authentication() { return authentication; }

    /**
     * @param kind a kind of login
     * @return whether the transport supports it
     */
    public boolean supports(AuthenticationKind kind) {
        return authentication.contains(Objects.requireNonNull(kind, "kind"));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TransportCapabilities c && sentCopyByProvider == c.sentCopyByProvider && maxMessageSize == c.maxMessageSize
                && smtpUtf8 == c.smtpUtf8 && authentication.equals(c.authentication);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sentCopyByProvider, maxMessageSize, smtpUtf8, authentication);
    }

    @Override
    public String toString() {
        return "TransportCapabilities[sentCopyByProvider=" + sentCopyByProvider + ", maxMessageSize=" + maxMessageSize
                + ", smtpUtf8=" + smtpUtf8 + ", authentication=" + authentication + "]";
    }

    /** Builds {@link TransportCapabilities}. */
    public static final class Builder {
        private boolean sentCopyByProvider;
        private long maxMessageSize = -1;
        private boolean smtpUtf8 = true;
        private Set<AuthenticationKind> authentication = EnumSet.of(AuthenticationKind.NONE, AuthenticationKind.PASSWORD);

        private Builder() {
        }

        /**
         * @param value whether the service stores the Sent copy itself
         * @return this builder
         */
        public Builder sentCopyByProvider(boolean value) {
            this.sentCopyByProvider = value;
            return this;
        }

        /**
         * @param bytes the largest message the service takes, or -1 for no fixed limit
         * @return this builder
         */
        public Builder maxMessageSize(long bytes) {
            if (bytes < -1 || bytes == 0) {
                throw new IllegalArgumentException("maxMessageSize must be positive or -1, was " + bytes);
            }
            this.maxMessageSize = bytes;
            return this;
        }

        /**
         * @param value whether raw UTF-8 addresses can be sent
         * @return this builder
         */
        public Builder smtpUtf8(boolean value) {
            this.smtpUtf8 = value;
            return this;
        }

        /**
         * @param kinds the kinds of login supported, at least one
         * @return this builder
         */
        public Builder authentication(AuthenticationKind... kinds) {
            if (kinds.length == 0) {
                throw new IllegalArgumentException("name at least one kind of login");
            }
            EnumSet<AuthenticationKind> set = EnumSet.noneOf(AuthenticationKind.class);
            for (AuthenticationKind k : kinds) {
                set.add(Objects.requireNonNull(k, "kind"));
            }
            this.authentication = set;
            return this;
        }

        /** @return the capabilities */
        public TransportCapabilities build() {
            return new TransportCapabilities(this);
        }
    }
}
