package dev.mailroom.graph;

import dev.mailroom.EmailAddress;
import dev.mailroom.spi.OutgoingMessage;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Messages with large attachments made on the fly: the attachment bytes come from a seeded generator each time the
 * message is written, so no test holds them (as Mailroom streams an attachment from its file).
 */
final class LargeMessages {
    private LargeMessages() {
    }

    /** One attachment: a file name, a type, a size and the seed of its bytes; inline when it has a Content-ID. */
    record Part(String fileName, String type, long size, long seed, String contentId) {
        static Part file(String name, long size, long seed) {
            return new Part(name, "application/pdf", size, seed, null);
        }

        /** @return the SHA-256 of its bytes, in lower-case hex */
        String sha256() {
            try {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                generate(new OutputStream() {
                    @Override
                    public void write(int b) {
                        md.update((byte) b);
                    }

                    @Override
                    public void write(byte[] b, int off, int len) {
                        md.update(b, off, len);
                    }
                });
                return HexFormat.of().formatHex(md.digest());
            } catch (NoSuchAlgorithmException | IOException e) {
                throw new IllegalStateException(e);
            }
        }

        void generate(OutputStream out) throws IOException {
            SplittableRandom random = new SplittableRandom(seed);
            byte[] block = new byte[48 * 1024];
            for (long left = size; left > 0; ) {
                int n = (int) Math.min(block.length, left);
                for (int i = 0; i < n; i += 8) {
                    long v = random.nextLong();
                    for (int k = 0; k < 8 && i + k < n; k++) {
                        block[i + k] = (byte) (v >>> (8 * k));
                    }
                }
                out.write(block, 0, n);
                left -= n;
            }
        }
    }

    /** A multipart/mixed message from the mailbox to the recipients (the first in To), a text and the attachments. */
    static OutgoingMessage message(List<String> recipients, Part... parts) {
        return message(GraphFixtures.MAILBOX, recipients, parts);
    }

    static OutgoingMessage message(String from, List<String> recipients, Part... parts) {
        String id = "<large-" + System.nanoTime() + "@contoso.test>";
        OutgoingMessage.Content content = out -> {
            String b = "----=_mixed_4711";
            StringBuilder h = new StringBuilder("Message-ID: " + id + "\r\nFrom: " + from + "\r\nTo: " + recipients.get(0)
                    + "\r\nSubject: Bericht\r\nX-Mailroom-Tag: quarterly\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"" + b
                    + "\"\r\n\r\nThis is a multi-part message in MIME format.\r\n--" + b
                    + "\r\nContent-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\nDer Bericht liegt bei.\r\n");
            out.write(h.toString().getBytes(StandardCharsets.US_ASCII));
            for (Part p : parts) {
                String disposition = p.contentId() == null ? "attachment" : "inline";
                out.write(("--" + b + "\r\nContent-Type: " + p.type() + "; name=\"" + p.fileName() + "\"\r\nContent-Transfer-Encoding: base64\r\n"
                        + "Content-Disposition: " + disposition + "; filename=\"" + p.fileName() + "\"\r\n"
                        + (p.contentId() == null ? "" : "Content-ID: <" + p.contentId() + ">\r\n") + "\r\n").getBytes(StandardCharsets.US_ASCII));
                OutputStream keepOpen = new FilterOutputStream(out) {
                    @Override
                    public void write(byte[] bytes, int off, int len) throws IOException {
                        out.write(bytes, off, len);
                    }

                    @Override
                    public void close() throws IOException {
                        flush();
                    }
                };
                try (OutputStream enc = Base64.getMimeEncoder().wrap(keepOpen)) {
                    p.generate(enc);
                }
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.write(("--" + b + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        };
        return OutgoingMessage.builder(id, EmailAddress.of(from), recipients.stream().map(EmailAddress::of).toList()).content(content).build();
    }
}
