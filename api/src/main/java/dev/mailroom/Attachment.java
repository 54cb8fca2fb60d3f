package dev.mailroom;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A file attached to an {@link Email}. The content is read from its source each time the message
 * is written, not loaded into the heap when the attachment is created.
 *
 * <p>The factories refuse, with {@link MailErrorCode#INVALID_EMAIL} naming the field, a file name with a
 * path, control or invisible format characters (such as a right-to-left override that disguises
 * {@code invoice\u202Efdp.exe}), a malformed content type, and a file that cannot be read.
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
     * This attachment as an inline part of the HTML body, referenced there as {@code src="cid:ID"}.
     *
     * @param contentId the id, e.g. {@code logo}: letters, digits and {@code . _ - @}
     * @return the inline attachment
     * @throws MailException with {@link MailErrorCode#INVALID_EMAIL} if the id is malformed
     */
    public Attachment inline(String contentId) {
        Objects.requireNonNull(contentId, "contentId");
        if (!contentId.matches("[A-Za-z0-9._@-]{1,200}")) {
            throw invalid("contentId: must be 1 to 200 letters, digits or . _ - @, was '" + printable(contentId) + "'");
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
     * @throws MailException with {@link MailErrorCode#INVALID_EMAIL} if the file is not a readable regular
     *         file, or its name or the content type is malformed
     */
    public static Attachment of(Path file, String contentType) {
        Objects.requireNonNull(file, "file");
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw invalid("file: attachment " + file + " is not a readable file");
        }
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new MailException(MailErrorCode.INVALID_EMAIL, "file: attachment " + file + " cannot be read: " + e.getMessage(),
                    null, null, java.util.List.of(), e);
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
     * @throws MailException with {@link MailErrorCode#INVALID_EMAIL} if the file name or content type is malformed
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
     * @throws MailException with {@link MailErrorCode#INVALID_EMAIL} if the file name or content type is malformed
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
        if (name.isBlank() || name.contains("/") || name.contains("\\") || name.codePoints().anyMatch(Attachment::invisible)) {
            throw invalid("fileName: must be a plain name without path, control or invisible format characters: '" + printable(name) + "'");
        }
        if (name.length() > 255) {
            throw invalid("fileName: must be at most 255 characters, was " + name.length());
        }
        return name;
    }

    /** Control, format (zero-width, bidi override), line/paragraph separator, unpaired surrogate, unassigned. */
    private static boolean invisible(int c) {
        int type = Character.getType(c);
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE || type == Character.UNASSIGNED;
    }

    private static MailException invalid(String message) {
        return new MailException(MailErrorCode.INVALID_EMAIL, "invalid attachment: " + message);
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            if (invisible(c)) {
                sb.append(String.format(java.util.Locale.ROOT, "\\u%04X", c));
            } else {
                sb.appendCodePoint(c);
            }
        });
        return sb.toString();
    }

    private static String checkType(String type) {
        Objects.requireNonNull(type, "contentType");
        if (!type.matches("[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+( ?; ?[A-Za-z0-9!#$&^_.+-]+=[A-Za-z0-9!#$&^_.+-]+)*")) {
            throw invalid("contentType: must look like type/subtype, optionally with parameters"
                    + " (text/plain; charset=UTF-8), was '" + printable(type) + "'");
        }
        return type;
    }

    @Override
    public String toString() {
        return "Attachment[" + fileName + ", " + contentType + (size >= 0 ? ", " + size + " bytes" : "") + "]";
    }
}
