package dev.mailroom.core.internal;

import dev.mailroom.Email;
import dev.mailroom.EmailAddress;
import dev.mailroom.MailContext;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.Person;
import dev.mailroom.SenderPolicy;
import dev.mailroom.Signature;
import dev.mailroom.spi.AccountRepository;
import dev.mailroom.spi.DomainNames;
import dev.mailroom.spi.RecipientDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Applies the sender policy and the signature to an email for a resolved account:
 * the single path that both sending and {@code preview} take, so a preview is exactly what goes out.
 */
public final class Composer {
    /** What goes out, before MIME. */
    public record Composition(EmailAddress from, List<EmailAddress> replyTo, String text, String html, Signature signature,
                              List<String> warnings) {
    }

    static final String HTML_MARKER = "class=\"mailroom-signature\"";
    private static final Map<String, String> ALIASES = Map.of(
            "MITARBEITER", "EMPLOYEE_NAME", "MITARBEITER_TELEFON", "EMPLOYEE_PHONE", "MITARBEITER_MOBIL", "EMPLOYEE_MOBILE",
            "MITARBEITER_EMAIL", "EMPLOYEE_EMAIL", "MITARBEITER_TELEFAX", "EMPLOYEE_FAX");

    private static final Logger LOG = LoggerFactory.getLogger(Composer.class);

    private final AccountRepository repository;
    private final RecipientDirectory directory;
    private final boolean refuseConfusableDomains;

    public Composer(AccountRepository repository, RecipientDirectory directory) {
        this(repository, directory, false);
    }

    /** @param refuseConfusableDomains refuse, instead of only warning about, domains that may imitate another (UTS #39) */
    public Composer(AccountRepository repository, RecipientDirectory directory, boolean refuseConfusableDomains) {
        this.repository = repository;
        this.directory = directory;
        this.refuseConfusableDomains = refuseConfusableDomains;
    }

    public Composition compose(MailContext ctx, Email email, Resolver.Choice choice) {
        List<String> warnings = new ArrayList<>();
        EmailAddress own = choice.account().sender();
        Optional<Person> person = ctx.user().flatMap(u -> directory.find(ctx.tenant().orElse(null), u));
        EmailAddress from;
        List<EmailAddress> replyTo = email.replyTo();
        SenderPolicy policy = choice.policy();
        if (policy == SenderPolicy.OWNER_ACCOUNT) {
            from = email.from().map(f -> f.name() != null ? f : EmailAddress.of(f.address(), own.name())).orElse(own);
        } else {
            from = own;
            email.from().filter(f -> !f.sameMailbox(own)).ifPresent(f -> warnings.add("sender " + f.address()
                    + " rewritten to " + own.address() + " by the sender policy " + policy
                    + (policy == SenderPolicy.FORCE_DEFAULT_SENDER ? " (B1)" : " (B2)")));
            if (policy == SenderPolicy.DEFAULT_SENDER_WITH_REPLY_TO && replyTo.isEmpty()) {
                Optional<EmailAddress> acting = email.from().filter(f -> !f.sameMailbox(own))
                        .or(() -> person.flatMap(Person::address).filter(a -> !a.sameMailbox(own)));
                if (acting.isPresent()) {
                    replyTo = List.of(acting.get());
                    warnings.add("Reply-To set to " + acting.get().address() + " by the sender policy (B2)");
                }
            }
        }

        checkDomains(email, from, replyTo, warnings);

        String text = email.text().orElse(null);
        String html = email.html().orElse(null);
        Signature rendered = null;
        if (email.signature()) {
            Optional<Signature> template = signatureFor(ctx, choice);
            if (template.isPresent()) {
                Map<String, String> values = values(person.orElse(null));
                String sigText = template.get().textVersion().map(t -> substitute(t, values, false, warnings)).orElse(null);
                String sigHtml = template.get().htmlVersion().map(h -> substitute(h, values, true, warnings))
                        .orElse(sigText == null ? null : escape(sigText).replace("\r\n", "<br>").replace("\n", "<br>"));
                rendered = new Signature(sigText, sigHtml);
                if (text != null && sigText != null && !text.contains(sigText.strip())) {
                    text = text + (text.endsWith("\n") ? "" : "\r\n") + "\r\n" + sigText;
                }
                if (html != null && sigHtml != null && !html.contains(HTML_MARKER)) {
                    String block = "<div " + HTML_MARKER + ">" + sigHtml + "</div>";
                    int body = html.toLowerCase(Locale.ROOT).lastIndexOf("</body>");
                    html = body >= 0 ? html.substring(0, body) + block + html.substring(body) : html + block;
                }
            }
        }
        return new Composition(from, replyTo, text, html, rendered, warnings);
    }

    /**
     * A domain that may imitate another one (a Cyrillic "а" in pаypal.com, UTS #39) is a warning in the
     * preview and the log, or refused when the host asked for that; each domain is checked once.
     */
    private void checkDomains(Email email, EmailAddress from, List<EmailAddress> replyTo, List<String> warnings) {
        Set<String> seen = new HashSet<>();
        check("from", List.of(from), seen, warnings);
        check("replyTo", replyTo, seen, warnings);
        check("to", email.to(), seen, warnings);
        check("cc", email.cc(), seen, warnings);
        check("bcc", email.bcc(), seen, warnings);
    }

    private void check(String field, List<EmailAddress> addresses, Set<String> seen, List<String> warnings) {
        for (EmailAddress a : addresses) {
            String domain = a.domain();
            if (!seen.add(domain.toLowerCase(Locale.ROOT))) {
                continue;
            }
            Optional<String> spoof = DomainNames.installed().spoofWarning(domain);
            if (spoof.isEmpty()) {
                continue;
            }
            if (refuseConfusableDomains) {
                throw new MailException(MailErrorCode.INVALID_EMAIL, field + ": " + spoof.get()
                        + "; refused because look-alike domains are refused (Mailroom.Builder#refuseConfusableDomains); nothing was sent");
            }
            warnings.add(field + ": " + spoof.get());
            LOG.warn("{} {}: {}", field, a.address(), spoof.get());
        }
    }

    /** Account, then project, then the tenant's central signature, then the system-wide one. */
    private Optional<Signature> signatureFor(MailContext ctx, Resolver.Choice choice) {
        var account = choice.account().account();
        if (account.textSignature().isPresent() || account.htmlSignature().isPresent()) {
            return Optional.of(new Signature(account.textSignature().orElse(null), account.htmlSignature().orElse(null)));
        }
        String tenant = ctx.tenant().orElse(null);
        return ctx.project().flatMap(p -> repository.projectSignature(tenant, p))
                .or(() -> tenant == null ? Optional.empty() : repository.centralSignature(tenant))
                .or(() -> repository.centralSignature(null));
    }

    private static Map<String, String> values(Person p) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("EMPLOYEE_NAME", p == null ? null : p.name());
        v.put("EMPLOYEE_PHONE", p == null ? null : p.phone());
        v.put("EMPLOYEE_MOBILE", p == null ? null : p.mobile());
        v.put("EMPLOYEE_EMAIL", p == null ? null : p.address().map(EmailAddress::address).orElse(null));
        v.put("EMPLOYEE_FAX", p == null ? null : p.fax());
        return v;
    }

    static String substitute(String template, Map<String, String> values, boolean html, List<String> warnings) {
        return Placeholders.substitute(template, values, ALIASES, html, "signature", warnings);
    }

    static String escape(String s) {
        return Placeholders.escape(s);
    }
}
