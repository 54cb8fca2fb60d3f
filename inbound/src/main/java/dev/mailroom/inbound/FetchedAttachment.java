package dev.mailroom.inbound;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Objects;
import java.util.Optional;

/** A file attached to a fetched mail, decoded from its transfer encoding. Immutable. */
public final class FetchedAttachment {
    private final String fileName;
    private final String contentType;
    private final byte[] content;

    FetchedAttachment(String fileName, String contentType, byte[] content) {
        this.fileName = fileName;
        this.contentType = Objects.requireNonNull(contentType, "contentType");
        this.content = Objects.requireNonNull(content, "content");
    }

    /** @return the file name the sender gave, if any */
    public Optional<String> fileName() {
        return Optional.ofNullable(fileName);
    }

    /** @return the MIME type, e.g. {@code application/pdf} (without parameters) */
    public String contentType() {
        return contentType;
    }

    /** @return the decoded size in bytes */
    public long size() {
        return content.length;
    }

    /** @return a new stream over the decoded content */
    public InputStream open() {
        return new ByteArrayInputStream(content);
    }

    @Override
    public String toString() {
        return "FetchedAttachment[" + fileName + ", " + contentType + ", " + content.length + " bytes]";
    }
}
