package dev.mailroom.graph.internal;

import jakarta.mail.internet.ContentDisposition;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.internet.ParseException;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads a MIME message line by line as it is written, in constant memory, to take large attachments out of it. One
 * class, three uses, one per pass over the message's bytes:
 * <ul>
 *   <li>{@link #scan()}: lists the leaf parts (size, base64 payload size, file name, type, Content-ID);</li>
 *   <li>{@link #skeleton}: writes the message without the chosen leaf parts (their delimiter line, header block
 *       and body dropped; a multipart left without parts gets an empty text part);</li>
 *   <li>{@link #extract}: hands the base64 body lines of the chosen leaf parts to a {@link Sink}.</li>
 * </ul>
 * Lines longer than {@value #MAX_LINE} bytes are handled in pieces (a piece is never a boundary); a header block
 * longer than {@value #MAX_HEADER} bytes makes the message unsplittable. Not thread-safe.
 */
final class MimeSplitter extends OutputStream {
    static final int MAX_LINE = 64 * 1024;
    static final int MAX_HEADER = 256 * 1024;

    /** A leaf part as the scan found it. */
    static final class Leaf {
        final int index;
        /** Inside a multipart (only those can be taken out). */
        final boolean nested;
        final String contentType;
        final String fileName;
        final String contentId;
        final boolean inline;
        final boolean base64;
        /** Delimiter line, header block and body, in bytes: what leaving it out saves. */
        long span;
        /** Base64 alphabet characters and padding in the body. */
        long base64Chars;
        long padding;

        Leaf(int index, boolean nested, String contentType, String fileName, String contentId, boolean inline, boolean base64) {
            this.index = index;
            this.nested = nested;
            this.contentType = contentType;
            this.fileName = fileName;
            this.contentId = contentId;
            this.inline = inline;
            this.base64 = base64;
        }

        /** @return the decoded size of a base64 body */
        long decodedSize() {
            return base64Chars / 4 * 3 - padding;
        }

        /** @return whether it is an attachment that may go to Graph on its own: a file (or inline image) in base64 */
        boolean attachment() {
            return nested && base64 && fileName != null;
        }
    }

    /** Receives the base64 body lines of the extracted parts. */
    interface Sink {
        void start(Leaf leaf) throws IOException;

        void base64(byte[] line, int off, int len) throws IOException;

        void end(Leaf leaf) throws IOException;
    }

    private enum Mode { SCAN, SKELETON, EXTRACT }

    private final Mode mode;
    private final Set<Integer> chosen;
    private final OutputStream out;
    private final Sink sink;
    private final List<Leaf> leaves = new ArrayList<>();
    private final byte[] line = new byte[MAX_LINE];
    private int lineLength;
    private long total;

    // structure
    private final List<byte[]> boundaries = new ArrayList<>();
    private final List<int[]> emitted = new ArrayList<>(); // parts written per open multipart (skeleton)
    private boolean inHeader = true;
    private final java.io.ByteArrayOutputStream header = new java.io.ByteArrayOutputStream();
    private byte[] pendingDelimiter;
    private Leaf current; // the leaf whose body is being read, or null (preamble, epilogue, multipart body)
    private boolean currentChosen;
    private boolean finished;

    private MimeSplitter(Mode mode, Set<Integer> chosen, OutputStream out, Sink sink) {
        this.mode = mode;
        this.chosen = chosen;
        this.out = out;
        this.sink = sink;
    }

    /** @return a splitter that only lists the leaf parts ({@link #leaves()} after {@link #finish()}) */
    static MimeSplitter scan() {
        return new MimeSplitter(Mode.SCAN, Set.of(), null, null);
    }

    /**
     * @param chosen the leaf indexes to leave out
     * @param out where the rest of the message goes
     * @return a splitter that writes the message without the chosen leaves
     */
    static MimeSplitter skeleton(Set<Integer> chosen, OutputStream out) {
        return new MimeSplitter(Mode.SKELETON, chosen, out, null);
    }

    /**
     * @param chosen the leaf indexes to hand over
     * @param sink what receives their base64 lines
     * @return a splitter that extracts the chosen leaves
     */
    static MimeSplitter extract(Set<Integer> chosen, Sink sink) {
        return new MimeSplitter(Mode.EXTRACT, chosen, null, sink);
    }

    List<Leaf> leaves() {
        return leaves;
    }

    long total() {
        return total;
    }

    @Override
    public void write(int b) throws IOException {
        line[lineLength++] = (byte) b;
        total++;
        if (b == '\n') {
            line(false);
        } else if (lineLength == MAX_LINE) {
            line(true);
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        int end = off + len;
        int i = off;
        while (i < end) {
            int room = MAX_LINE - lineLength;
            int stop = Math.min(end, i + room);
            int nl = -1;
            for (int j = i; j < stop; j++) {
                if (b[j] == '\n') {
                    nl = j;
                    break;
                }
            }
            int upto = nl >= 0 ? nl + 1 : stop;
            System.arraycopy(b, i, line, lineLength, upto - i);
            lineLength += upto - i;
            total += upto - i;
            i = upto;
            if (nl >= 0) {
                line(false);
            } else if (lineLength == MAX_LINE) {
                line(true);
            }
        }
    }

    /** Processes what is left; call once after the message was written. */
    void finish() throws IOException {
        if (finished) {
            return;
        }
        finished = true;
        if (lineLength > 0) {
            line(true);
        }
        if (inHeader && header.size() > 0) {
            endHeader();
        }
        if (current != null) {
            endLeaf();
        }
    }

    private void line(boolean piece) throws IOException {
        int len = lineLength;
        lineLength = 0;
        if (inHeader) {
            if (!piece && isBlank(line, len)) {
                header.write(line, 0, len);
                endHeader();
                return;
            }
            if (header.size() + len > MAX_HEADER) {
                throw new NotSplittable("a header block of the message is longer than " + MAX_HEADER + " bytes");
            }
            header.write(line, 0, len);
            return;
        }
        int depth = piece ? -1 : delimiter(len);
        if (depth >= 0) {
            boolean close = isClose(depth, len);
            if (current != null) {
                endLeaf();
            }
            while (boundaries.size() > depth + 1) { // inner multiparts left open: ended by the outer delimiter
                boundaries.remove(boundaries.size() - 1);
                emitted.remove(emitted.size() - 1);
            }
            if (close) {
                if (mode == Mode.SKELETON) {
                    if (emitted.get(depth)[0] == 0) { // every part was taken out: a multipart needs one
                        byte[] b = boundaries.get(depth);
                        emit(("--" + new String(b, StandardCharsets.ISO_8859_1) + "\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n\r\n")
                                .getBytes(StandardCharsets.ISO_8859_1));
                    }
                    emit(line, 0, len);
                }
                boundaries.remove(depth);
                emitted.remove(depth);
                current = null; // epilogue
                return;
            }
            pendingDelimiter = java.util.Arrays.copyOf(line, len);
            inHeader = true;
            header.reset();
            return;
        }
        if (current != null) {
            current.span += len;
            if (current.base64) {
                for (int i = 0; i < len; i++) {
                    byte c = line[i];
                    if (c == '=') {
                        current.padding++;
                        current.base64Chars++;
                    } else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/') {
                        current.base64Chars++;
                    }
                }
            }
            if (currentChosen) {
                if (mode == Mode.EXTRACT) {
                    sink.base64(line, 0, len);
                }
                return;
            }
        }
        emit(line, 0, len);
    }

    private void endHeader() throws IOException {
        inHeader = false;
        byte[] block = header.toByteArray();
        header.reset();
        byte[] delimiter = pendingDelimiter;
        pendingDelimiter = null;
        Headers h = Headers.parse(block);
        ContentType type = h.contentType();
        if (type != null && type.match("multipart/*") && type.getParameter("boundary") != null) {
            if (delimiter != null) {
                emitted.get(boundaries.size() - 1)[0]++;
            }
            emitDelimited(delimiter, block);
            boundaries.add(type.getParameter("boundary").getBytes(StandardCharsets.ISO_8859_1));
            emitted.add(new int[1]);
            current = null; // preamble
            return;
        }
        String disposition = h.value("Content-Disposition");
        String fileName = null;
        boolean inline = false;
        if (disposition != null) {
            try {
                ContentDisposition d = new ContentDisposition(disposition);
                inline = "inline".equalsIgnoreCase(d.getDisposition());
                fileName = d.getParameter("filename");
            } catch (ParseException ignored) {
                // no file name from it
            }
        }
        if (fileName == null && type != null) {
            fileName = type.getParameter("name");
        }
        if (fileName != null) {
            try {
                fileName = MimeUtility.decodeText(fileName);
            } catch (UnsupportedEncodingException ignored) {
                // as written
            }
        }
        String cte = h.value("Content-Transfer-Encoding");
        String id = h.value("Content-ID");
        if (id != null) {
            id = id.strip();
            if (id.startsWith("<") && id.endsWith(">")) {
                id = id.substring(1, id.length() - 1);
            }
        }
        Leaf leaf = new Leaf(leaves.size(), delimiter != null, type == null ? "text/plain" : type.getBaseType().toLowerCase(Locale.ROOT), fileName,
                id, inline, cte != null && "base64".equalsIgnoreCase(cte.strip()));
        leaf.span = (delimiter == null ? 0 : delimiter.length) + block.length;
        leaves.add(leaf);
        current = leaf;
        currentChosen = chosen.contains(leaf.index);
        if (currentChosen) {
            if (mode == Mode.EXTRACT) {
                sink.start(leaf);
            }
            return;
        }
        if (delimiter != null) {
            emitted.get(boundaries.size() - 1)[0]++;
        }
        emitDelimited(delimiter, block);
    }

    private void endLeaf() throws IOException {
        Leaf leaf = current;
        current = null;
        if (currentChosen && mode == Mode.EXTRACT) {
            sink.end(leaf);
        }
        currentChosen = false;
    }

    private void emitDelimited(byte[] delimiter, byte[] block) throws IOException {
        if (delimiter != null) {
            emit(delimiter, 0, delimiter.length);
        }
        emit(block, 0, block.length);
    }

    private void emit(byte[] b) throws IOException {
        emit(b, 0, b.length);
    }

    private void emit(byte[] b, int off, int len) throws IOException {
        if (mode == Mode.SKELETON) {
            out.write(b, off, len);
        }
    }

    /** @return the depth of the multipart whose delimiter the line is, innermost first, or -1 */
    private int delimiter(int len) {
        if (len < 3 || line[0] != '-' || line[1] != '-') {
            return -1;
        }
        for (int d = boundaries.size() - 1; d >= 0; d--) {
            byte[] b = boundaries.get(d);
            if (len >= 2 + b.length && java.util.Arrays.equals(line, 2, 2 + b.length, b, 0, b.length)) {
                int rest = 2 + b.length;
                if (rest + 2 <= len && line[rest] == '-' && line[rest + 1] == '-') {
                    rest += 2;
                }
                boolean tail = true;
                for (int i = rest; i < len; i++) {
                    byte c = line[i];
                    tail &= c == ' ' || c == '\t' || c == '\r' || c == '\n';
                }
                if (tail) {
                    return d;
                }
            }
        }
        return -1;
    }

    private boolean isClose(int depth, int len) {
        int at = 2 + boundaries.get(depth).length;
        return at + 2 <= len && line[at] == '-' && line[at + 1] == '-';
    }

    private static boolean isBlank(byte[] b, int len) {
        return (len == 2 && b[0] == '\r' && b[1] == '\n') || (len == 1 && b[0] == '\n');
    }

    /** The message cannot be taken apart (a header block too long to hold). */
    static final class NotSplittable extends IOException {
        private static final long serialVersionUID = 1L;

        NotSplittable(String message) {
            super(message);
        }
    }

    /** An entity's header fields, unfolded; only the few read here. */
    private record Headers(List<String[]> fields) {
        static Headers parse(byte[] block) {
            List<String[]> fields = new ArrayList<>();
            String text = new String(block, StandardCharsets.ISO_8859_1);
            StringBuilder currentField = null;
            for (String l : text.split("\r?\n", -1)) {
                if (l.isEmpty()) {
                    continue;
                }
                if ((l.charAt(0) == ' ' || l.charAt(0) == '\t') && currentField != null) {
                    currentField.append(l);
                    continue;
                }
                if (currentField != null) {
                    add(fields, currentField.toString());
                }
                currentField = new StringBuilder(l);
            }
            if (currentField != null) {
                add(fields, currentField.toString());
            }
            return new Headers(fields);
        }

        private static void add(List<String[]> fields, String field) {
            int colon = field.indexOf(':');
            if (colon > 0) {
                fields.add(new String[] {field.substring(0, colon).strip(), field.substring(colon + 1).strip()});
            }
        }

        String value(String name) {
            for (String[] f : fields) {
                if (f[0].equalsIgnoreCase(name)) {
                    return f[1];
                }
            }
            return null;
        }

        ContentType contentType() {
            String v = value("Content-Type");
            if (v == null) {
                return null;
            }
            try {
                return new ContentType(v);
            } catch (ParseException e) {
                return null;
            }
        }
    }
}
