package dev.mailroom;

/**
 * System-wide mail settings (A4): the administrator's "use mail server" switch. With it off, or without
 * a complete and enabled system-wide system account, no mail is sent at all, not even by tenants that
 * have their own server.
 *
 * @param mailEnabled whether the system-wide mail server may be used
 */
public record SystemMailSettings(boolean mailEnabled) {
    /**
     * The defaults: mail enabled.
     *
     * @return the defaults
     */
    public static SystemMailSettings defaults() {
        return new SystemMailSettings(true);
    }
}
