package dev.mailroom.spi;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * The bytes of a rendered message (RFC 5322), with a known size, readable as often as needed without
 * holding them all in memory: core hands a large message to the outbox as a payload backed by a temporary
 * file, a small one as bytes.
 *
 * <p>{@link #open()} returns a new stream from the first byte on every call; each stream gives exactly
 * {@link #size()} bytes. A payload handed to {@link OutboxRepository#insert} is valid until that call
 * returns; a store that keeps it must copy the bytes.
 */
public interface Payload {

    /**
     * @return the number of bytes, at least 0
     */
    long size();

    /**
     * Opens the bytes from the start. The caller closes the stream.
     *
     * @return a new stream of {@link #size()} bytes
     * @throws IOException if the bytes cannot be read (e.g. the temporary file is gone)
     */
    InputStream open() throws IOException;

    /**
     * Reads all bytes into memory: meant for small payloads and for stores that keep messages in memory.
     *
     * @return the bytes, a new array
     * @throws IOException if the bytes cannot be read
     * @throws IllegalStateException if the payload is larger than the largest array
     */
    default byte[] readAllBytes() throws IOException {
        if (size() > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("a payload of " + size() + " bytes does not fit into an array");
        }
        try (InputStream in = open()) {
            return in.readAllBytes();
        }
    }

    /**
     * A payload of bytes in memory (copied).
     *
     * @param bytes the rendered message
     * @return the payload
     */
    static Payload of(byte[] bytes) {
        byte[] copy = Objects.requireNonNull(bytes, "bytes").clone();
        return new Payload() {
            @Override
            public long size() {
                return copy.length;
            }

            @Override
            public InputStream open() {
                return new ByteArrayInputStream(copy);
            }

            @Override
            public byte[] readAllBytes() {
                return copy.clone();
            }

            @Override
            public String toString() {
                return "Payload[" + copy.length + " bytes]";
            }
        };
    }
}
