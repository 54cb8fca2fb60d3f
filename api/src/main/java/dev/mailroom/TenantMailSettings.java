package dev.mailroom;

import java.util.Optional;

/**
 * What the system administrator allows one tenant (A4), and the tenant's own sender policy (B1, B2).
 *
 * @param systemServerAllowed whether the tenant may use the system-wide server when it has none of its own
 * @param ownServerAllowed whether the tenant may configure and use its own server
 * @param senderPolicy the tenant's sender policy, or {@code null} to use the system-wide one
 */
public record TenantMailSettings(boolean systemServerAllowed, boolean ownServerAllowed, SenderPolicy senderPolicy) {
    /**
     * Settings that use the system-wide sender policy.
     *
     * @param systemServerAllowed see the record description
     * @param ownServerAllowed see the record description
     */
    public TenantMailSettings(boolean systemServerAllowed, boolean ownServerAllowed) {
        this(systemServerAllowed, ownServerAllowed, null);
    }

    /**
     * The defaults: both allowed, the system-wide sender policy.
     *
     * @return the defaults
     */
    public static TenantMailSettings defaults() {
        return new TenantMailSettings(true, true, null);
    }

    /**
     * @return the tenant's own sender policy, if it overrides the system-wide one
     */
    public Optional<SenderPolicy> ownSenderPolicy() {
        return Optional.ofNullable(senderPolicy);
    }

    /**
     * @param policy the tenant's sender policy, or {@code null} for the system-wide one
     * @return a copy with another sender policy
     */
    public TenantMailSettings withSenderPolicy(SenderPolicy policy) {
        return new TenantMailSettings(systemServerAllowed, ownServerAllowed, policy);
    }
}
