package dev.mailroom.spring.boot.autoconfigure;

import dev.mailroom.Account;
import dev.mailroom.AccountHealth;
import dev.mailroom.AccountId;
import dev.mailroom.MailException;
import dev.mailroom.core.Mailroom;
import org.springframework.boot.actuate.health.CompositeHealthContributor;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthContributor;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.NamedContributor;
import org.springframework.boot.actuate.health.Status;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * One health indicator per account, named by its id, from {@link Mailroom#health(java.util.Collection)}: the delivery
 * log of the last 24 hours and whether the account's secret opens on this node; never a connection to a mail server.
 * A probe of the whole contributor costs one read of the accounts and one of the delivery log, however many
 * accounts there are.
 * OK is {@code UP}; DEGRADED, AUTH_REQUIRED and DISABLED are statuses of those names, which Spring's default
 * aggregation leaves out, so one broken mail account does not take the application out of service. Add them to
 * {@code management.endpoint.health.status.order} to let them count.
 */
final class MailroomHealthContributor implements CompositeHealthContributor {
    /** A mail account's login does not work; an administrator must act. */
    static final Status AUTH_REQUIRED = new Status("AUTH_REQUIRED", "the account's login does not work");
    /** Recent attempts failed for reasons that may pass. */
    static final Status DEGRADED = new Status("DEGRADED", "recent attempts failed");
    /** The account is switched off. */
    static final Status DISABLED = new Status("DISABLED", "the account is disabled");

    private final Mailroom mailroom;

    MailroomHealthContributor(Mailroom mailroom) {
        this.mailroom = mailroom;
    }

    @Override
    public HealthContributor getContributor(String name) {
        return mailroom.accounts().get(AccountId.of(name)).map(a -> (HealthIndicator) () -> single(a)).orElse(null);
    }

    /** One account's health on its own; UNKNOWN with the reason when it cannot be computed. */
    private Health single(Account a) {
        try {
            return health(a, mailroom.health(a.id()));
        } catch (MailException e) {
            return Health.unknown().withDetail("reason", e.getMessage()).build();
        }
    }

    /**
     * Every account's health computed at once when the health endpoint walks the accounts: one read of the accounts
     * and one of the delivery log for the whole probe ({@link Mailroom#health(java.util.Collection)}).
     */
    @Override
    public Iterator<NamedContributor<HealthContributor>> iterator() {
        List<Account> accounts = mailroom.accounts().list();
        Map<AccountId, AccountHealth> all;
        try {
            all = mailroom.health(accounts.stream().map(Account::id).toList());
        } catch (MailException e) {
            // the batch failed (one account's problem, or the store): each account on its own, so that one cannot hide the others
            return accounts.stream().map(a -> NamedContributor.<HealthContributor>of(a.id().value(), (HealthIndicator) () -> single(a)))
                    .iterator();
        }
        return accounts.stream().filter(a -> all.containsKey(a.id())).map(a -> {
            Health h = health(a, all.get(a.id()));
            return NamedContributor.<HealthContributor>of(a.id().value(), (HealthIndicator) () -> h);
        }).iterator();
    }

    private static Health health(Account account, AccountHealth h) {
        Status status = switch (h.state()) {
            case OK -> Status.UP;
            case DEGRADED -> DEGRADED;
            case AUTH_REQUIRED -> AUTH_REQUIRED;
            case DISABLED -> DISABLED;
        };
        Health.Builder b = Health.status(status).withDetail("address", account.email().address()).withDetail("reason", h.reason());
        h.failure().ifPresent(f -> {
            b.withDetail("lastFailureAt", f.time().toString());
            if (f.errorCode() != null) {
                b.withDetail("lastFailureCode", f.errorCode().name());
            }
        });
        return b.build();
    }
}
