package dev.mailroom.inbound;

import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed ticket references in Message-IDs: outgoing ticket mail carries a Message-ID that names its ticket with an
 * HMAC-SHA256 over it, so a reply's {@code In-Reply-To} or {@code References} leads back to the ticket and nobody
 * without the key can make a mail join a ticket of their choice. Keys carry an id for rotation: new ids are minted
 * with the current key, ids from earlier keys still verify while those keys are configured. Immutable and
 * thread-safe; the keys are never shown by {@link #toString()}.
 *
 * <p>The signature covers the ticket id, not the account or tenant: a reference minted for ticket 4711 verifies on
 * every mailbox that shares the key. Ticket ids must therefore be unique across all mailboxes and tenants using one
 * key, or each tenant gets its own key.
 *
 * <pre>{@code
 * TicketReferences refs = TicketReferences.builder("tickets.acme.test").key("k2026", secretBytes).build();
 * Email reply = Email.builder().to(customer).subject("Re: [#4711] Drucker").text(answer)
 *         .messageId(refs.mint("4711")).build();
 * Inbound inbound = Inbound.builder(store.inbound(), handler).references(refs).build();
 * }</pre>
 */
public final class TicketReferences {
    private static final Pattern SAFE_TICKET = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9]{1,16}");
    private static final Pattern DOMAIN = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,62}\\.)*[A-Za-z0-9-]{1,63}");
    private static final Pattern ANGLE = Pattern.compile("<([^<>\\s]{1,998})>");
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cntrl}\\u0085\\u2028\\u2029]");
    private static final int MAC_BYTES = 16;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String domain;
    private final String currentKeyId;
    private final Map<String, byte[]> keys;

    private TicketReferences(Builder b) {
        this.domain = b.domain;
        this.currentKeyId = b.currentKeyId;
        Map<String, byte[]> copy = new LinkedHashMap<>();
        b.keys.forEach((id, k) -> copy.put(id, k.clone()));
        this.keys = copy;
    }

    /**
     * Starts a builder.
     *
     * @param domain the domain part of minted Message-IDs, e.g. the helpdesk's mail domain
     * @return the builder
     * @throws MailException {@link MailErrorCode#INVALID_ACCOUNT} if the domain is not a host name
     */
    public static Builder builder(String domain) {
        Objects.requireNonNull(domain, "domain");
        if (!DOMAIN.matcher(domain).matches() || domain.length() > 200) {
            throw invalid("domain", "must be a host name like tickets.acme.test, was '" + printable(domain) + "'");
        }
        return new Builder(domain);
    }

    /**
     * Mints a new Message-ID for an outgoing mail of a ticket: unique per call, signed with the current key.
     *
     * @param ticketId the host's ticket id
     * @return a Message-ID with angle brackets, for {@code Email.Builder#messageId}
     */
    public String mint(String ticketId) {
        String segment = segment(InboundResult.checkTicketId(ticketId));
        byte[] nonce = new byte[9];
        RANDOM.nextBytes(nonce);
        String n = B64.encodeToString(nonce);
        return "<mr." + segment + "." + currentKeyId + "." + n + "." + mac(currentKeyId, segment, n) + "@" + domain + ">";
    }

    /**
     * Verifies one Message-ID minted by {@link #mint}.
     *
     * @param messageId a Message-ID, with or without angle brackets
     * @return the ticket id if the id was minted with one of the configured keys and is unchanged; empty otherwise
     */
    public Optional<String> ticketOf(String messageId) {
        Objects.requireNonNull(messageId, "messageId");
        String id = messageId.strip();
        if (id.startsWith("<") && id.endsWith(">")) {
            id = id.substring(1, id.length() - 1);
        }
        int at = id.lastIndexOf('@');
        if (at <= 0) {
            return Optional.empty();
        }
        String[] parts = id.substring(0, at).split("\\.", -1);
        if (parts.length != 5 || !parts[0].equals("mr") || !keys.containsKey(parts[2])) {
            return Optional.empty();
        }
        byte[] expected = mac(parts[2], parts[1], parts[3]).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, parts[4].getBytes(StandardCharsets.US_ASCII))) {
            return Optional.empty();
        }
        return ticketOfSegment(parts[1]);
    }

    /**
     * Finds the ticket of a thread: the first id in the values (of {@code In-Reply-To}, then {@code References}) that
     * verifies.
     *
     * @param headerValues header values, each holding one or more {@code <id>}
     * @return the ticket id, if one verifies
     */
    public Optional<String> ticketOfThread(Collection<String> headerValues) {
        for (String id : messageIds(headerValues)) {
            Optional<String> t = ticketOf(id);
            if (t.isPresent()) {
                return t;
            }
        }
        return Optional.empty();
    }

    /** Every {@code <id>} in the values, in order, with brackets; ids with control characters (e.g. NUL) are dropped. */
    static List<String> messageIds(Collection<String> headerValues) {
        List<String> out = new ArrayList<>();
        for (String v : headerValues) {
            Matcher m = ANGLE.matcher(v);
            while (m.find()) {
                if (!CONTROL.matcher(m.group(1)).find()) {
                    out.add("<" + m.group(1) + ">");
                }
            }
        }
        return out;
    }

    private String mac(String keyId, String segment, String nonce) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(keys.get(keyId), "HmacSHA256"));
            byte[] out = mac.doFinal(("mailroom-ticket|" + segment + "|" + keyId + "|" + nonce).getBytes(StandardCharsets.UTF_8));
            return B64.encodeToString(Arrays.copyOf(out, MAC_BYTES));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    private static String segment(String ticketId) {
        return SAFE_TICKET.matcher(ticketId).matches() ? ticketId : "~" + B64.encodeToString(ticketId.getBytes(StandardCharsets.UTF_8));
    }

    private static Optional<String> ticketOfSegment(String segment) {
        if (!segment.startsWith("~")) {
            return SAFE_TICKET.matcher(segment).matches() ? Optional.of(segment) : Optional.empty();
        }
        try {
            return Optional.of(new String(Base64.getUrlDecoder().decode(segment.substring(1)), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static MailException invalid(String field, String problem) {
        return new MailException(MailErrorCode.INVALID_ACCOUNT, "ticket references: " + field + " " + problem);
    }

    private static String printable(String s) {
        return s.replaceAll("\\p{Cntrl}", "?");
    }

    @Override
    public String toString() {
        return "TicketReferences[domain=" + domain + ", key=" + currentKeyId + ", keys=" + keys.keySet() + "]";
    }

    /** Configures {@link TicketReferences}; not thread-safe. */
    public static final class Builder {
        private final String domain;
        private final Map<String, byte[]> keys = new LinkedHashMap<>();
        private String currentKeyId;

        private Builder(String domain) {
            this.domain = domain;
        }

        /**
         * Sets the current key: new Message-IDs are signed with it.
         *
         * @param keyId a short id, letters and digits, at most 16, e.g. {@code k2026}
         * @param key the secret, at least 32 random bytes, the same on every node; kept as a copy
         * @return this
         * @throws MailException {@link MailErrorCode#INVALID_ACCOUNT} naming the field if the id or key does not fit
         */
        public Builder key(String keyId, byte[] key) {
            add(keyId, key);
            this.currentKeyId = keyId;
            return this;
        }

        /**
         * Adds an earlier key: Message-IDs signed with it still verify (key rotation).
         *
         * @param keyId the earlier key's id
         * @param key the earlier secret
         * @return this
         * @throws MailException {@link MailErrorCode#INVALID_ACCOUNT} naming the field if the id or key does not fit
         */
        public Builder previousKey(String keyId, byte[] key) {
            add(keyId, key);
            return this;
        }

        private void add(String keyId, byte[] key) {
            Objects.requireNonNull(keyId, "keyId");
            Objects.requireNonNull(key, "key");
            if (!KEY_ID.matcher(keyId).matches()) {
                throw invalid("keyId", "must be 1 to 16 letters or digits, e.g. k2026, was '" + printable(keyId) + "'");
            }
            if (key.length < 32) {
                throw invalid("key", "must be at least 32 random bytes (e.g. from SecureRandom), was " + key.length + " bytes");
            }
            keys.put(keyId, key.clone());
        }

        /**
         * @return the references
         * @throws MailException {@link MailErrorCode#INVALID_ACCOUNT} if no current key was set
         */
        public TicketReferences build() {
            if (currentKeyId == null) {
                throw invalid("key", "is missing: set the current key with key(keyId, secret)");
            }
            return new TicketReferences(this);
        }
    }
}
