package dev.mailroom.icu;

import com.ibm.icu.lang.UScript;
import com.ibm.icu.text.IDNA;
import com.ibm.icu.text.SpoofChecker;
import com.ibm.icu.util.VersionInfo;
import dev.mailroom.spi.DomainNames;

import java.util.Optional;
import java.util.TreeSet;

/**
 * {@link DomainNames} by UTS #46 with non-transitional processing (IDNA2008: {@code faß.example} is
 * {@code xn--fa-hia.example}, never {@code fass.example}), with the bidi, CONTEXTJ and CONTEXTO rules and
 * STD3 host name rules; look-alike domains by ICU's UTS #39 {@link SpoofChecker} (restriction level
 * "highly restrictive", and a skeleton that is plain ASCII). Found by {@link java.util.ServiceLoader};
 * immutable and thread-safe.
 */
public final class IcuDomainNames implements DomainNames {
    private static final IDNA UTS46 = IDNA.getUTS46Instance(IDNA.NONTRANSITIONAL_TO_ASCII | IDNA.NONTRANSITIONAL_TO_UNICODE
            | IDNA.CHECK_BIDI | IDNA.CHECK_CONTEXTJ | IDNA.CHECK_CONTEXTO | IDNA.USE_STD3_RULES);
    private static final SpoofChecker SPOOF = new SpoofChecker.Builder()
            .setRestrictionLevel(SpoofChecker.RestrictionLevel.HIGHLY_RESTRICTIVE).build();

    /** For {@link java.util.ServiceLoader}. */
    public IcuDomainNames() {
    }

    @Override
    public String toAscii(String domain) {
        StringBuilder out = new StringBuilder(domain.length() + 16);
        IDNA.Info info = new IDNA.Info();
        UTS46.nameToASCII(domain, out, info);
        if (info.hasErrors()) {
            throw new IllegalArgumentException("'" + domain + "' is not a valid internationalized domain name by UTS #46 (IDNA2008): "
                    + info.getErrors());
        }
        return out.toString();
    }

    @Override
    public Optional<String> spoofWarning(String domain) {
        StringBuilder unicode = new StringBuilder(domain.length());
        UTS46.nameToUnicode(domain, unicode, new IDNA.Info());
        for (String label : unicode.toString().split("\\.")) {
            if (label.chars().allMatch(c -> c < 128)) {
                continue;
            }
            SpoofChecker.CheckResult result = new SpoofChecker.CheckResult();
            if (SPOOF.failsChecks(label, result) && (result.checks & SpoofChecker.RESTRICTION_LEVEL) != 0) {
                return Optional.of("the domain '" + unicode + "' mixes scripts " + scripts(label) + " in the label '" + label
                        + "': it may imitate another domain (UTS #39)");
            }
            String skeleton = SPOOF.getSkeleton(label);
            if (skeleton.chars().allMatch(c -> c < 128)) {
                return Optional.of("the domain '" + unicode + "' has the label '" + label + "' written in " + scripts(label)
                        + " letters that look like Latin ones ('" + skeleton + "'): it may imitate another domain (UTS #39)");
            }
        }
        return Optional.empty();
    }

    private static TreeSet<String> scripts(String label) {
        TreeSet<String> names = new TreeSet<>();
        label.codePoints().forEach(cp -> {
            int script = UScript.getScript(cp);
            if (script != UScript.COMMON && script != UScript.INHERITED) {
                names.add(UScript.getName(script));
            }
        });
        return names;
    }

    @Override
    public String description() {
        return "UTS #46 (IDNA2008, ICU4J " + VersionInfo.ICU_VERSION + ")";
    }
}
