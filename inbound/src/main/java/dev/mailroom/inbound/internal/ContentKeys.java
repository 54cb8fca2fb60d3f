package dev.mailroom.inbound.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The content key of a message: a hash of its normalized Message-ID and a hash of its header block, so the same
 * message is recognized in another folder or after the server renumbered a folder. Two different messages that
 * share a Message-ID (a sloppy mailer) still differ in their header block.
 */
public final class ContentKeys {
    private static final Pattern MESSAGE_ID = Pattern.compile("(?im)^message-id:[ \\t]*((?:[^\\r\\n]|\\r?\\n[ \\t])*)");

    private ContentKeys() {
    }

    /**
     * Computes the content key.
     *
     * @param raw the message or its header block
     * @return 45 URL-safe characters
     */
    public static String of(byte[] raw) {
        byte[] header = headerBlock(raw);
        String text = new String(header, StandardCharsets.ISO_8859_1);
        Matcher m = MESSAGE_ID.matcher(text);
        String id = m.find() ? normalize(m.group(1)) : "";
        return hash(id.getBytes(StandardCharsets.ISO_8859_1)) + "." + hash(header);
    }

    /**
     * The header block: the bytes up to the first empty line (or all of them).
     *
     * @param raw the message
     * @return the header block, without the empty line
     */
    public static byte[] headerBlock(byte[] raw) {
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == '\n' && (i + 1 < raw.length && raw[i + 1] == '\n'
                    || i + 2 < raw.length && raw[i + 1] == '\r' && raw[i + 2] == '\n')) {
                return Arrays.copyOf(raw, i + 1);
            }
        }
        return raw;
    }

    static String normalize(String messageId) {
        String s = messageId.replaceAll("\\s+", "").toLowerCase(Locale.ROOT);
        if (s.startsWith("<") && s.endsWith(">")) {
            s = s.substring(1, s.length() - 1);
        }
        return s;
    }

    private static String hash(byte[] bytes) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(bytes);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(d, 16));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
