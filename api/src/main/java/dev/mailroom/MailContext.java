package dev.mailroom;

import java.util.Objects;
import java.util.Optional;

/**
 * Who acts when mail is sent: tenant, user, department and project. Resolution and, later,
 * signatures use it. Immutable; each {@code with…} method returns a new context.
 *
 * <p>{@link #systemMail()} marks system mail (notifications, password mails): it always goes through
 * the system account of the tenant or the system, even when the acting user has an own
 * account. Without it, a user or department that has its own account sends through it.
 *
 * <pre>{@code
 * MailContext ctx = MailContext.tenant("acme").withUser("u-42");
 * MailContext notification = MailContext.tenant("acme").systemMail();
 * }</pre>
 */
public final class MailContext {
    private static final MailContext SYSTEM = new MailContext(null, null, null, null, false, null);

    private final String tenant;
    private final String user;
    private final String department;
    private final String project;
    private final boolean systemMail;
    private final EmailAddress incomingAddress;

    private MailContext(String tenant, String user, String department, String project, boolean systemMail,
                        EmailAddress incomingAddress) {
        this.tenant = tenant;
        this.user = user;
        this.department = department;
        this.project = project;
        this.systemMail = systemMail;
        this.incomingAddress = incomingAddress;
    }

    /**
     * The context of a single-tenant host, or of mail not tied to a tenant.
     *
     * @return the system context
     */
    public static MailContext system() {
        return SYSTEM;
    }

    /**
     * The context of a tenant.
     *
     * @param tenant the tenant id
     * @return the context
     */
    public static MailContext tenant(String tenant) {
        return new MailContext(id(tenant, "tenant"), null, null, null, false, null);
    }

    /**
     * @param user the acting user's id
     * @return a copy with the acting user
     */
    public MailContext withUser(String user) {
        return new MailContext(tenant, id(user, "user"), department, project, systemMail, incomingAddress);
    }

    /**
     * @param department the acting department's id
     * @return a copy with the department
     */
    public MailContext withDepartment(String department) {
        return new MailContext(tenant, user, id(department, "department"), project, systemMail, incomingAddress);
    }

    /**
     * @param project the project's id
     * @return a copy with the project
     */
    public MailContext withProject(String project) {
        return new MailContext(tenant, user, department, id(project, "project"), systemMail, incomingAddress);
    }

    /**
     * A copy for a reply to mail that came in on this address (a ticket reply goes out from the
     * address the ticket came in on).
     *
     * @param address the address the original mail was received at
     * @return a copy with the incoming address
     */
    public MailContext withIncomingAddress(EmailAddress address) {
        return new MailContext(tenant, user, department, project, systemMail, Objects.requireNonNull(address, "address"));
    }

    /**
     * A copy for system mail, which always uses the system account.
     *
     * @return a copy marked as system mail
     */
    public MailContext systemMail() {
        return new MailContext(tenant, user, department, project, true, incomingAddress);
    }

    /**
     * @return the tenant, empty for the system
     */
    public Optional<String> tenant() { return Optional.ofNullable(tenant); }
    /**
     * @return the acting user
     */
    public Optional<String> user() { return Optional.ofNullable(user); }
    /**
     * @return the acting department
     */
    public Optional<String> department() { return Optional.ofNullable(department); }
    /**
     * @return the project
     */
    public Optional<String> project() { return Optional.ofNullable(project); }
    /**
     * @return whether this is system mail
     */
    public boolean isSystemMail() { return systemMail; }
    /**
     * @return the address a replied-to mail came in on
     */
    public Optional<EmailAddress> incomingAddress() { return Optional.ofNullable(incomingAddress); }

    private static String id(String value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isBlank() || value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(name + " id must be non-blank without control characters");
        }
        return value.strip();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MailContext c && systemMail == c.systemMail && Objects.equals(tenant, c.tenant)
                && Objects.equals(user, c.user) && Objects.equals(department, c.department)
                && Objects.equals(project, c.project) && Objects.equals(incomingAddress, c.incomingAddress);
    }

    @Override
    public int hashCode() {
        return Objects.hash(tenant, user, department, project, systemMail, incomingAddress);
    }

    @Override
    public String toString() {
        return "MailContext[" + (tenant == null ? "system" : "tenant=" + tenant) + (user != null ? " user=" + user : "")
                + (department != null ? " department=" + department : "") + (project != null ? " project=" + project : "")
                + (systemMail ? " systemMail" : "") + (incomingAddress != null ? " incoming=" + incomingAddress.address() : "") + "]";
    }
}
