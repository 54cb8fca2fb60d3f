package dev.mailroom.spi;

import dev.mailroom.DeliveryLogEntry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;

/** The export formats of {@link DeliveryLog}: one place, so every log exports the same columns. */
final class LogFormat {
    static final String CSV_HEADER =
            "time,account_address,account_id,tenant,operation,outcome,error_code,server_reply,message_id,transport,detail\n";

    private LogFormat() {
    }

    static String csv(DeliveryLogEntry e) {
        return String.join(",", csv(e.time().toString()), csv(e.accountAddress()),
                csv(e.accountId() == null ? null : e.accountId().value()), csv(e.tenant()), csv(e.operation().name()),
                csv(e.outcome().name()), csv(e.errorCode() == null ? null : e.errorCode().name()), csv(e.serverReply()),
                csv(e.messageId()), csv(e.transport()), csv(e.detail())) + "\n";
    }

    static String json(DeliveryLogEntry e) {
        return "{\"time\":" + json(e.time().toString()) + ",\"accountAddress\":" + json(e.accountAddress())
                + ",\"accountId\":" + json(e.accountId() == null ? null : e.accountId().value()) + ",\"tenant\":" + json(e.tenant())
                + ",\"operation\":" + json(e.operation().name()) + ",\"outcome\":" + json(e.outcome().name())
                + ",\"errorCode\":" + json(e.errorCode() == null ? null : e.errorCode().name())
                + ",\"serverReply\":" + json(e.serverReply()) + ",\"messageId\":" + json(e.messageId())
                + ",\"transport\":" + json(e.transport()) + ",\"detail\":" + json(e.detail()) + "}\n";
    }

    private static String csv(String s) {
        if (s == null) {
            return "";
        }
        boolean quote = s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r");
        return quote ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    private static String json(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        b.append(String.format("\\u%04x", (int) ch));
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    static void write(Writer out, String s) {
        try {
            out.write(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void flush(Writer out) {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
