package dev.mailroom.spi;

import dev.mailroom.Person;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The host's user directory: name, address and phone numbers of a user, for signature variables,
 * the Reply-To of individual senders and notification recipients.
 *
 * <p>Implementations must be thread-safe and fast (they are called on the sending thread; cache if the
 * lookup is expensive) and must not throw for an unknown user: return empty.
 *
 * <pre>{@code
 * Mailroom.builder().directory((tenant, user) -> users.find(tenant, user).map(u ->
 *     new Person(u.id(), u.fullName(), EmailAddress.of(u.mail()), u.phone(), u.mobile(), u.fax())))
 * }</pre>
 */
@FunctionalInterface
public interface RecipientDirectory {
    /** Knows nobody. */
    RecipientDirectory NONE = (tenant, user) -> Optional.empty();

    /**
     * Looks up a user.
     *
     * @param tenant the tenant, or {@code null} for a single-tenant host
     * @param userId the user id
     * @return the person, if known
     */
    Optional<Person> find(String tenant, String userId);

    /**
     * Looks up many users at once, for notifications to thousands of recipients. The default calls
     * {@link #find} per user; a directory backed by a database should override it with one query per chunk.
     *
     * @param tenant the tenant, or {@code null}
     * @param userIds the user ids
     * @return user id → person, for the users known
     */
    default Map<String, Person> findAll(String tenant, Collection<String> userIds) {
        Map<String, Person> out = new HashMap<>();
        for (String id : userIds) {
            find(tenant, id).ifPresent(p -> out.put(id, p));
        }
        return out;
    }
}
