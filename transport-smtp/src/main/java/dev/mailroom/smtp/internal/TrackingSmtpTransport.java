package dev.mailroom.smtp.internal;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import org.eclipse.angus.mail.smtp.SMTPTransport;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Angus' SMTP transport that records which protocol step it is in, so that a failure after the final
 * "." is known to be ambiguous (the server may have taken the message) rather than a plain failure.
 */
final class TrackingSmtpTransport extends SMTPTransport {
    enum Phase { CONNECT, MAIL, RCPT, DATA, END_OF_DATA, DONE }

    private volatile Phase phase = Phase.CONNECT;

    TrackingSmtpTransport(Session session) {
        super(session, new URLName("smtp", null, -1, null, null, null));
    }

    Phase phase() {
        return phase;
    }

    void beginMessage() {
        phase = Phase.MAIL;
    }

    /**
     * Whether the next message may go to the recipients the server accepts while others are refused. Angus
     * reads this from the session at RCPT time; every pooled connection has a session of its own and is used
     * by one thread at a time, so setting it per message is safe.
     */
    void sendPartial(boolean on) {
        session.getProperties().setProperty("mail.smtp.sendpartial", Boolean.toString(on));
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
        super.rcptTo();
    }

    @Override
    protected OutputStream data() throws MessagingException {
        phase = Phase.DATA;
        return super.data();
    }

    @Override
    protected void finishData() throws IOException, MessagingException {
        phase = Phase.END_OF_DATA;
        super.finishData();
        phase = Phase.DONE;
    }
}
