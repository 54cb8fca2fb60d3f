package dev.mailroom.smtp.internal;

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
        if (partialDelivery) {
            return;
        }
        List<RcptReply> refused = rcptReplies.stream().filter(r -> r.code() < 200 || r.code() > 299).toList();
        if (refused.isEmpty()) {
            return;
        }
        if (refused.stream().allMatch(r -> Failures.isTooManyRecipients(r.code(), r.reply()))) {
            refused.forEach(r -> deferredForLimit.add(r.address()));
            return; // the accepted ones get it now, the rest in a further transaction
        }
        // All or nothing: refuse the message as Angus does without partial delivery.
        reset();
        MessagingException chain = null;
        List<Address> valid = new ArrayList<>();
        List<Address> invalid = new ArrayList<>();
        for (RcptReply r : rcptReplies) {
            if (r.code() >= 200 && r.code() <= 299) {
                valid.add(r.address());
                continue;
            }
            (r.code() >= 500 ? invalid : valid).add(r.address());
            SMTPAddressFailedException f = new SMTPAddressFailedException(r.address(), "RCPT TO:<" + r.address().getAddress() + ">",
                    r.code(), r.reply());
            if (chain == null) {
                chain = f;
            } else {
                chain.setNextException(f);
            }
        }
        throw new SendFailedException("Invalid Addresses", chain, null, valid.toArray(new Address[0]), invalid.toArray(new Address[0]));
    }

    private void reset() {
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
