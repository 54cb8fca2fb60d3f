package dev.mailroom;

/**
 * What the system administrator allows one tenant (A4).
 *
 * @param systemServerAllowed whether the tenant may use the system-wide server when it has none of its own
 * @param ownServerAllowed whether the tenant may configure and use its own server
 */
public record TenantMailSettings(boolean systemServerAllowed, boolean ownServerAllowed) {
    /**
     * The defaults: both allowed.
     *
     * @return the defaults
     */
    public static TenantMailSettings defaults() {
        return new TenantMailSettings(true, true);
    }
}
