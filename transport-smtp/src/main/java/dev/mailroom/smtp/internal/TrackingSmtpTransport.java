package dev.mailroom.smtp.internal;

import dev.mailroom.spi.OutgoingMessage;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import jakarta.mail.internet.InternetAddress;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPTransport;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Angus' SMTP transport that records which protocol step it is in, so that a failure after the final
 * "." is known to be ambiguous (the server may have taken the message) rather than a plain failure, and
 * the server's replies that Angus loses when its RSET after a refusal breaks (a {@code 421}, the reply
 * to "."). It also decides itself, after all RCPT TO replies, whether the message goes out: a refusal of
 * the sender fails it as a whole; a direct send (no partial delivery) goes to all recipients or none,
 * except recipients the server defers for its recipient limit, which go in a further transaction.
 */
final class TrackingSmtpTransport extends SMTPTransport {
    enum Phase { CONNECT, STARTTLS, MAIL, RCPT, DATA, END_OF_DATA, DONE }

    /** One RCPT TO reply, verbatim (stripped of the line end). */
    record RcptReply(InternetAddress address, int code, String reply) {
    }

    private volatile Phase phase = Phase.CONNECT;
    private volatile String greeting;
    private volatile String ehloReply;
    private volatile String closingReply;
    private volatile String endOfDataReply;
    private volatile int endOfDataCode;
    private volatile long sizeLimit = -1;
    private volatile boolean partialDelivery;
    private Address[] envelope;
    private boolean recordingRcpt;
    private final List<RcptReply> rcptReplies = new ArrayList<>();
    private final List<InternetAddress> deferredForLimit = new ArrayList<>();
    /** Where message transactions are written when the connection's socket is known; null: the way Angus sends. */
    private Wire wire;
    private boolean extensionsAllowed = true;

    TrackingSmtpTransport(Session session) {
        super(session, new URLName("smtp", null, -1, null, null, null));
    }

    Phase phase() {
        return phase;
    }

    /** The server's greeting, verbatim, or null if none was read. */
    String greeting() {
        return greeting;
    }

    /** The last EHLO reply, verbatim (multi-line), or null. */
    String ehloReply() {
        return ehloReply;
    }

    /** A {@code 421} the server sent (it closes the session), verbatim, or null. */
    String closingReply() {
        return closingReply;
    }

    /** The first reply after the final ".", verbatim ({@code [EOF]} when the server hung up), or null before ".". */
    String endOfDataReply() {
        return endOfDataReply;
    }

    /** Its code; -1 when the server hung up without one. */
    int endOfDataCode() {
        return endOfDataCode;
    }

    /** The SIZE limit the message was counted against while being written, or -1. */
    long sizeLimit() {
        return sizeLimit;
    }

    /** Recipients of the last transaction the server deferred for its per-message recipient limit. */
    synchronized List<InternetAddress> deferredForLimit() {
        return List.copyOf(deferredForLimit);
    }

    /** The EHLO line that advertised SIZE, verbatim, or null. */
    String sizeLine() {
        String ehlo = ehloReply;
        if (ehlo == null) {
            return null;
        }
        return ehlo.lines().filter(l -> l.length() > 4 && l.substring(4).toUpperCase(java.util.Locale.ROOT).startsWith("SIZE")).findFirst()
                .orElse(null);
    }

    void beginMessage() {
        beginMessage(false, -1);
    }

