package dev.mailroom.inbound.internal;

import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.stream.EntityState;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.stream.MimeTokenStream;
import org.apache.james.mime4j.stream.RecursionMode;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Optional;

/**
 * A streaming pre-scan of a raw message with Apache mime4j's token stream (no recursion, constant stack) before
 * Angus parses it: Angus' parser recurses per nesting level and a 5,000-level multipart overflows its stack.
 * Rejects more than {@value #MAX_NESTING} levels of multiparts and embedded messages, more than {@value #MAX_PARTS}
 * body parts, a header field longer than {@value #MAX_HEADER_LENGTH} bytes, and a body part whose decoded bytes
 * exceed the given size (counted while streaming, never held). A missing end boundary is tolerated.
 */
public final class MimeScan {
    /** The deepest nesting of multiparts and embedded messages accepted. */
    public static final int MAX_NESTING = 50;
    /** The most body parts accepted. */
    public static final int MAX_PARTS = 500;
    /** The longest header field accepted, in bytes (folded lines counted together). */
    public static final int MAX_HEADER_LENGTH = 10 * 1024;
    /** The default for the largest decoded body part accepted: 20 MiB. */
    public static final long DEFAULT_MAX_PART_SIZE = 20L * 1024 * 1024;

    private MimeScan() {
    }

    /**
     * Scans a message with the default part size limit.
     *
     * @param raw the message
     * @return why it is rejected (a reason code and the figure), or empty if it is within the limits
     */
    public static Optional<String> check(byte[] raw) {
        return check(raw, DEFAULT_MAX_PART_SIZE);
    }

    /**
     * Scans a message.
     *
     * @param raw the message
     * @param maxPartSize the largest decoded body part accepted, in bytes
     * @return why it is rejected (a reason code and the figure), or empty if it is within the limits
     */
    public static Optional<String> check(byte[] raw, long maxPartSize) {
        MimeConfig config = MimeConfig.custom().setMaxLineLen(-1).setMaxHeaderLen(MAX_HEADER_LENGTH).setMaxHeaderCount(-1)
                .setMaxContentLen(-1).setStrictParsing(false).build();
        MimeTokenStream stream = new MimeTokenStream(config);
        stream.setRecursionMode(RecursionMode.M_RECURSE);
        stream.parse(new ByteArrayInputStream(raw));
        int depth = 0;
        int parts = 0;
        try {
            for (EntityState s = stream.getState(); s != EntityState.T_END_OF_STREAM; s = stream.next()) {
                switch (s) {
                    case T_START_MULTIPART, T_START_MESSAGE -> {
                        if (++depth > MAX_NESTING + 1) { // the top-level message counts as one level
                            return Optional.of("MIME_NESTING_LIMIT: more than " + MAX_NESTING + " nested multiparts or messages");
                        }
                    }
                    case T_END_MULTIPART, T_END_MESSAGE -> depth--;
                    case T_START_BODYPART -> {
                        if (++parts > MAX_PARTS) {
                            return Optional.of("MIME_PARTS_LIMIT: more than " + MAX_PARTS + " body parts");
                        }
                    }
                    case T_BODY -> {
                        if (count(stream.getDecodedInputStream(), maxPartSize) > maxPartSize) {
                            return Optional.of("MIME_PART_SIZE_LIMIT: a body part decodes to more than " + maxPartSize + " bytes");
                        }
                    }
                    default -> {
                        // fields are streamed past
                    }
                }
            }
        } catch (MimeException e) {
            return Optional.of("MIME_HEADER_LIMIT: " + e.getMessage());
        } catch (IOException e) {
            // a byte array does not fail to read; mime4j reports its own limits as MimeException
            return Optional.of("MIME_UNREADABLE: " + e.getMessage());
        }
        return Optional.empty();
    }

    /** Reads at most {@code limit + 1} bytes; the stream is left for the token stream to skip. */
    private static long count(java.io.InputStream in, long limit) throws IOException {
        byte[] buffer = new byte[8192];
        long n = 0;
        for (int r; n <= limit && (r = in.read(buffer, 0, (int) Math.min(buffer.length, limit + 1 - n))) > 0; ) {
            n += r;
        }
        return n;
    }
}
