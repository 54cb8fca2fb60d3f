package dev.mailroom;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A file attached to an {@link Email} (B7). The content is read from its source each time the message
 * is written, not loaded into the heap when the attachment is created.
 */
public final class Attachment {
    /** Opens the attachment's content; called once per write of the message. */
    @FunctionalInterface
    public interface Source {
        /**
         * Opens a new stream of the content. The caller closes it.
         *
         * @return the content
         * @throws IOException if the content cannot be read
         */
        InputStream open() throws IOException;
    }

    private final String fileName;
    private final String contentType;
    private final Source source;
    private final long size;
    private final String contentId;

    private Attachment(String fileName, String contentType, Source source, long size) {
        this(fileName, contentType, source, size, null);
    }

    private Attachment(String fileName, String contentType, Source source, long size, String contentId) {
        this.fileName = checkName(fileName);
        this.contentType = checkType(contentType);
        this.source = Objects.requireNonNull(source, "source");
        this.size = size;
        this.contentId = contentId;
    }

    /**
     * This attachment as an inline part of the HTML body (B7), referenced there as {@code src="cid:ID"}.
     *
     * @param contentId the id, e.g. {@code logo}: letters, digits and {@code . _ - @}
     * @return the inline attachment
     * @throws IllegalArgumentException if the id is malformed
     */
    public Attachment inline(String contentId) {
        Objects.requireNonNull(contentId, "contentId");
        if (!contentId.matches("[A-Za-z0-9._@-]{1,200}")) {
            throw new IllegalArgumentException("content id must be 1 to 200 letters, digits or . _ - @, was '" + contentId + "'");
        }
        return new Attachment(fileName, contentType, source, size, contentId);
    }

    /** @return the content id of an inline attachment, referenced as {@code cid:ID} in the HTML body */
    public java.util.Optional<String> contentId() {
        return java.util.Optional.ofNullable(contentId);
    }

    /**
     * An attachment from a file, read when the message is written.
     *
     * @param file the file, must be readable
     * @param contentType the MIME type, e.g. {@code application/pdf}
     * @return the attachment
     * @throws IllegalArgumentException if the file is not a readable regular file
     */
    public static Attachment of(Path file, String contentType) {
        Objects.requireNonNull(file, "file");
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException("attachment " + file + " is not a readable file");
        }
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("attachment " + file + " cannot be read: " + e.getMessage(), e);
        }
        return new Attachment(file.getFileName().toString(), contentType, () -> Files.newInputStream(file), size);
    }

    /**
     * An attachment from bytes (copied).
     *
     * @param fileName the file name shown to the recipient
     * @param contentType the MIME type
     * @param content the content
     * @return the attachment
     */
    public static Attachment of(String fileName, String contentType, byte[] content) {
        byte[] copy = Objects.requireNonNull(content, "content").clone();
        return new Attachment(fileName, contentType, () -> new ByteArrayInputStream(copy), copy.length);
    }

    /**
     * An attachment from a stream source, opened each time the message is written.
     *
     * @param fileName the file name shown to the recipient
     * @param contentType the MIME type
     * @param source opens the content
     * @return the attachment
     */
    public static Attachment of(String fileName, String contentType, Source source) {
        return new Attachment(fileName, contentType, source, -1);
    }

    /**
     * @return the file name
     */
    public String fileName() { return fileName; }
    /**
     * @return the MIME type
     */
    public String contentType() { return contentType; }
    /**
     * @return the source of the content
     */
    public Source source() { return source; }
    /**
     * @return the size in bytes, if known
     */
    public OptionalLong size() { return size < 0 ? OptionalLong.empty() : OptionalLong.of(size); }

    private static String checkName(String name) {
        Objects.requireNonNull(name, "fileName");
        if (name.isBlank() || name.chars().anyMatch(Character::isISOControl) || name.contains("/") || name.contains("\\")) {
            throw new IllegalArgumentException("attachment file name must be a plain name without path or control characters: '" + name + "'");
        }
        return name;
    }

    private static String checkType(String type) {
        Objects.requireNonNull(type, "contentType");
        if (!type.matches("[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+( ?; ?[A-Za-z0-9!#$&^_.+-]+=[A-Za-z0-9!#$&^_.+-]+)*")) {
            throw new IllegalArgumentException("content type must look like type/subtype, optionally with parameters"
                    + " (text/plain; charset=UTF-8), was '" + type + "'");
        }
        return type;
    }

    @Override
    public String toString() {
        return "Attachment[" + fileName + ", " + contentType + (size >= 0 ? ", " + size + " bytes" : "") + "]";
    }
}
