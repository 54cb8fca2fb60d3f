package dev.mailroom;

import java.util.List;
import java.util.regex.Pattern;

/** Field checks shared by {@link Account.Builder} and the account parts. */
final class AccountChecks {
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._:\\-\\[\\]\\u0080-\\uFFFF]{1,253}");

    private AccountChecks() {
    }

    static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    static boolean hasControl(String s) {
        return s.chars().anyMatch(Character::isISOControl);
    }

    static void checkHost(String host, AccountField field, List<FieldProblem> problems) {
        if (host != null && !host.isBlank() && !HOST.matcher(host.strip()).matches()) {
            problems.add(new FieldProblem(field, "'" + host.strip() + "' is not a host name; give only the name, e.g. mail.example.com (no scheme, port or path)"));
        }
    }

    static void checkPort(Integer port, AccountField field, List<FieldProblem> problems) {
        if (port != null && (port < 1 || port > 65535)) {
            problems.add(new FieldProblem(field, "must be between 1 and 65535, was " + port));
        }
    }

    static void checkFolder(String folder, List<FieldProblem> problems) {
        if (folder != null && (folder.length() > 200 || hasControl(folder))) {
            problems.add(new FieldProblem(AccountField.SENT_FOLDER, "must be at most 200 characters without control characters"));
        }
    }

    static void throwIfAny(String what, List<FieldProblem> problems) {
        if (!problems.isEmpty()) {
            throw MailException.fieldProblems(MailErrorCode.INVALID_ACCOUNT, what, problems);
        }
    }
}
