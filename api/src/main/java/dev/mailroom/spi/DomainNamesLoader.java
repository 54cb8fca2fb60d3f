package dev.mailroom.spi;

import java.util.Iterator;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/** Finds the {@link DomainNames} of this JVM once, and checks what any implementation returns. */
final class DomainNamesLoader {
    static final DomainNames INSTALLED = new Checked(load());

    private DomainNamesLoader() {
    }

    private static DomainNames load() {
        Iterator<DomainNames> it = ServiceLoader.load(DomainNames.class, DomainNames.class.getClassLoader()).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    return new JdkDomainNames();
                }
                return it.next();
            } catch (ServiceConfigurationError e) {
                // a provider that cannot load (e.g. ICU4J missing from the class path) must not break mail: skip it
                System.getLogger(DomainNames.class.getName()).log(System.Logger.Level.WARNING,
                        "a DomainNames provider could not be loaded and is skipped: " + e.getMessage());
            }
        }
    }

    /** An ASCII domain Mailroom can put into DNS and SMTP: LDH labels of 1 to 63 octets, at most 253 in all. */
    static void checkAscii(String domain) {
        if (domain.isEmpty()) {
            throw new IllegalArgumentException("the domain is empty");
        }
        if (domain.length() > 253) {
            throw new IllegalArgumentException("the domain is longer than 253 octets in its ASCII form");
        }
        int start = 0;
        while (true) {
            int dot = domain.indexOf('.', start);
            String label = domain.substring(start, dot < 0 ? domain.length() : dot);
            checkLabel(label);
            if (dot < 0) {
                return;
            }
            start = dot + 1;
        }
    }

    private static void checkLabel(String label) {
        if (label.isEmpty()) {
            throw new IllegalArgumentException("the domain has an empty label (a misplaced dot)");
        }
        if (label.length() > 63) {
            throw new IllegalArgumentException("the label '" + shorten(label) + "' is longer than 63 octets in its ASCII form");
        }
        for (int i = 0; i < label.length(); i++) {
            char c = label.charAt(i);
            boolean ldh = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
            if (!ldh) {
                throw new IllegalArgumentException("the label '" + shorten(label) + "' contains '" + c
                        + "'; a domain has only letters, digits and hyphens");
            }
        }
        if (label.startsWith("-") || label.endsWith("-")) {
            throw new IllegalArgumentException("the label '" + label + "' begins or ends with '-'");
        }
        if (label.length() >= 4 && label.charAt(2) == '-' && label.charAt(3) == '-' && !label.regionMatches(true, 0, "xn--", 0, 4)) {
            throw new IllegalArgumentException("the label '" + label + "' has '--' in the third and fourth place, which is reserved"
                    + " for encodings such as IDNA's xn--");
        }
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

    /** Holds every implementation to the contract of {@link DomainNames#toAscii}. */
    private record Checked(DomainNames delegate) implements DomainNames {
        @Override
        public String toAscii(String domain) {
            Objects.requireNonNull(domain, "domain");
            String ascii = delegate.toAscii(domain);
            if (ascii == null || !ascii.chars().allMatch(c -> c < 128)) {
                throw new IllegalArgumentException("the domain '" + domain + "' has no ASCII form (" + delegate.description() + ")");
            }
            checkAscii(ascii);
            return ascii;
        }

        @Override
        public Optional<String> spoofWarning(String domain) {
            Objects.requireNonNull(domain, "domain");
            if (domain.chars().allMatch(c -> c < 128) && !domain.toLowerCase(Locale.ROOT).contains("xn--")) {
                return Optional.empty(); // plain ASCII: nothing to imitate with
            }
            return delegate.spoofWarning(domain);
        }

        @Override
        public String description() {
            return delegate.description();
        }
    }
}
