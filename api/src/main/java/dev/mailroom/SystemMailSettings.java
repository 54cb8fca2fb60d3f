package dev.mailroom;

import java.util.Objects;

/**
 * System-wide mail settings: the administrator's "use mail server" switch, the sender
 * policy and where support requests go. With mail off, or without a complete and enabled system-wide
 * system account, no mail is sent at all, not even by tenants that have their own server.
 *
 * @param mailEnabled whether the system-wide mail server may be used
 * @param senderPolicy which sender messages carry; tenants may override it
 * @param support where support requests go
 */
public record SystemMailSettings(boolean mailEnabled, SenderPolicy senderPolicy, SupportSettings support) {
    /**
     * Validates.
     *
     * @param mailEnabled see the record description
     * @param senderPolicy see the record description
     * @param support see the record description
     */
    public SystemMailSettings {
        Objects.requireNonNull(senderPolicy, "senderPolicy");
        Objects.requireNonNull(support, "support");
    }

    /**
     * Settings without support settings.
     *
     * @param mailEnabled see the record description
     * @param senderPolicy see the record description
     */
    public SystemMailSettings(boolean mailEnabled, SenderPolicy senderPolicy) {
        this(mailEnabled, senderPolicy, SupportSettings.NONE);
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
     * The defaults: mail enabled, {@link SenderPolicy#OWNER_ACCOUNT}, no support address.
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
        return new SystemMailSettings(mailEnabled, policy, support);
    }

    /**
     * @param settings the support settings
     * @return a copy with other support settings
     */
    public SystemMailSettings withSupport(SupportSettings settings) {
        return new SystemMailSettings(mailEnabled, senderPolicy, settings);
    }
}
