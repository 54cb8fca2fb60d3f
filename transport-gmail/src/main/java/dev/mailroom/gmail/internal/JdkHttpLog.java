package dev.mailroom.gmail.internal;

import java.util.logging.Filter;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The JDK's {@code HttpURLConnection}, which Google's client uses, logs every request's headers at FINE through
 * java.util.logging, the {@code Authorization: Bearer …} header included, and redacts nothing. A host that bridges
 * java.util.logging to its logging at DEBUG would log every access token. A filter on that logger replaces the
 * value of authorization headers before any handler sees the record; it is put back before each request if the
 * host replaced the logger's filter, and wraps (never drops) a filter the host set.
 */
final class JdkHttpLog {
    /** Held strongly: java.util.logging keeps loggers only weakly, and a new logger would come without the filter. */
    private static final Logger LOGGER = Logger.getLogger("sun.net.www.protocol.http.HttpURLConnection");
    private static final Pattern AUTHORIZATION = Pattern.compile("(?i)((?:proxy-)?authorization\\s*[:=]\\s*)[^}\\r\\n]*");

    private JdkHttpLog() {
    }

    /** Makes sure the filter is in place; cheap, called before each request. */
    static void guard() {
        Filter current = LOGGER.getFilter();
        if (!(current instanceof Redacting)) {
            synchronized (JdkHttpLog.class) {
                current = LOGGER.getFilter();
                if (!(current instanceof Redacting)) {
                    LOGGER.setFilter(new Redacting(current));
                }
            }
        }
    }

    /** @return the text with the values of authorization headers replaced */
    static String redact(String text) {
        return text == null ? null : AUTHORIZATION.matcher(text).replaceAll("$1****");
    }

    private record Redacting(Filter next) implements Filter {
        @Override
        public boolean isLoggable(LogRecord record) {
            record.setMessage(redact(record.getMessage()));
            Object[] parameters = record.getParameters();
            if (parameters != null) {
                Object[] clean = new Object[parameters.length];
                for (int i = 0; i < parameters.length; i++) {
                    clean[i] = parameters[i] == null ? null : redact(String.valueOf(parameters[i]));
                }
                record.setParameters(clean);
            }
            return next == null || next.isLoggable(record);
        }
    }
}
