package dev.mailroom.spi;

import java.lang.Character.UnicodeScript;
import java.net.IDN;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The built-in {@link DomainNames} on the JDK's IDNA2003. A non-ASCII label is accepted only when IDNA2003
 * keeps it as written (besides lower case): it is converted, converted back, and refused if anything was
 * mapped, for instance {@code ß} to {@code ss}, final sigma to sigma, full-width to normal letters, or a
 * joiner removed. Characters unknown to IDNA2003 (Unicode 3.2) are refused too. IDNA2008 agrees with
 * IDNA2003 on every label left, so the domain is the one written.
 */
final class JdkDomainNames implements DomainNames {
    /** Scripts that, mixed with Latin, UTS #39 "highly restrictive" still allows (Japanese, Chinese, Korean). */
    private static final Set<Set<UnicodeScript>> ALLOWED_MIXES = Set.of(
            EnumSet.of(UnicodeScript.LATIN, UnicodeScript.HAN, UnicodeScript.HIRAGANA, UnicodeScript.KATAKANA),
            EnumSet.of(UnicodeScript.LATIN, UnicodeScript.HAN, UnicodeScript.BOPOMOFO),
            EnumSet.of(UnicodeScript.LATIN, UnicodeScript.HAN, UnicodeScript.HANGUL));
    /** Cyrillic and Greek lower-case letters that look like Latin ones. */
    private static final String LATIN_LOOKALIKES = "аеорсухіјѕһԁԛԝүӏɑοαν";

    @Override
    public String toAscii(String domain) {
        if (domain.chars().allMatch(c -> c < 128)) {
            checkAceLabels(domain);
            return domain;
        }
        StringBuilder out = new StringBuilder(domain.length() + 16);
        for (String label : domain.split("\\.", -1)) {
            if (out.length() > 0) {
                out.append('.');
            }
            if (label.chars().allMatch(c -> c < 128)) {
                out.append(label);
                continue;
            }
            String ascii;
            try {
                ascii = IDN.toASCII(label, IDN.USE_STD3_ASCII_RULES);
            } catch (IllegalArgumentException e) {
                if (String.valueOf(e.getMessage()).contains("too long")) {
                    throw new IllegalArgumentException("the label '" + label + "' is longer than 63 octets in its ASCII form", e);
                }
                throw new IllegalArgumentException("the label '" + label + "' is not a valid internationalized domain label ("
                        + e.getMessage() + ")" + ICU_HINT);
            }
            String back = IDN.toUnicode(ascii, IDN.USE_STD3_ASCII_RULES);
            if (!back.equals(label.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("the label '" + label + "' would be mapped to '" + back
                        + "' by IDNA2003 but kept by IDNA2008 (UTS #46), so the mail could reach another domain than the one"
                        + " written" + (hasDeviation(label) ? " (ß, ς, ZWJ and ZWNJ are read differently)" : "") + ICU_HINT);
            }
            out.append(ascii);
        }
        return out.toString();
    }

    private static final String ICU_HINT = "; write the domain in its ASCII form (xn--…), or add the module mailroom-idn-icu"
            + " for IDNA2008";

    private static boolean hasDeviation(String label) {
        return label.indexOf('ß') >= 0 || label.indexOf('ς') >= 0 || label.indexOf('\u200D') >= 0 || label.indexOf('\u200C') >= 0;
    }

    /** An ASCII label written as {@code xn--…} must decode, or it is no IDNA label at all. */
    private static void checkAceLabels(String domain) {
        for (String label : domain.split("\\.")) {
            if (label.regionMatches(true, 0, "xn--", 0, 4) && IDN.toUnicode(label).equalsIgnoreCase(label)) {
                throw new IllegalArgumentException("the label '" + label + "' is not valid punycode");
            }
        }
    }

    @Override
    public Optional<String> spoofWarning(String domain) {
        String unicode = IDN.toUnicode(domain, IDN.ALLOW_UNASSIGNED);
        for (String label : unicode.split("\\.")) {
            Set<UnicodeScript> scripts = new TreeSet<>();
            label.codePoints().forEach(cp -> {
                UnicodeScript s = UnicodeScript.of(cp);
                if (s != UnicodeScript.COMMON && s != UnicodeScript.INHERITED && s != UnicodeScript.UNKNOWN) {
                    scripts.add(s);
                }
            });
            if (scripts.size() > 1 && ALLOWED_MIXES.stream().noneMatch(m -> m.containsAll(scripts))) {
                return Optional.of("the domain '" + unicode + "' mixes scripts " + scripts + " in the label '" + label
                        + "': it may imitate another domain (UTS #39)");
            }
            if (scripts.size() == 1 && (scripts.contains(UnicodeScript.CYRILLIC) || scripts.contains(UnicodeScript.GREEK))
                    && label.toLowerCase(Locale.ROOT).codePoints().filter(Character::isLetter)
                    .allMatch(cp -> LATIN_LOOKALIKES.indexOf(cp) >= 0)) {
                return Optional.of("the domain '" + unicode + "' has the label '" + label + "' written in " + scripts.iterator().next()
                        + " letters that look like Latin ones: it may imitate another domain (UTS #39)");
            }
        }
        return Optional.empty();
    }

    @Override
    public String description() {
        return "IDNA2003 (java.net.IDN), refusing labels where IDNA2008 differs";
    }
}