    /**
     * Prepares one transaction. {@code partial}: the message may go to the recipients the server accepts
     * while others are refused. {@code size}: the message's size if known (declared as {@code SIZE=} on MAIL
     * FROM when the server offers SIZE), or -1. When the server advertised a SIZE limit, the message is
     * counted while it is written and cut off (the connection dropped before the final ".") once it exceeds it.
     * Angus reads these from the session at each command; every pooled connection has a session of its own
     * and is used by one thread at a time, so setting them per message is safe.
     */
    synchronized void beginMessage(boolean partial, long size) {
        phase = Phase.MAIL;
        closingReply = null;
        endOfDataReply = null;
        endOfDataCode = 0;
        rcptReplies.clear();
        deferredForLimit.clear();
        partialDelivery = partial;
        // Angus never refuses the message itself at RCPT: rcptTo() below decides (all or nothing, or partial).
        session.getProperties().setProperty("mail.smtp.sendpartial", "true");
        long limit = -1;
        String advertised = getExtensionParameter("SIZE");
        if (advertised != null && !advertised.isBlank()) {
            try {
                limit = Long.parseLong(advertised.strip());
            } catch (NumberFormatException ignored) {
                // a malformed SIZE parameter: let the server decide
            }
        }
        sizeLimit = limit > 0 ? limit : -1;
        if (supportsExtension("SIZE") && size >= 0) {
            session.getProperties().setProperty("mail.smtp.mailextension", "SIZE=" + size);
        } else {
            session.getProperties().remove("mail.smtp.mailextension");
        }
    }

    @Override
    public synchronized void sendMessage(Message message, Address[] addresses) throws MessagingException {
        envelope = addresses;
        try {
            super.sendMessage(message, addresses);
        } finally {
            envelope = null;
        }
    }

    @Override
    protected int readServerResponse() throws MessagingException {
        int code = super.readServerResponse();
        String reply = getLastServerResponse();
        String verbatim = reply == null ? null : reply.strip();
        if (greeting == null && code > 0) {
            greeting = verbatim;
        }
        if (code == 421 && closingReply == null) {
            closingReply = verbatim;
        }
        if (phase == Phase.END_OF_DATA && endOfDataReply == null) {
            endOfDataReply = verbatim;
            endOfDataCode = code;
        }
        if (recordingRcpt && envelope != null && rcptReplies.size() < envelope.length) {
            rcptReplies.add(new RcptReply((InternetAddress) envelope[rcptReplies.size()], code, verbatim));
        }
        return code;
    }

    @Override
    protected boolean ehlo(String domain) throws MessagingException {
        boolean ok = super.ehlo(domain);
        String reply = getLastServerResponse();
        if (ok && reply != null) {
            ehloReply = reply.strip();
        }
        return ok;
    }

    @Override
    protected void startTLS() throws MessagingException {
        Phase before = phase;
        phase = Phase.STARTTLS;
        super.startTLS();
        phase = before;
    }

    /** RFC 4954: a command line with an initial response must fit the 512 octets of an SMTP command line. */
    private static final int MAX_COMMAND_LINE = 512;

