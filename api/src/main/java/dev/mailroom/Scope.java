package dev.mailroom;

/**
 * Who an account belongs to.
 */
public enum Scope {
    /** A system-wide account, shared by all tenants unless an administrator forbids it. */
    SYSTEM,
    /** An account of one tenant; the tenant's system account replaces the system-wide one. */
    TENANT,
    /** An account of a department that sends in its own name (press office, invoicing). */
    DEPARTMENT,
    /** An account of one user who sends in their own name. */
    USER
}
