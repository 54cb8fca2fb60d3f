package dev.mailroom;

import java.util.Optional;

/**
 * What the system administrator allows one tenant, the tenant's own sender policy and its
 * own support address (used only when {@link SupportSettings#tenantAddressAllowed()}).
 *
 * @param systemServerAllowed whether the tenant may use the system-wide server when it has none of its own
 * @param ownServerAllowed whether the tenant may configure and use its own server
 * @param senderPolicy the tenant's sender policy, or {@code null} to use the system-wide one
 * @param supportAddress the tenant's support address, or {@code null} for the system-wide one
 */
public record TenantMailSettings(boolean systemServerAllowed, boolean ownServerAllowed, SenderPolicy senderPolicy,
                                 EmailAddress supportAddress) {
    /**
     * Settings without a support address of the tenant's own.
     *
     * @param systemServerAllowed see the record description
     * @param ownServerAllowed see the record description
     * @param senderPolicy see the record description
     */
    public TenantMailSettings(boolean systemServerAllowed, boolean ownServerAllowed, SenderPolicy senderPolicy) {
        this(systemServerAllowed, ownServerAllowed, senderPolicy, null);
    }

    /**
     * Settings that use the system-wide sender policy.
     *
     * @param systemServerAllowed see the record description
     * @param ownServerAllowed see the record description
     */
    public TenantMailSettings(boolean systemServerAllowed, boolean ownServerAllowed) {
        this(systemServerAllowed, ownServerAllowed, null, null);
    }

    /**
     * The defaults: both allowed, the system-wide sender policy and support address.
     *
     * @return the defaults
     */
    public static TenantMailSettings defaults() {
        return new TenantMailSettings(true, true, null, null);
    }

    /**
     * @return the tenant's own sender policy, if it overrides the system-wide one
     */
    public Optional<SenderPolicy> ownSenderPolicy() {
        return Optional.ofNullable(senderPolicy);
    }

    /**
     * @return the tenant's own support address, if set
     */
    public Optional<EmailAddress> ownSupportAddress() {
        return Optional.ofNullable(supportAddress);
    }

    /**
     * @param policy the tenant's sender policy, or {@code null} for the system-wide one
     * @return a copy with another sender policy
     */
    public TenantMailSettings withSenderPolicy(SenderPolicy policy) {
        return new TenantMailSettings(systemServerAllowed, ownServerAllowed, policy, supportAddress);
    }

    /**
     * @param address the tenant's support address, or {@code null} for the system-wide one
     * @return a copy with another support address
     */
    public TenantMailSettings withSupportAddress(EmailAddress address) {
        return new TenantMailSettings(systemServerAllowed, ownServerAllowed, senderPolicy, address);
    }
}
