package dev.mailroom.testkit;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake SMTP server whose replies are scripted per command, for the failures a real server produces
 * only under duress: exact error texts ({@code 535 5.7.139 …}), 4xx then 2xx, a dropped connection
 * after the final ".", a server that never greets. Listens on a free port of 127.0.0.1; one thread per
 * connection. Plain text only (no STARTTLS). Commands may come pipelined (RFC 2920): they are answered in
 * order; BDAT (RFC 3030) is understood, so a script may advertise PIPELINING and CHUNKING in its EHLO reply.
 *
 * <p>Each command has a queue of replies: each use takes the next one, the last one repeats. A reply of
 * {@link #DROP} closes the connection without answering; {@link #SILENT} answers nothing and keeps the
 * connection open (a hanging server); {@link #andDrop(String)} answers, then closes (a {@code 421}).
 * A client that breaks off during DATA (no final ".") delivers nothing.
 *
 * <pre>{@code
 * ScriptedSmtpServer server = ScriptedSmtpServer.builder()
 *     .reply(Command.AUTH, "535 5.7.139 Authentication unsuccessful, basic authentication is disabled.")
 *     .build().start();
 * }</pre>
 */
public final class ScriptedSmtpServer implements BeforeEachCallback, AfterEachCallback, AutoCloseable {
    /** Close the connection instead of replying. */
    public static final String DROP = "<drop>";
    /** Reply nothing and keep the connection open. */
    public static final String SILENT = "<silent>";

    /**
     * A reply after which the server closes the connection, as real servers do after {@code 421}.
     *
     * @param reply the full reply, e.g. {@code "421 4.7.0 Try again later, closing connection"}
     * @return the scripted reply
     */
    public static String andDrop(String reply) {
        return reply + "\n" + DROP;
    }

    /** The points of the dialog that can be scripted. */
    public enum Command {
        /** The greeting sent on connect. */
        GREETING,
        /** The reply to EHLO (multi-line replies separated by \n). */
        EHLO,
        /** The final reply to AUTH (after the 334 challenges of LOGIN/PLAIN). */
        AUTH,
        /** The reply to MAIL FROM. */
        MAIL,
        /** The reply to RCPT TO. */
        RCPT,
        /** The reply to DATA. */
        DATA,
        /** The reply after the final "." (and after the last BDAT chunk). */
        END_OF_DATA,
        /**
         * The reply to each BDAT chunk (RFC 3030) but the last, which gets the END_OF_DATA reply. A reply of 500, 501,
         * 502 or 504 acts as a server that does not know BDAT: the chunk's bytes are then read as commands.
         */
        BDAT,
        /** The reply to NOOP. */
        NOOP
    }

    private final Map<Command, List<String>> script;
    private final Map<Command, AtomicInteger> uses = new EnumMap<>(Command.class);
    private final ReceivedMails received = new ReceivedMails();
    private final Set<Socket> clients = ConcurrentHashMap.newKeySet();
    private final List<String> commands = new ArrayList<>();
    private final List<String> saslResponses = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong dataBytes = new java.util.concurrent.atomic.AtomicLong();
    private ServerSocket serverSocket;

    private final int fixedPort;
    private final int recipientLimit;
    private final String recipientLimitReply;

    private final Command holdUntil;

    private ScriptedSmtpServer(Builder b) {
        this.holdUntil = b.holdUntil;
        this.fixedPort = b.port;
        this.recipientLimit = b.recipientLimit;
        this.recipientLimitReply = b.recipientLimitReply;
        this.script = new EnumMap<>(b.script);
        for (Command c : Command.values()) {
            uses.put(c, new AtomicInteger());
        }
    }

    /** @return a builder with a well-behaved default script */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts listening.
     *
     * @return this
     */
    public synchronized ScriptedSmtpServer start() {
        if (serverSocket != null) {
            return this;
        }
        try {
            serverSocket = new ServerSocket(fixedPort, 50, InetAddress.getByName("127.0.0.1"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen", e);
        }
        ServerSocket ss = serverSocket;
        Thread acceptor = new Thread(() -> accept(ss), "scripted-smtp-accept-" + ss.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
        return this;
    }

    /** @return the port */
    public synchronized int port() {
        if (serverSocket == null) {
            throw new IllegalStateException("the server is not started");
        }
        return serverSocket.getLocalPort();
    }

    /** @return {@code 127.0.0.1} */
    public String host() {
        return "127.0.0.1";
    }

    /** @return messages fully received (only those answered with a 2xx after ".") */
    public ReceivedMails received() {
        return received;
    }

    /** @return every command line received, AUTH arguments redacted, in order; the end of a message's data appears as {@code "."} */
    public List<String> commands() {
        synchronized (commands) {
            return List.copyOf(commands);
        }
    }

    /**
     * Waits until a command line starting with {@code prefix} (case-insensitive) arrived.
     *
     * @param prefix e.g. {@code "QUIT"} or {@code "EHLO erp.acme.test"}
     * @param timeout the bound
     * @return the command line
     * @throws AssertionError if none arrived in time
     */
    public String awaitCommand(String prefix, java.time.Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String p = prefix.toUpperCase(Locale.ROOT);
        synchronized (commands) {
            while (true) {
                for (String c : commands) {
                    if (c.toUpperCase(Locale.ROOT).startsWith(p)) {
                        return c;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no command starting with '" + prefix + "' within " + timeout + "; received " + commands);
                }
                try {
                    commands.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
        }
    }

    /**
     * The client's SASL responses, in order: the initial response of an AUTH line, else the lines that answered
     * the server's {@code 334} challenges (base64, as sent). For tests of XOAUTH2 that must see which token was used.
     *
     * @return the responses so far
     */
    public List<String> saslResponses() {
        return List.copyOf(saslResponses);
    }

    private void record(String command) {
        synchronized (commands) {
            commands.add(command);
            commands.notifyAll();
        }
    }

    /** @return the bytes of message data received so far, including messages broken off before the final "." */
    public long dataBytesReceived() {
        return dataBytes.get();
    }

    /** @return how many connections were accepted */
    public int connections() {
        return connections.get();
    }

    @Override
    public synchronized void close() {
        if (serverSocket != null) {
            try {
                serverSocket.close();
            } catch (IOException ignored) {
                // closing
            }
            serverSocket = null;
        }
        for (Socket s : clients) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
        clients.clear();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        start();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    private void accept(ServerSocket ss) {
        while (!ss.isClosed()) {
            try {
                Socket s = ss.accept();
                s.setTcpNoDelay(true); // replies to pipelined commands are written one by one: no Nagle delay between them
                connections.incrementAndGet();
                clients.add(s);
                Thread t = new Thread(() -> serve(s), "scripted-smtp-" + s.getPort());
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private String next(Command c) {
        List<String> replies = script.get(c);
        int i = uses.get(c).getAndIncrement();
        return replies.get(Math.min(i, replies.size() - 1));
    }

    /** Replies held back per connection (see {@link Builder#holdRepliesUntil}); null when not holding. */
    private final Map<Socket, StringBuilder> held = new ConcurrentHashMap<>();

    private void hold(Socket s) {
        if (holdUntil != null) {
            held.putIfAbsent(s, new StringBuilder());
        }
    }

    private void release(OutputStream out, Socket s) throws IOException {
        StringBuilder pending = held.remove(s);
        if (pending != null && pending.length() > 0) {
            out.write(pending.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }

    /** @return false if the connection must end */
    private boolean reply(OutputStream out, Socket s, String reply) throws IOException {
        if (DROP.equals(reply)) {
            s.close();
            return false;
        }
        if (SILENT.equals(reply)) {
            return true;
        }
        String[] lines = reply.split("\n");
        boolean drop = lines.length > 1 && DROP.equals(lines[lines.length - 1]);
        if (drop) {
            lines = java.util.Arrays.copyOf(lines, lines.length - 1);
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            // multi-line: "250-..." for all but the last line
            if (i < lines.length - 1 && l.length() > 3 && l.charAt(3) == ' ') {
                l = l.substring(0, 3) + "-" + l.substring(4);
            }
            sb.append(l).append("\r\n");
        }
        StringBuilder pending = held.get(s);
        if (pending != null && !drop) {
            pending.append(sb);
            return true;
        }
        release(out, s);
        out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
        if (drop) {
            s.close();
            return false;
        }
        return true;
    }

    /** Reads bytes up to LF; the line without CR LF, or null at the end of the stream. */
    private static byte[] readLineBytes(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            line.write(b);
        }
        if (b == -1 && line.size() == 0) {
            return null;
        }
        byte[] bytes = line.toByteArray();
        return bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? java.util.Arrays.copyOf(bytes, bytes.length - 1) : bytes;
    }

    /** A line reader over the raw bytes: commands as UTF-8 text, message data as bytes. */
    private static final class LineReader {
        private final InputStream in;

        LineReader(InputStream in) {
            this.in = new java.io.BufferedInputStream(in);
        }

        String readLine() throws IOException {
            byte[] b = readLineBytes(in);
            return b == null ? null : new String(b, StandardCharsets.UTF_8);
        }

        byte[] readBytes() throws IOException {
            return readLineBytes(in);
        }

        byte[] readExactly(int n) throws IOException {
            return in.readNBytes(n);
        }
    }

    private void serve(Socket s) {
        try (s; OutputStream out = s.getOutputStream()) {
            LineReader in = new LineReader(s.getInputStream());
            if (!reply(out, s, next(Command.GREETING))) {
                return;
            }
            String from = null;
            List<String> rcpts = new LinkedList<>();
            ByteArrayOutputStream chunks = new ByteArrayOutputStream();
            String line;
            while ((line = in.readLine()) != null) {
                String upper = line.toUpperCase(Locale.ROOT);
                record(upper.startsWith("AUTH ") && line.split(" ").length > 2 ? line.split(" ")[0] + " " + line.split(" ")[1] + " ****" : line);
                if (upper.startsWith("EHLO")) {
                    if (!reply(out, s, next(Command.EHLO))) {
                        return;
                    }
                } else if (upper.startsWith("HELO")) {
                    reply(out, s, "250 scripted");
                } else if (upper.startsWith("AUTH ")) {
                    String[] parts = line.split(" ");
                    if (parts[1].equalsIgnoreCase("LOGIN")) {
                        int prompts = parts.length > 2 ? 1 : 2;
                        if (prompts == 2) {
                            reply(out, s, "334 VXNlcm5hbWU6");
                            saslResponses.add(String.valueOf(in.readLine()));
                        }
                        reply(out, s, "334 UGFzc3dvcmQ6");
                        saslResponses.add(String.valueOf(in.readLine()));
                    } else if (parts.length == 2) {
                        reply(out, s, "334 ");
                        saslResponses.add(String.valueOf(in.readLine()));
                    } else {
                        saslResponses.add(parts[2]);
                    }
                    if (!reply(out, s, next(Command.AUTH))) {
                        return;
                    }
                } else if (upper.startsWith("MAIL FROM:")) {
                    hold(s);
                    rcpts.clear();
                    String r = next(Command.MAIL);
                    // a refused MAIL FROM opens no transaction; a silent one does (the server took it, its reply got lost)
                    from = r.startsWith("2") || SILENT.equals(r) ? address(line.substring(10)) : null;
                    if (!reply(out, s, r)) {
                        return;
                    }
                } else if (upper.startsWith("RCPT TO:")) {
                    String r = from == null ? "503 5.5.1 Error: need MAIL command"
                            : recipientLimit > 0 && rcpts.size() >= recipientLimit ? recipientLimitReply : next(Command.RCPT);
                    if (r.startsWith("2")) {
                        rcpts.add(address(line.substring(8))); // only accepted recipients are in the envelope
                    }
                    if (!reply(out, s, r)) {
                        return;
                    }
                } else if (upper.startsWith("BDAT ")) {
                    String[] parts = upper.split(" ");
                    int size = Integer.parseInt(parts[1]);
                    boolean last = parts.length > 2 && parts[2].equals("LAST");
                    if (holdUntil == Command.BDAT) {
                        release(out, s);
                    }
                    String r = next(Command.BDAT);
                    if (r.startsWith("500") || r.startsWith("501") || r.startsWith("502") || r.startsWith("504")) {
                        if (!reply(out, s, r)) { // a server without BDAT: what follows is read as commands
                            return;
                        }
                        continue;
                    }
                    byte[] chunk = in.readExactly(size);
                    dataBytes.addAndGet(chunk.length);
                    if (chunk.length < size) {
                        return; // broken off: nothing is delivered
                    }
                    chunks.write(chunk);
                    if (rcpts.isEmpty()) {
                        r = "503 5.5.1 Error: need RCPT command";
                    } else if (last) {
                        record(".");
                        r = next(Command.END_OF_DATA);
                        if (r.startsWith("2")) {
                            received.add(new ReceivedMail(from, new ArrayList<>(rcpts), chunks.toByteArray()));
                        }
                    }
                    if (last || !r.startsWith("2")) {
                        chunks.reset();
                        rcpts.clear();
                    }
                    if (!reply(out, s, r)) {
                        return;
                    }
                } else if (upper.equals("DATA")) {
                    if (holdUntil == Command.DATA) {
                        release(out, s);
                    }
                    if (rcpts.isEmpty()) {
                        reply(out, s, "554 5.5.1 Error: no valid recipients");
                        continue;
                    }
                    String r = next(Command.DATA);
                    if (!reply(out, s, r)) {
                        return;
                    }
                    if (!r.startsWith("354")) {
                        continue;
                    }
                    List<String> envelope = new ArrayList<>(rcpts);
                    ByteArrayOutputStream data = new ByteArrayOutputStream();
                    byte[] l;
                    while ((l = in.readBytes()) != null && !(l.length == 1 && l[0] == '.')) {
                        int skip = l.length > 0 && l[0] == '.' ? 1 : 0; // dot-stuffing undone
                        data.write(l, skip, l.length - skip);
                        data.write('\r');
                        data.write('\n');
                        dataBytes.addAndGet(l.length - skip + 2L);
                    }
                    if (l == null) {
                        return; // the client broke off before the final ".": nothing is delivered
                    }
                    rcpts.clear();
                    record("."); // the end of the message, so tests can wait for "the client finished sending"
                    String end = next(Command.END_OF_DATA);
                    if (end.startsWith("2")) {
                        received.add(new ReceivedMail(from, new ArrayList<>(envelope), data.toByteArray()));
                    }
                    if (!reply(out, s, end)) {
                        return;
                    }
                } else if (upper.equals("NOOP")) {
                    if (!reply(out, s, next(Command.NOOP))) {
                        return;
                    }
                } else if (upper.equals("RSET")) {
                    rcpts.clear();
                    chunks.reset();
                    reply(out, s, "250 2.0.0 Ok");
                } else if (upper.equals("QUIT")) {
                    reply(out, s, "221 2.0.0 Bye");
                    return;
                } else if (upper.equals("STARTTLS")) {
                    reply(out, s, "454 4.7.0 TLS not available");
                } else {
                    reply(out, s, "502 5.5.2 Error: command not recognized");
                }
            }
        } catch (SocketException e) {
            // client or test closed the connection
        } catch (IOException e) {
            // the connection broke: part of many scripts
        } finally {
            held.remove(s);
            clients.remove(s);
        }
    }

    private static String address(String arg) {
        String a = arg.strip();
        int lt = a.indexOf('<');
        int gt = a.indexOf('>');
        return lt >= 0 && gt > lt ? a.substring(lt + 1, gt) : a.split(" ")[0];
    }

    /** Configures a {@link ScriptedSmtpServer}. */
    public static final class Builder {
        private final Map<Command, List<String>> script = new EnumMap<>(Command.class);
        private final List<String> advertised = new ArrayList<>();
        private Command holdUntil;
        private int port;
        private int recipientLimit;
        private String recipientLimitReply;

        /**
         * Accepts at most {@code max} recipients per transaction; further RCPT TO commands of the same
         * transaction get {@code reply} (the other RCPT replies follow the script).
         *
         * @param max the recipients accepted per message, at least 1
         * @param reply e.g. {@code "452 4.5.3 Error: too many recipients"}
         * @return this
         */
        public Builder recipientLimit(int max, String reply) {
            if (max < 1) {
                throw new IllegalArgumentException("max must be at least 1, was " + max);
            }
            this.recipientLimit = max;
            this.recipientLimitReply = java.util.Objects.requireNonNull(reply, "reply");
            return this;
        }

        /**
         * Listens on a given port instead of a free one, e.g. to bring a "crashed" server back where the
         * client expects it.
         *
         * @param port the port, or 0 for a free one
         * @return this
         */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        private Builder() {
            script.put(Command.GREETING, List.of("220 scripted.test ESMTP"));
            script.put(Command.EHLO, List.of("250 scripted.test\n250 AUTH PLAIN LOGIN\n250 8BITMIME"));
            script.put(Command.AUTH, List.of("235 2.7.0 Authentication successful"));
            script.put(Command.MAIL, List.of("250 2.1.0 Ok"));
            script.put(Command.RCPT, List.of("250 2.1.5 Ok"));
            script.put(Command.DATA, List.of("354 End data with <CR><LF>.<CR><LF>"));
            script.put(Command.END_OF_DATA, List.of("250 2.0.0 Ok: queued"));
            script.put(Command.BDAT, List.of("250 2.0.0 Ok: chunk received"));
            script.put(Command.NOOP, List.of("250 2.0.0 Ok"));
        }

        /**
         * Scripts the replies to a command: the first use gets the first reply, and so on; the last one repeats.
         *
         * @param command the command
         * @param replies full replies ({@code "451 4.3.0 Try again"}), {@link #DROP} or {@link #SILENT};
         *                multi-line replies separated by {@code \n}
         * @return this
         */
        public Builder reply(Command command, String... replies) {
            if (replies.length == 0) {
                throw new IllegalArgumentException("at least one reply");
            }
            script.put(command, List.of(replies));
            return this;
        }

        /**
         * Adds extensions to every EHLO reply of the script (however it is scripted), e.g. {@code "PIPELINING"},
         * {@code "CHUNKING"}. The server answers pipelined commands in order and understands BDAT either way.
         *
         * @param extensions the EHLO keywords, with parameters if any
         * @return this
         */
        public Builder advertise(String... extensions) {
            for (String e : extensions) {
                if (!e.isBlank()) {
                    advertised.add(e.strip());
                }
            }
            return this;
        }

        /**
         * Holds the replies of each transaction back until {@code command} (DATA or BDAT) was read, then sends them
         * all at once, as a pipelining server may (RFC 2920): a client that waits for each reply before the next
         * command never gets one and runs into its read timeout.
         *
         * @param command {@link Command#DATA} or {@link Command#BDAT}
         * @return this
         */
        public Builder holdRepliesUntil(Command command) {
            if (command != Command.DATA && command != Command.BDAT) {
                throw new IllegalArgumentException("replies can be held until DATA or BDAT, not " + command);
            }
            this.holdUntil = command;
            return this;
        }

        /** @return the server, not yet started */
        public ScriptedSmtpServer build() {
            if (!advertised.isEmpty()) {
                List<String> ehlo = new ArrayList<>();
                for (String r : script.get(Command.EHLO)) {
                    if (!r.startsWith("250")) {
                        ehlo.add(r);
                        continue;
                    }
                    boolean drop = r.endsWith("\n" + DROP);
                    String base = drop ? r.substring(0, r.length() - DROP.length() - 1) : r;
                    int firstLine = base.indexOf('\n') < 0 ? base.length() : base.indexOf('\n');
                    StringBuilder sb = new StringBuilder(base.substring(0, firstLine)); // after the greeting line: the others keep their place
                    advertised.forEach(e -> sb.append("\n250 ").append(e));
                    sb.append(base.substring(firstLine));
                    ehlo.add(drop ? sb + "\n" + DROP : sb.toString());
                }
                script.put(Command.EHLO, List.copyOf(ehlo));
            }
            return new ScriptedSmtpServer(this);
        }
    }
}
