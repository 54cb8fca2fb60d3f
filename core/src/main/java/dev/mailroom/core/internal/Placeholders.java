package dev.mailroom.core.internal;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code {name}} variables in signatures and notification templates: case-insensitive, HTML-escaped
 * in HTML, and never printed raw: a variable that is unknown or has no value becomes empty and is reported.
 */
public final class Placeholders {
    private static final Pattern VARIABLE = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)}");

    private Placeholders() {
    }

    /**
     * @param template the template
     * @param values upper-case name → value ({@code null}: known but without a value)
     * @param aliases upper-case alias → upper-case name
     * @param html whether to HTML-escape values
     * @param kind what the variables belong to, for warnings ("signature", "template")
     * @param warnings receives one line per variable without a value
     * @return the text with every variable replaced
     */
    public static String substitute(String template, Map<String, String> values, Map<String, String> aliases, boolean html, String kind,
                                    List<String> warnings) {
        Matcher m = VARIABLE.matcher(template);
        StringBuilder out = new StringBuilder(template.length() + 64);
        while (m.find()) {
            String name = m.group(1).toUpperCase(Locale.ROOT);
            String key = aliases.getOrDefault(name, name);
            String value;
            if (!values.containsKey(key)) {
                warnings.add("unknown " + kind + " variable {" + m.group(1) + "}");
                value = "";
            } else if (values.get(key) == null) {
                warnings.add("no value for " + kind + " variable {" + m.group(1) + "}");
                value = "";
            } else {
                value = html ? escape(values.get(key)) : values.get(key);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * @param s text
     * @return the text with HTML's special characters escaped
     */
    public static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