    /**
     * One XOAUTH2 login: the initial response on the AUTH line when that line stays within 512 octets, else
     * the two-line form (AUTH XOAUTH2, {@code 334}, the response), which long tokens need (angus-mail #201).
     * A {@code 334} with error details (the token was refused) is answered with an empty line, as the
     * mechanism asks; the server then sends its final reply.
     *
     * @return the final reply code ({@code 235} when logged in)
     */
    synchronized int xoauth2(String user, String token) throws MessagingException {
        String response = java.util.Base64.getEncoder().encodeToString(("user=" + user + "\u0001auth=Bearer " + token + "\u0001\u0001")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        if (session.getProperties().get(AccountSession.REDACTOR) instanceof Redactor r) {
            r.secret(token);
            r.secret(response);
        }
        String oneLine = "AUTH XOAUTH2 " + response;
        int code;
        if (oneLine.length() + 2 <= MAX_COMMAND_LINE) {
            code = simpleCommand(oneLine);
        } else {
            code = simpleCommand("AUTH XOAUTH2");
            if (code == 334) {
                code = simpleCommand(response);
            }
        }
        if (code == 334) {
            code = simpleCommand(""); // the error details were sent; an empty response ends the exchange
        }
        return code;
    }

    /**
     * The MAIL FROM address of the next message. Angus takes it from an {@code SMTPMessage}'s envelope, else
     * from this session property: a message read back from the outbox is a plain {@code MimeMessage}.
     */
    void envelopeFrom(String address) {
        session.getProperties().setProperty("mail.smtp.from", address);
    }

    @Override
    protected void mailFrom() throws MessagingException {
        phase = Phase.MAIL;
        super.mailFrom();
    }

    @Override
    protected void rcptTo() throws MessagingException {
        phase = Phase.RCPT;
        rcptReplies.clear();
        deferredForLimit.clear();
        MessagingException failed = null;
        recordingRcpt = true;
        try {
            super.rcptTo();
        } catch (MessagingException e) {
            failed = e; // Angus has sent RSET
        } finally {
            recordingRcpt = false;
        }
        decide(failed);
    }

    /**
     * After all RCPT TO replies ({@link #rcptReplies}): a refused sender fails the message as a whole; a direct
     * send goes to all recipients or none, except those deferred for the server's recipient limit; a message
     * with partial delivery goes to the accepted ones. {@code failed}: what Angus threw for the recipients.
     */
    private void decide(MessagingException failed) throws MessagingException {
        // Postfix refuses a sender the login may not use only at RCPT: that fails the message as a whole.
        for (RcptReply r : rcptReplies) {
            if (r.code() >= 500 && Failures.isSenderProblem(r.reply())) {
                if (failed == null) {
                    reset();
                }
                throw new SMTPSendFailedException("RCPT TO", r.code(), r.reply(), failed, null, envelope, null);
            }
        }
        if (failed != null) {
            throw failed;
        }
        boolean noneAccepted = rcptReplies.stream().noneMatch(r -> r.code() >= 200 && r.code() <= 299);
        if (partialDelivery && !noneAccepted) {
            return;
        }
        List<RcptReply> refused = rcptReplies.stream().filter(r -> r.code() < 200 || r.code() > 299).toList();
        if (refused.isEmpty()) {
            return;
        }
        if (!noneAccepted && refused.stream().allMatch(r -> Failures.isTooManyRecipients(r.code(), r.reply()))) {
            refused.forEach(r -> deferredForLimit.add(r.address()));
            return; // the accepted ones get it now, the rest in a further transaction
        }
        // All or nothing: refuse the message as Angus does without partial delivery.
        reset();
        Refusals r = refusals();
        List<Address> valid = new ArrayList<>(r.accepted());
        valid.addAll(r.temporary());
        throw new SendFailedException("Invalid Addresses", r.chain(), null, valid.toArray(new Address[0]), r.permanent().toArray(new Address[0]));
    }

    /** The RCPT replies sorted as Angus reports them, with one {@code SMTPAddressFailedException} per refusal, chained. */
    private record Refusals(List<Address> accepted, List<Address> temporary, List<Address> permanent, MessagingException chain) {
    }

    private Refusals refusals() {
        List<Address> accepted = new ArrayList<>();
        List<Address> temporary = new ArrayList<>();
        List<Address> permanent = new ArrayList<>();
        MessagingException chain = null;
        for (RcptReply r : rcptReplies) {
            if (r.code() >= 200 && r.code() <= 299) {
                accepted.add(r.address());
                continue;
            }
            (r.code() >= 500 ? permanent : temporary).add(r.address());
            SMTPAddressFailedException f = new SMTPAddressFailedException(r.address(), "RCPT TO:<" + r.address().getAddress() + ">",
                    r.code(), r.reply());
            if (chain == null) {
                chain = f;
            } else {
                chain.setNextException(f);
            }
        }
        return new Refusals(accepted, temporary, permanent, chain);
    }

    // ------------------------------------------------------------------ the wire path (ADR 020)

    /** Where Angus traces the dialog (the redacting protocol log), or null when the account is not debugged. */
    java.io.PrintStream trace() {
        return session.getDebug() ? session.getDebugOut() : null;
    }

    /** Bulk sending on this connection's socket, from now on (after connect); null keeps Angus' own sending. */
    synchronized void attachWire(Wire w) {
        this.wire = w;
    }

    /** Whether message transactions go over the {@link Wire}. */
    synchronized boolean wired() {
        return wire != null;
    }

    /** PIPELINING and CHUNKING are used only while allowed: off after a server misbehaved with one of them. */
    synchronized void extensionsAllowed(boolean allowed) {
        this.extensionsAllowed = allowed;
    }

    /** Which of PIPELINING and CHUNKING this connection uses, for the protocol log and tests. */
    synchronized String extensionsInUse() {
        List<String> in = new ArrayList<>();
        if (extensionsAllowed && supportsExtension("PIPELINING")) {
            in.add("PIPELINING");
        }
        if (extensionsAllowed && supportsExtension("CHUNKING")) {
            in.add("CHUNKING");
        }
        return String.join(" ", in);
    }

    /**
     * The server advertised PIPELINING or CHUNKING and then broke its rules (a reply missing or out of place,
     * BDAT refused as unknown). The connection is closed. {@link #safeToRetry()}: nothing can have been
     * delivered (the content was not complete on the wire), so the message may go again on a fresh connection
     * with the plain sequence; otherwise the outcome is unknown.
     */
    static final class ExtensionMisbehaved extends MessagingException {
        private static final long serialVersionUID = 1L;
        private final boolean safeToRetry;

        ExtensionMisbehaved(String message, boolean safeToRetry, Exception cause) {
            super(message, cause);
            this.safeToRetry = safeToRetry;
        }

        boolean safeToRetry() {
            return safeToRetry;
        }
    }

    /** BDAT chunks are at most this large; a message up to it goes in one chunk with the envelope. */
    static final int CHUNK = 256 * 1024;

    /**
     * One transaction over the {@link Wire}, with the outcomes of {@link #sendMessage} (the same exceptions, the
     * same recorded replies): MAIL FROM, RCPT TO and the content. With PIPELINING, MAIL FROM and every RCPT TO
     * leave in one write; so does the content (DATA, or the first BDAT chunk with CHUNKING) when the server's
     * replies cannot stop it: with partial delivery, or with one recipient (a server refuses DATA and BDAT after
     * refusing every recipient). A direct send to several recipients reads their replies first (all or nothing).
     * With CHUNKING the content is not dot-stuffed and each chunk carries its size.
     */
    synchronized void sendWire(OutgoingMessage message, Address[] addresses) throws MessagingException {
        checkConnected();
        envelope = addresses;
        try {
            wireTransaction(message, addresses);
        } catch (IOException e) {
            wire.abort();
            if (committed) {
                phase = Phase.END_OF_DATA; // the content was complete on the wire: the server may have taken it
            }
            throw new MessagingException("IOException while sending message", e);
        } finally {
            envelope = null;
        }
    }

    private boolean committed;
    private boolean pipelined;

    private void wireTransaction(OutgoingMessage message, Address[] addresses) throws MessagingException, IOException {
        boolean pipelining = extensionsAllowed && supportsExtension("PIPELINING");
        boolean chunking = extensionsAllowed && supportsExtension("CHUNKING");
        boolean contentInBatch = pipelining && (partialDelivery || addresses.length == 1);
        pipelined = pipelining;
        committed = false;
        phase = Phase.MAIL;
        rcptReplies.clear();
        deferredForLimit.clear();
        String ext = session.getProperty("mail.smtp.mailextension");
        String mail = "MAIL FROM:" + bracket(session.getProperty("mail.smtp.from")) + (ext == null || ext.isEmpty() ? "" : " " + ext);

        wire.command(mail);
        if (!pipelining) {
            wire.flush();
            checkMail(mail, read(Expect.MAIL));
        }
        for (Address a : addresses) {
            String rcpt = "RCPT TO:" + bracket(((InternetAddress) a).getAddress());
            wire.command(rcpt);
            if (!pipelining) {
                wire.flush();
                phase = Phase.RCPT;
                recordRcpt(a, read(Expect.RCPT));
            }
        }
        int chunkReplies = 0;
        int dataCode = 0;
        String chunkRefusal = null;
        int chunkRefusalCode = 0;
        if (pipelining) {
            if (contentInBatch && chunking) {
                chunkReplies = writeChunks(message, false); // complete on the wire after the flush below
            } else if (contentInBatch) {
                wire.command("DATA");
            }
            wire.flush();
            committed = chunkReplies > 0;
            int mailCode = read(Expect.MAIL);
            String mailReply = getLastServerResponse();
            if (mailCode == 421 || mailCode < 0) {
                // The server closed the session before MAIL FROM: nothing after it was taken (with content in the
                // batch and no reply at all, the server may still have read it: that stays ambiguous, below).
                if (mailCode == 421 || !committed) {
                    wire.abort();
                    throw mailRefused(mail, mailCode, mailReply, false);
                }
            }
            phase = Phase.RCPT;
            for (Address a : addresses) {
                recordRcpt(a, read(Expect.RCPT));
            }
            if (contentInBatch && !chunking) {
                phase = Phase.DATA;
                dataCode = read(Expect.DATA);
            }
            if (chunkReplies > 0) {
                // Every reply is read before any is judged: a refused MAIL FROM or RCPT TO explains the refused chunks.
                for (int i = 1; i < chunkReplies; i++) {
                    int code = read(Expect.BDAT);
                    unknownBdat(code);
                    if (code != 250 && chunkRefusal == null) {
                        chunkRefusal = getLastServerResponse();
                        chunkRefusalCode = code;
                    }
                }
                phase = Phase.END_OF_DATA;
                int end = read(Expect.BDAT);
                endCode = end;
                checkChunk(end, true);
                if (end < 0) {
                    throw new MessagingException("the connection broke before the reply to the last BDAT chunk");
                }
                if (end >= 200 && end <= 299) {
                    phase = Phase.DONE;
                    outcome(end); // the server took it: report who got it, whatever it said before
                    return;
                }
            }
            if (dataCode == 354 && (mailCode != 250 || noneAccepted() || senderProblem())) {
                wire.abort(); // the server waits for content it must not get: hanging up discards the transaction
            }
            if (mailCode != 250) {
                phase = Phase.MAIL; // classified as the refusal of MAIL FROM it is, not by the replies after it
                throw mailRefused(mail, mailCode, mailReply, dataCode != 354 && chunkReplies == 0);
            }
            phase = Phase.RCPT;
        }
        String endReply = getLastServerResponse();
        if (chunkReplies > 0) {
            decideWithoutReset();
            // a chunk refused although recipients were accepted: a refusal of the message (the first one says why)
            throw new SMTPSendFailedException(".", chunkRefusal != null ? chunkRefusalCode : endCode,
                    chunkRefusal != null ? chunkRefusal : endReply, null, null, addresses, null);
        }
        decide(null);
        if (chunking && !contentInBatch) {
            int chunks = writeChunks(message, !pipelining);
            wire.flush();
            committed = true;
            for (int i = pipelining ? 1 : chunks; i < chunks; i++) {
                checkChunk(read(Expect.BDAT), false);
            }
            phase = Phase.END_OF_DATA;
            int end = read(Expect.BDAT);
            checkChunk(end, true);
            finishEnd(end, addresses);
            return;
        }
        if (!contentInBatch) {
            wire.command("DATA");
            wire.flush();
            phase = Phase.DATA;
            dataCode = read(Expect.DATA);
        }
        if (dataCode != 354) {
            String reply = getLastServerResponse();
            if (dataCode != 421 && dataCode > 0) {
                reset();
            }
            throw new SMTPSendFailedException("DATA", dataCode, reply, null, null, addresses, null);
        }
        phase = Phase.DATA;
        Wire.Content content = wire.new Content(true, sizeLimit, 0, null);
        message.writeTo(content);
        content.finish();
        if (session.getProperties().get(AccountSession.REDACTOR) instanceof Redactor r) {
            r.dataLines(content.lines()); // the content is never traced; the log says how many lines it had
        }
        wire.trace(".");
        wire.flush();
        committed = true;
        phase = Phase.END_OF_DATA;
        finishEnd(read(Expect.END), addresses);
    }

    private enum Expect { MAIL, RCPT, DATA, BDAT, END }

    /** Reads the next reply; a reply of the wrong kind means the replies are out of step (one went missing). */
    private int read(Expect expect) throws MessagingException {
        int code;
        try {
            code = readServerResponse();
        } catch (MessagingException e) {
            // A pipelined command that is never answered breaks the extension; a slow answer to the end of the content does not.
            if (pipelined && phase != Phase.END_OF_DATA && Failures.causeOf(e, java.net.SocketTimeoutException.class) != null) {
                wire.abort();
                throw new ExtensionMisbehaved(describe() + ": no reply to a pipelined command within the read timeout", !committed, e);
            }
            throw e;
        }
        boolean outOfStep = switch (expect) {
            case MAIL, RCPT, BDAT, END -> code >= 300 && code < 400;
            case DATA -> code >= 200 && code < 300;
        };
        if (outOfStep) {
            wire.abort();
            throw new ExtensionMisbehaved(describe() + ": a " + code + " reply where the reply to " + expect + " was due: the replies are"
                    + " out of step (one went missing)", !committed, null);
        }
        return code;
    }

    private String describe() {
        return "the server advertised " + extensionsInUse() + " but did not follow it";
    }

    /** BDAT answered as an unknown command although CHUNKING was advertised: nothing was taken as a message. */
    private void unknownBdat(int code) throws MessagingException {
        if (code == 500 || code == 501 || code == 502 || code == 504) {
            wire.abort();
            throw new ExtensionMisbehaved(describe() + ": BDAT was refused (" + getLastServerResponse().strip() + ")", true, null);
        }
    }

    /** A chunk's reply: BDAT unknown (the server misbehaves), or a chunk but the last refused (the transaction is over). */
    private void checkChunk(int code, boolean last) throws MessagingException {
        unknownBdat(code);
        if (!last && code != 250 && code > 0) {
            wire.abort(); // a chunk refused midway: the transaction is over; hang up rather than resynchronise
            throw new SMTPSendFailedException("BDAT", code, getLastServerResponse(), null, null, envelope, null);
        }
    }

    private void recordRcpt(Address a, int code) {
        String reply = getLastServerResponse();
        rcptReplies.add(new RcptReply((InternetAddress) a, code, reply == null ? null : reply.strip()));
    }

    private boolean noneAccepted() {
        return rcptReplies.stream().noneMatch(r -> r.code() >= 200 && r.code() <= 299);
    }

    private boolean senderProblem() {
        return rcptReplies.stream().anyMatch(r -> r.code() >= 500 && Failures.isSenderProblem(r.reply()));
    }

    private int endCode;

    /** After BDAT LAST was refused the transaction is over: the recipients' refusals are reported without an RSET. */
    private void decideWithoutReset() throws MessagingException {
        noReset = true;
        try {
            decide(null);
        } finally {
            noReset = false;
        }
    }

    private boolean noReset;

    private void checkMail(String mail, int code) throws MessagingException {
        if (code != 250) {
            String reply = getLastServerResponse();
            throw mailRefused(mail, code, reply, true);
        }
    }

    /** As Angus reports a refused MAIL FROM: the reply, and for an invalid sender an {@code SMTPSenderFailedException} next. */
    private MessagingException mailRefused(String mail, int code, String reply, boolean canReset) {
        if (canReset && code > 0 && code != 421) {
            reset();
        }
        SMTPSendFailedException e = new SMTPSendFailedException(mail, code, reply, null, null, envelope, null);
        if (code == 550 || code == 553 || code == 503 || code == 551 || code == 501) {
            try {
                e.setNextException(new org.eclipse.angus.mail.smtp.SMTPSenderFailedException(
                        new InternetAddress(session.getProperty("mail.smtp.from")), mail, code, reply));
            } catch (jakarta.mail.internet.AddressException ignored) {
                // as Angus: no sender detail then
            }
        }
        return e;
    }

    /** The reply to the end of the content: 250 is delivered (to whom the recipients' replies say); else refused. */
    private void finishEnd(int code, Address[] addresses) throws MessagingException {
        if (code != 250) {
            String reply = getLastServerResponse();
            if (code != 421 && code > 0) {
                reset();
            }
            throw new SMTPSendFailedException(".", code, reply, null, null, addresses, null);
        }
        phase = Phase.DONE;
        outcome(code);
    }

    /** After the server took the message: as Angus, an exception naming who got it when some recipients were refused or deferred. */
    private void outcome(int code) throws MessagingException {
        Refusals r = refusals();
        if (r.chain() != null) {
            throw new SMTPSendFailedException(".", code, getLastServerResponse(), r.chain(), r.accepted().toArray(new Address[0]),
                    r.temporary().toArray(new Address[0]), r.permanent().toArray(new Address[0]));
        }
    }

    /**
     * Writes the content as BDAT chunks into the wire (not flushed): full chunks as they fill, the rest as the
     * last. {@code readEach}: read each full chunk's reply before the next (no PIPELINING).
     *
     * @return the number of chunks written (each gets a reply)
     */
    private int writeChunks(OutgoingMessage message, boolean readEach) throws IOException, MessagingException {
        int[] chunks = {0};
        MessagingException[] refused = {null};
        Wire.Content content = wire.new Content(false, sizeLimit, CHUNK, (b, len, last) -> {
            wire.command("BDAT " + len + (last ? " LAST" : ""));
            wire.put(b, 0, len);
            chunks[0]++;
            if (readEach && !last) {
                wire.flush();
                try {
                    checkChunk(read(Expect.BDAT), false);
                } catch (MessagingException e) {
                    refused[0] = e;
                    throw new IOException("BDAT refused", e);
                }
            }
        });
        phase = Phase.DATA;
        try {
            message.writeTo(content);
            content.finish();
        } catch (IOException e) {
            if (refused[0] != null) {
                throw refused[0];
            }
            throw e;
        }
        wire.trace("[message content: " + content.lines() + " lines in " + chunks[0] + " BDAT chunk(s), not logged]");
        return chunks[0];
    }

    private static String bracket(String address) {
        String a = address == null ? "" : address.strip();
        return a.startsWith("<") ? a : "<" + a + ">";
    }

    private void reset() {
        if (noReset) {
            return;
        }
        String lastReply = getLastServerResponse();
        try {
            issueCommand("RSET", -1);
        } catch (MessagingException ignored) {
            // the connection is discarded after this failure anyway
        }
        if (lastReply != null && closingReply == null && lastReply.startsWith("421")) {
            closingReply = lastReply.strip();
        }
    }

    @Override
    protected OutputStream data() throws MessagingException {
        phase = Phase.DATA;
        OutputStream out = super.data();
        long limit = sizeLimit;
        return limit > 0 ? new LimitedStream(out, limit) : out;
    }

    @Override
    protected void finishData() throws IOException, MessagingException {
        phase = Phase.END_OF_DATA;
        super.finishData();
        phase = Phase.DONE;
    }

    /** The message grew past the server's SIZE while being written: the transfer is broken off before the final ".". */
    static final class SizeLimitExceeded extends IOException {
        private static final long serialVersionUID = 1L;
        private final long limit;

        SizeLimitExceeded(long limit) {
            super("the message exceeds the server's SIZE limit of " + limit + " bytes");
            this.limit = limit;
        }

        long limit() {
            return limit;
        }
    }

    /** Counts what is written and fails once more than the limit was written; Angus then drops the connection. */
    private static final class LimitedStream extends FilterOutputStream {
        private final long limit;
        private long written;

        LimitedStream(OutputStream out, long limit) {
            super(out);
            this.limit = limit;
        }

        @Override
        public void write(int b) throws IOException {
            count(1);
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            count(len);
            out.write(b, off, len);
        }

        private void count(int n) throws IOException {
            written += n;
            if (written > limit) {
                throw new SizeLimitExceeded(limit);
            }
        }
    }
}
