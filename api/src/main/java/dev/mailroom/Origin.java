package dev.mailroom;

/**
 * Where a resolved account's effective value came from.
 */
public enum Origin {
    /** Set on the account itself. */
    ACCOUNT,
    /** Left blank on the account and filled from the defaults account. */
    DEFAULTS_ACCOUNT,
    /** Taken from the host application's global configuration (e.g. {@link Security#DEFAULT}). */
    HOST_DEFAULT,
    /** Derived by Mailroom (e.g. port 587 for STARTTLS). */
    BUILT_IN,
    /** Not set anywhere. */
    UNSET
}
