package dev.mailroom.testkit;

import jakarta.mail.Address;
import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * One message a test server received: the envelope as the server saw it and the parsed message, with
 * assertion methods that fail with a readable message. Immutable.
 */
public final class ReceivedMail {
    private final String envelopeFrom;
    private final List<String> envelopeRecipients;
    private final byte[] raw;
    private final MimeMessage message;

    ReceivedMail(String envelopeFrom, List<String> envelopeRecipients, byte[] raw) {
        this.envelopeFrom = envelopeFrom;
        this.envelopeRecipients = List.copyOf(envelopeRecipients);
        this.raw = raw.clone();
        try {
            this.message = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw));
        } catch (MessagingException e) {
            throw new IllegalStateException("received an unparseable message", e);
        }
    }

    static ReceivedMail of(MimeMessage m) {
        try {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            m.writeTo(out);
            Address[] rcpt = m.getAllRecipients();
            List<String> to = rcpt == null ? List.of() : Arrays.stream(rcpt).map(a -> ((InternetAddress) a).getAddress()).toList();
            String returnPath = m.getHeader("Return-Path", null);
            Address[] from = m.getFrom();
            String envelope = returnPath != null ? returnPath.replace("<", "").replace(">", "").strip()
                    : from == null ? null : ((InternetAddress) from[0]).getAddress();
            return new ReceivedMail(envelope, to, out.toByteArray());
        } catch (MessagingException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the MAIL FROM address as the server received it */
    public String envelopeFrom() { return envelopeFrom; }
    /** @return the RCPT TO addresses as the server received them */
    public List<String> envelopeRecipients() { return envelopeRecipients; }
    /** @return the raw message bytes */
    public byte[] raw() { return raw.clone(); }
    /** @return the parsed message */
    public MimeMessage message() { return message; }

    /** @return the decoded subject */
    public String subject() {
        try {
            return message.getSubject();
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @param name a header name
     * @return the first value of the header, or null
     */
    public String header(String name) {
        try {
            return message.getHeader(name, null);
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the From header */
    public String from() {
        return header("From");
    }

    /** @return the first text/plain part, decoded, or null */
    public String text() {
        return part(message, "text/plain");
    }

    /** @return the first text/html part, decoded, or null */
    public String html() {
        return part(message, "text/html");
    }

    /** @return the file names of attachments */
    public List<String> attachmentNames() {
        List<String> names = new ArrayList<>();
        collect(message, names);
        return names;
    }

    /**
     * @param expected the expected subject
     * @return this
     * @throws AssertionError if it differs
     */
    public ReceivedMail assertSubject(String expected) {
        if (!expected.equals(subject())) {
            throw new AssertionError("expected subject <" + expected + "> but was <" + subject() + ">");
        }
        return this;
    }

    /**
     * @param expected text the plain-text body must contain
     * @return this
     * @throws AssertionError if it does not
     */
    public ReceivedMail assertTextContains(String expected) {
        String t = text();
        if (t == null || !t.contains(expected)) {
            throw new AssertionError("expected the text body to contain <" + expected + "> but it was <" + t + ">");
        }
        return this;
    }

    /**
     * @param expected the expected MAIL FROM address
     * @return this
     * @throws AssertionError if it differs
     */
    public ReceivedMail assertEnvelopeFrom(String expected) {
        if (!expected.equals(envelopeFrom)) {
            throw new AssertionError("expected envelope sender <" + expected + "> but was <" + envelopeFrom + ">");
        }
        return this;
    }

    private static String part(Part p, String type) {
        try {
            if (p.isMimeType(type) && !Part.ATTACHMENT.equalsIgnoreCase(p.getDisposition())) {
                Object c = p.getContent();
                return c instanceof String s ? s : new String(((InputStream) c).readAllBytes(), StandardCharsets.UTF_8);
            }
            if (p.isMimeType("multipart/*")) {
                Multipart mp = (Multipart) p.getContent();
                for (int i = 0; i < mp.getCount(); i++) {
                    String s = part(mp.getBodyPart(i), type);
                    if (s != null) {
                        return s;
                    }
                }
            }
            return null;
        } catch (MessagingException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void collect(Part p, List<String> names) {
        try {
            if (p.isMimeType("multipart/*")) {
                Multipart mp = (Multipart) p.getContent();
                for (int i = 0; i < mp.getCount(); i++) {
                    BodyPart bp = mp.getBodyPart(i);
                    collect(bp, names);
                }
            } else if (Part.ATTACHMENT.equalsIgnoreCase(p.getDisposition()) || p.getFileName() != null) {
                names.add(jakarta.mail.internet.MimeUtility.decodeText(p.getFileName()));
            }
        } catch (MessagingException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "ReceivedMail[from=" + envelopeFrom + " to=" + envelopeRecipients + " subject=" + subject() + "]";
    }
}
