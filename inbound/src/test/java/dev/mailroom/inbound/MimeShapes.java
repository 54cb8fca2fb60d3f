package dev.mailroom.inbound;

/** Real-world and hostile MIME shapes for the parsing tests. */
final class MimeShapes {
    private MimeShapes() {
    }

    /** A multipart nested {@code depth} levels deep (the top-level message counts as the first). */
    static String nested(int depth) {
        StringBuilder sb = new StringBuilder("From: a@example.test\r\nTo: support@acme.test\r\nSubject: Bombe\r\n"
                + "Message-ID: <bomb" + depth + "@example.test>\r\nMIME-Version: 1.0\r\n");
        for (int i = 0; i < depth; i++) {
            sb.append("Content-Type: multipart/mixed; boundary=\"b").append(i).append("\"\r\n\r\n--b").append(i).append("\r\n");
        }
        sb.append("Content-Type: text/plain\r\n\r\nkern\r\n");
        for (int i = depth - 1; i >= 0; i--) {
            sb.append("--b").append(i).append("--\r\n");
        }
        return sb.toString();
    }

    /** A multipart with {@code parts} text parts. */
    static String manyParts(int parts) {
        StringBuilder sb = new StringBuilder("From: a@example.test\r\nSubject: Viele\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\"x\"\r\n\r\n");
        for (int i = 0; i < parts; i++) {
            sb.append("--x\r\nContent-Type: text/plain\r\n\r\nTeil ").append(i).append("\r\n");
        }
        return sb.append("--x--\r\n").toString();
    }

    /** A message whose Subject header is {@code length} characters long. */
    static String longHeader(int length) {
        return "From: a@example.test\r\nSubject: " + "s".repeat(length) + "\r\n\r\nbody\r\n";
    }
}
