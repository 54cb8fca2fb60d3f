package dev.mailroom;

import java.util.Optional;

/**
 * Where support requests go, part of the {@link SystemMailSettings}: the support address, whether a
 * tenant may set its own ({@link TenantMailSettings#supportAddress()}), and whether system information is
 * attached.
 *
 * @param address the support address, or {@code null} when none is configured
 * @param tenantAddressAllowed whether tenants may route their requests to their own support address
 * @param attachSystemInfo whether requests carry system information (product and Java version, the tenant's
 *                         resolved mail settings without secrets)
 */
public record SupportSettings(EmailAddress address, boolean tenantAddressAllowed, boolean attachSystemInfo) {
    /** No support address; tenants may not set one; no system information. */
    public static final SupportSettings NONE = new SupportSettings(null, false, false);

    /**
     * @return the support address, if configured
     */
    public Optional<EmailAddress> supportAddress() {
        return Optional.ofNullable(address);
    }
}
