package dev.mailroom.smtp.internal;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Turns Angus' debug output into redacted lines: the AUTH arguments, the client's answers to SASL
 * challenges ({@code 334}), and every form of the password (plain and base64 in the usual SASL encodings) become
 * {@code ****}. Angus additionally suppresses the AUTH exchange while {@code mail.debug.auth} is off.
 */
final class Redactor extends OutputStream {
    private static final Pattern AUTH = Pattern.compile("(?i)^(AUTH\\s+\\S+)\\s+\\S.*$");

    private final List<String> secrets = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Consumer<String> sink;
    private final StringBuilder line = new StringBuilder();
    private byte[] buf = new byte[256];
    private int len;
    private boolean inData;
    private long dataLines;
    private boolean saslResponseNext;

    Redactor(String user, String password, Consumer<String> sink) {
        this.sink = sink;
        if (password != null && !password.isEmpty()) {
            Base64.Encoder b64 = Base64.getEncoder();
            secrets.add(password);
            secrets.add(b64.encodeToString(password.getBytes(StandardCharsets.UTF_8)));
            if (user != null) {
                secrets.add(b64.encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8)));
                secrets.add(b64.encodeToString((user + "\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8)));
                secrets.add(b64.encodeToString(("user=" + user + "\u0001auth=Bearer " + password + "\u0001\u0001").getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    /** A further secret (an access token, its SASL encoding) that is replaced wherever it appears. */
    void secret(String value) {
        if (value != null && !value.isEmpty() && !secrets.contains(value)) {
            secrets.add(value);
        }
    }

    /** Message content that was written without passing through here: counted for the line that replaces it. */
    synchronized void dataLines(long n) {
        dataLines += n;
    }

    String redact(String s) {
        String out = s;
        for (String secret : secrets) {
            out = out.replace(secret, "****");
        }
        if (AUTH.matcher(out).matches()) {
            return AUTH.matcher(out).replaceFirst("$1 ****");
        }
        if (saslResponseNext && !out.startsWith("334")) {
            saslResponseNext = false; // the client's answer to a SASL challenge
            return "****";
        }
        if (out.startsWith("334")) {
            saslResponseNext = true;
        }
        return out;
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n') {
            flushLine();
            return;
        }
        if (len == buf.length) {
            buf = java.util.Arrays.copyOf(buf, buf.length * 2);
        }
        buf[len++] = (byte) b;
    }

    @Override
    public synchronized void write(byte[] b, int off, int n) {
        for (int i = off; i < off + n; i++) {
            write(b[i]);
        }
    }

    private void flushLine() {
        line.setLength(0);
        line.append(new String(buf, 0, len, StandardCharsets.UTF_8));
        len = 0;
        if (line.length() > 0 && line.charAt(line.length() - 1) == '\r') {
            line.setLength(line.length() - 1);
        }
        String l = line.toString();
        if (inData) {
            if (l.equals(".")) {
                inData = false;
                sink.accept("[message content: " + dataLines + " lines, not logged]");
                sink.accept(".");
            } else {
                dataLines++;
            }
            return;
        }
        if (l.startsWith("354")) {
            inData = true;
            dataLines = 0;
        }
        sink.accept(shortened(redact(l))); // redacted first: a cut must never leave part of a secret unmatched
    }

    private static String shortened(String l) {
        return l.length() > 2_000 ? l.substring(0, 2_000) + "…" : l;
    }

    @Override
    public synchronized void flush() {
        // lines are forwarded when complete
    }
}
