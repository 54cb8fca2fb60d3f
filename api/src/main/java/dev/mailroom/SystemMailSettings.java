package dev.mailroom;

import java.util.Objects;

/**
 * System-wide mail settings (A4, B1, B2): the administrator's "use mail server" switch and the sender
 * policy. With mail off, or without a complete and enabled system-wide system account, no mail is sent
 * at all, not even by tenants that have their own server.
 *
 * @param mailEnabled whether the system-wide mail server may be used
 * @param senderPolicy which sender messages carry; tenants may override it
 */
public record SystemMailSettings(boolean mailEnabled, SenderPolicy senderPolicy) {
    /**
     * Validates.
     *
     * @param mailEnabled see the record description
     * @param senderPolicy see the record description
     */
    public SystemMailSettings {
        Objects.requireNonNull(senderPolicy, "senderPolicy");
    }

    /**
     * Settings with the default sender policy {@link SenderPolicy#OWNER_ACCOUNT}.
     *
     * @param mailEnabled whether the system-wide mail server may be used
     */
    public SystemMailSettings(boolean mailEnabled) {
        this(mailEnabled, SenderPolicy.OWNER_ACCOUNT);
    }

    /**
     * The defaults: mail enabled, {@link SenderPolicy#OWNER_ACCOUNT}.
     *
     * @return the defaults
     */
    public static SystemMailSettings defaults() {
        return new SystemMailSettings(true, SenderPolicy.OWNER_ACCOUNT);
    }

    /**
     * @param policy the sender policy
     * @return a copy with another sender policy
     */
    public SystemMailSettings withSenderPolicy(SenderPolicy policy) {
        return new SystemMailSettings(mailEnabled, policy);
    }
}
