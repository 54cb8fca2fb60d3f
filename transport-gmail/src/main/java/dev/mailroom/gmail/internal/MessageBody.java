package dev.mailroom.gmail.internal;

import com.google.api.client.http.AbstractInputStreamContent;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.spi.OutgoingMessage;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * The bytes Gmail gets: the Bcc prefix and the message. Small messages are held in memory and sent as JSON
 * {@code raw}; larger ones (and those that turn out larger than the raw limit) are streamed to the upload
 * endpoint as {@code message/rfc822}, cut off if they grow past Gmail's ceiling (the request is then incomplete,
 * so nothing is sent).
 */
final class MessageBody {
    private final byte[] raw;
    private final byte[] prefix;
    private final OutgoingMessage message;
    private final long length;
    private final long max;

    private MessageBody(byte[] raw, byte[] prefix, OutgoingMessage message, long length, long max) {
        this.raw = raw;
        this.prefix = prefix;
        this.message = message;
        this.length = length;
        this.max = max;
    }

    /**
     * Decides how the message goes.
     *
     * @param message the message
     * @param prefix the Bcc prefix
     * @param rawLimit the largest message sent as JSON {@code raw}
     * @param max the largest message Gmail takes
     * @return the body
     * @throws MailException {@link MailErrorCode#MESSAGE_TOO_LARGE} when its exact size is known to be too large
     */
    static MessageBody of(OutgoingMessage message, byte[] prefix, long rawLimit, long max) {
        long size = message.size();
        if (message.sizeExact()) {
            long total = prefix.length + size;
            if (total > max) {
                throw tooLarge(total, max);
            }
            if (total <= rawLimit) {
                return inMemory(message, prefix, Long.MAX_VALUE, max);
            }
            return new MessageBody(null, prefix, message, total, max);
        }
        // Size unknown or only estimated: try to hold it within the raw limit, else count it first. The upload goes with
        // its exact length (fixed-length streaming), so a write that fails part-way can never end as a complete request
        // with a truncated message: a chunked body would be closed with its last chunk and the server would take it.
        MessageBody held = inMemory(message, prefix, rawLimit, max);
        return held != null ? held : new MessageBody(null, prefix, message, prefix.length + counted(message, max - prefix.length), max);
    }

    /** Writes the message once into nothing to learn its length: CPU for the rare large message of unknown size, no memory. */
    private static long counted(OutgoingMessage message, long limit) {
        long[] count = {0};
        OutputStream nowhere = new OutputStream() {
            @Override
            public void write(int b) {
                count[0]++;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                count[0] += len;
            }
        };
        try {
            message.writeTo(new Limited(nowhere, limit));
        } catch (TooLarge e) {
            throw tooLarge(-1, limit);
        } catch (IOException e) {
            throw new MailException(MailErrorCode.INTERNAL, "the message cannot be read: " + e.getMessage(), null, null, List.of(), e);
        }
        return count[0];
    }

    private static MessageBody inMemory(OutgoingMessage message, byte[] prefix, long limit, long max) {
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Math.max(message.size() + prefix.length, 1024), 8L << 20));
        out.writeBytes(prefix);
        try {
            message.writeTo(new Limited(out, Math.min(limit, max) - prefix.length));
        } catch (TooLarge e) {
            if (limit >= max) {
                throw tooLarge(-1, max);
            }
            return null;
        } catch (IOException e) {
            throw new MailException(MailErrorCode.INTERNAL, "the message cannot be read: " + e.getMessage(), null, null, List.of(), e);
        }
        return new MessageBody(out.toByteArray(), prefix, message, out.size(), max);
    }

    static MailException tooLarge(long size, long max) {
        return new MailException(MailErrorCode.MESSAGE_TOO_LARGE, (size < 0 ? "the message is larger than " : "the message has " + size
                + " bytes, more than ") + max + " bytes, the most Gmail takes; nothing was sent", null, null, List.of(), null);
    }

    /** @return the whole message with its prefix when it goes as JSON {@code raw}, else {@code null} */
    byte[] raw() {
        return raw;
    }

    /** @return the exact length in bytes */
    long length() {
        return length;
    }

    /** @return the body for the upload endpoint */
    AbstractInputStreamContent upload() {
        return new AbstractInputStreamContent("message/rfc822") {
            @Override
            public long getLength() {
                return length;
            }

            @Override
            public boolean retrySupported() {
                return false;
            }

            @Override
            public InputStream getInputStream() {
                throw new UnsupportedOperationException("the message is written, not read");
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                if (raw != null) {
                    out.write(raw);
                } else {
                    out.write(prefix);
                    message.writeTo(new Limited(out, max - prefix.length));
                }
                out.flush();
            }
        };
    }

    /** Thrown when the message grows past its limit. */
    static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge() {
            super("the message is larger than the limit");
        }
    }

    /** Passes bytes on until the limit, then throws {@link TooLarge} before writing more. */
    private static final class Limited extends FilterOutputStream {
        private long left;

        Limited(OutputStream out, long limit) {
            super(out);
            this.left = limit;
        }

        @Override
        public void write(int b) throws IOException {
            if (--left < 0) {
                throw new TooLarge();
            }
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            left -= len;
            if (left < 0) {
                throw new TooLarge();
            }
            out.write(b, off, len);
        }
    }
}
