package dev.mailroom;

/**
 * Which sender a message carries. A setting of the system-wide mail settings, which a
 * tenant may override.
 */
public enum SenderPolicy {
    /**
     * A message "from" X goes out through the account that owns X; without a From address through
     * the context's account. If no account may send as X, sending fails with
     * {@link MailErrorCode#SENDER_NOT_ALLOWED}.
     */
    OWNER_ACCOUNT,
    /**
     * "Force default sender": every message goes out through the default (system) account with its
     * sender address and name; a requested From address is dropped.
     */
    FORCE_DEFAULT_SENDER,
    /**
     * "Reply-To for individual senders": every message goes out through the default (system)
     * account, and the acting user's address (the requested From, or the user's directory entry) becomes
     * the Reply-To, unless the caller set one.
     */
    DEFAULT_SENDER_WITH_REPLY_TO
}
