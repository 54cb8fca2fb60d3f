package dev.mailroom.inbound;

import dev.mailroom.AccountId;
import dev.mailroom.DeliveryLogEntry;
import dev.mailroom.DeliveryLogQuery;
import dev.mailroom.MailErrorCode;
import dev.mailroom.spi.DeliveryLog;
import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;
import org.eclipse.angus.mail.dsn.DeliveryStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads bounces (delivery status notifications) from raw mail, and the fetch's bounce handling: the delivery-log
 * entry against the original mail and the host's listener for permanent failures.
 */
final class Bounces {
    private static final Logger LOG = LoggerFactory.getLogger(Bounces.class);
    private static final Session SESSION = Session.getInstance(new Properties());
    /** Subjects of the common non-standard bounces (English and German). */
    private static final Pattern SUBJECT = Pattern.compile("(?i)undeliver|undelivered|delivery (status notification|failure|has failed)"
            + "|mail delivery (failed|failure|subsystem)|failure notice|returned mail|nondeliverable|unzustellbar|nicht zustellbar"
            + "|delayed mail|warning: could not send|unable to deliver");
    private static final Pattern DELAYED = Pattern.compile("(?i)delay|warning|verz[öo]ger|still being retried");
    private static final Pattern MESSAGE_ID = Pattern.compile("(?im)^Message-ID:[ \\t]*(?:\\r?\\n[ \\t]+)?(<[^>\\s]+>)");
    private static final Pattern STATUS = Pattern.compile("\\b([245]\\.\\d{1,3}\\.\\d{1,3})\\b");
    private static final Pattern QMAIL_RECIPIENT = Pattern.compile("(?m)^<([^<>@\\s]+@[^<>\\s]+)>:");
    private static final Pattern INDENTED_RECIPIENT = Pattern.compile("(?m)^[ \\t]+<?([^<>@\\s]+@[^<>\\s:]+?)>?:?[ \\t]*\\r?$");
    private static final Pattern SIGNATURE = Pattern.compile("(?m)^-- ?\\r?$");
    private static final int MAX_SCAN = 256 * 1024;

    private Bounces() {
    }

    /**
     * The fetch's handling of bounces, in three steps so that the pipeline can order them around STORED:
     * {@link #classify}, then {@link #notifyListener} (before STORED: if it fails, the mail is retried), then
     * {@link #record} (after STORED, best effort: written once). {@link #NONE} ignores bounces (they become tickets
     * like any mail).
     */
    interface Hook {
        Hook NONE = new Hook() {
            @Override
            public Optional<Bounce> classify(AccountId account, byte[] raw, boolean headerOnly) {
                return Optional.empty();
            }

            @Override
            public void notifyListener(AccountId account, Bounce bounce) {
            }

            @Override
            public void record(AccountId account, String transport, Bounce bounce, boolean headerOnly) {
            }
        };

        /**
         * @param headerOnly {@code true} when only the header block was fetched (the mail is over the size limit)
         * @return the bounce if the mail is one (then it must not reach the handler), else empty
         */
        Optional<Bounce> classify(AccountId account, byte[] raw, boolean headerOnly);

        /**
         * Calls the host's listener for a permanent failure of a mail this system sent; at least once per bounce.
         *
         * @throws RuntimeException when the host's listener fails: the mail counts as a failed attempt
         */
        void notifyListener(AccountId account, Bounce bounce);

        /** Records the bounce in the delivery log; never throws. */
        void record(AccountId account, String transport, Bounce bounce, boolean headerOnly);
    }

    /** Records bounces in the delivery log against the original entry and calls the listener for permanent failures. */
    static Hook hook(DeliveryLog log, Consumer<Bounce> listener, Clock clock) {
        return new Hook() {
            @Override
            public Optional<Bounce> classify(AccountId account, byte[] raw, boolean headerOnly) {
                try { // Jakarta Mail parsing, with the provider lookup cached (see MailProviders)
                    return dev.mailroom.inbound.internal.MailProviders.parsing(() -> headerOnly ? parseHeaders(raw) : parse(raw));
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) { // parse and parseHeaders throw nothing checked
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public void notifyListener(AccountId account, Bounce b) {
                if (!b.permanent() || listener == null) {
                    return;
                }
                if (log != null && original(log, b) == null) {
                    // anyone can send a mail that looks like a bounce: only one for a mail this system sent suppresses
                    LOG.info("bounce for {} fetched by account {} names no mail sent by this system: the bounce listener is not called",
                            b.originalMessageId().orElse("(no Message-ID)"), account);
                    return;
                }
                listener.accept(b);
            }

            @Override
            public void record(AccountId account, String transport, Bounce b, boolean headerOnly) {
                Bounces.record(log, clock, account, transport, b, headerOnly);
            }
        };
    }

    /** The oldest sent entry in the log with the bounce's original Message-ID, or {@code null}. */
    private static DeliveryLogEntry original(DeliveryLog log, Bounce b) {
        if (b.originalMessageId().isEmpty()) {
            return null;
        }
        DeliveryLogQuery query = DeliveryLogQuery.since(Instant.EPOCH).messageId(b.originalMessageId().get()).limit(50);
        DeliveryLogEntry original = null;
        for (DeliveryLogEntry e : log.query(query)) { // newest first: the oldest send attempt wins
            if (query.matches(e) && e.operation() != DeliveryLogEntry.Operation.BOUNCE && e.operation() != DeliveryLogEntry.Operation.FETCH) {
                original = e; // a log that ignores the Message-ID filter must not attach the bounce to another mail
            }
        }
        return original;
    }

    private static void record(DeliveryLog log, Clock clock, AccountId fetchAccount, String transport, Bounce b, boolean headerOnly) {
        if (log == null) {
            return;
        }
        try {
            DeliveryLogEntry original = original(log, b);
            List<Bounce.Recipient> recipients = b.recipients().isEmpty()
                    ? List.of(new Bounce.Recipient("", "failed", "", Optional.empty())) : b.recipients();
            List<DeliveryLogEntry> entries = new ArrayList<>();
            for (Bounce.Recipient r : recipients) {
                boolean failed = r.action().equals("failed");
                String detail = "bounce" + (r.address().isEmpty() ? "" : " for " + r.address()) + ": " + r.action()
                        + (r.status().isEmpty() ? "" : ", status " + r.status()) + (r.permanent() ? " (permanent)" : "")
                        + b.reportingMta().map(m -> "; reported by " + m).orElse("")
                        + (headerOnly ? "; too large to read, classified from its headers" : "")
                        + (original == null ? "; no sent mail with this Message-ID in the log (fetched by account " + fetchAccount + ")"
                        : "; fetched by account " + fetchAccount);
                entries.add(new DeliveryLogEntry(clock.instant(), original == null ? fetchAccount : original.accountId(),
                        original == null ? null : original.accountAddress(), original == null ? null : original.tenant(),
                        DeliveryLogEntry.Operation.BOUNCE, failed ? DeliveryLogEntry.Outcome.FAILURE : DeliveryLogEntry.Outcome.SUCCESS,
                        !failed ? null : r.permanent() ? MailErrorCode.RECIPIENT_REJECTED : MailErrorCode.TEMPORARY_FAILURE,
                        r.diagnosticCode().orElse(r.status().isEmpty() ? null : r.status()), b.originalMessageId().orElse(null),
                        original == null ? transport : original.transport(), detail));
            }
            log.recordAll(entries);
        } catch (RuntimeException e) { // the log is a record, not a reason to refuse the mail
            LOG.warn("recording a bounce for {} in the delivery log failed: {}", b.originalMessageId().orElse("(no Message-ID)"), e.getMessage());
        }
    }

    /**
     * Classifies a mail of which only the header block was fetched: a delivery-status report, or a system sender
     * with a bounce subject. Nothing about the recipients can be read but {@code X-Failed-Recipients}; no status, so
     * never permanent.
     */
    static Optional<Bounce> parseHeaders(byte[] raw) {
        InternetHeaders top;
        try {
            top = new InternetHeaders(new ByteArrayInputStream(raw));
        } catch (MessagingException e) {
            return Optional.empty();
        }
        String type = lower(top.getHeader("Content-Type", ","));
        boolean report = type.startsWith("multipart/report") && type.contains("delivery-status");
        String subject = decode(top.getHeader("Subject", " "));
        if (!report && !(systemSender(top.getHeader("From", ",")) && SUBJECT.matcher(subject).lookingAt())) {
            return Optional.empty();
        }
        List<Bounce.Recipient> recipients = new ArrayList<>();
        String failed = top.getHeader("X-Failed-Recipients", ",");
        if (failed != null) {
            try {
                for (InternetAddress a : InternetAddress.parseHeader(MimeUtility.unfold(failed), false)) {
                    if (a.getAddress() != null && recipients.size() < 50) {
                        recipients.add(new Bounce.Recipient(a.getAddress(), "failed", "", Optional.empty()));
                    }
                }
            } catch (MessagingException e) {
                // no recipients named
            }
        }
        return Optional.of(new Bounce(Optional.empty(), recipients, report, Optional.empty()));
    }

    static Optional<Bounce> parse(byte[] raw) {
        InternetHeaders top;
        try {
            top = new InternetHeaders(new ByteArrayInputStream(raw));
        } catch (MessagingException e) {
            return Optional.empty();
        }
        String type = lower(top.getHeader("Content-Type", ","));
        boolean report = type.startsWith("multipart/report");
        if (report && !type.contains("delivery-status") && type.contains("report-type")) {
            return Optional.empty(); // a disposition notification (read receipt) or another report: not a bounce
        }
        String subject = decode(top.getHeader("Subject", " ")).strip();
        // a mail system writes the non-standard ones: an empty Return-Path alone is also an RFC 3834 auto-reply's
        boolean systemSender = systemSender(top.getHeader("From", ","));
        boolean bounceSubject = SUBJECT.matcher(subject).lookingAt(); // at the start: "Re: your undeliverable mail" is a person
        if (!report && !(systemSender && bounceSubject)) {
            return Optional.empty();
        }
        try {
            MimeMessage m = new MimeMessage(SESSION, new ByteArrayInputStream(raw));
            Found f = new Found();
            f.walk(m, 0);
            if (f.status != null) {
                return Optional.of(new Bounce(f.originalId(), f.recipients, true, Optional.ofNullable(f.reportingMta)));
            }
            if (!(systemSender && bounceSubject)) {
                return Optional.empty(); // a report without a readable delivery status, not from a mail system: leave it to the host
            }
            return Optional.of(nonStandard(raw, f, DELAYED.matcher(subject).find()));
        } catch (MessagingException | IOException | RuntimeException e) {
            return Optional.empty(); // unreadable: not treated as a bounce; the normal path handles broken mail
        }
    }

    private static Bounce nonStandard(byte[] raw, Found f, boolean delayed) {
        String text = new String(raw, 0, Math.min(raw.length, MAX_SCAN), StandardCharsets.ISO_8859_1);
        int body = text.indexOf("\r\n\r\n") >= 0 ? text.indexOf("\r\n\r\n") : Math.max(0, text.indexOf("\n\n"));
        String rest = text.substring(body);
        Optional<String> id = f.originalId();
        if (id.isEmpty()) {
            Matcher mid = MESSAGE_ID.matcher(rest);
            if (mid.find()) {
                id = Optional.of(mid.group(1));
            }
        }
        int copy = id.isPresent() ? Math.max(0, rest.indexOf(id.get())) : rest.length();
        String explanation = rest.substring(0, copy == 0 ? rest.length() : copy);
        Matcher signature = SIGNATURE.matcher(explanation);
        if (signature.find()) {
            explanation = explanation.substring(0, signature.start()); // addresses in a signature name no recipient
        }
        Matcher st = STATUS.matcher(explanation);
        String status = st.find() ? st.group(1) : "";
        Set<String> addresses = new LinkedHashSet<>();
        for (Pattern p : List.of(QMAIL_RECIPIENT, INDENTED_RECIPIENT)) {
            Matcher a = p.matcher(explanation);
            while (a.find() && addresses.size() < 50) {
                addresses.add(a.group(1));
            }
        }
        String action = delayed || status.startsWith("4") ? "delayed" : "failed";
        List<Bounce.Recipient> recipients = new ArrayList<>();
        for (String a : addresses) {
            recipients.add(new Bounce.Recipient(a, action, status, Optional.empty()));
        }
        if (recipients.isEmpty()) {
            recipients.add(new Bounce.Recipient("", action, status, Optional.empty()));
        }
        return new Bounce(id, recipients, false, Optional.empty());
    }

    private static final class Found {
        DeliveryStatus status;
        String reportingMta;
        String returnedId;
        final List<Bounce.Recipient> recipients = new ArrayList<>();

        Optional<String> originalId() {
            return Optional.ofNullable(returnedId);
        }

        void walk(Part part, int depth) throws MessagingException, IOException {
            if (depth > 10) {
                return;
            }
            ContentType type = type(part);
            if (type.match("multipart/*")) {
                MimeMultipart mp = new MimeMultipart(part.getDataHandler().getDataSource()); // no content handler: a plain multipart
                for (int i = 0; i < mp.getCount(); i++) {
                    BodyPart p = mp.getBodyPart(i);
                    walk(p, depth + 1);
                }
            } else if (status == null && (type.match("message/delivery-status") || type.match("message/global-delivery-status"))) {
                try (InputStream in = part.getInputStream()) {
                    status = new DeliveryStatus(in);
                }
                reportingMta = value(status.getMessageDSN().getHeader("Reporting-MTA", null));
                for (int i = 0; i < status.getRecipientDSNCount(); i++) {
                    InternetHeaders r = status.getRecipientDSN(i);
                    String address = value(r.getHeader("Final-Recipient", null));
                    if (address == null) {
                        address = value(r.getHeader("Original-Recipient", null));
                    }
                    String action = r.getHeader("Action", null);
                    String code = r.getHeader("Status", null);
                    String diagnostic = r.getHeader("Diagnostic-Code", null);
                    recipients.add(new Bounce.Recipient(address == null ? "" : address, action == null ? "failed" : action,
                            code == null ? "" : code.strip().split("\\s")[0],
                            Optional.ofNullable(diagnostic == null ? null : MimeUtility.unfold(diagnostic).strip())));
                }
            } else if (returnedId == null && (type.match("message/rfc822") || type.match("text/rfc822-headers")
                    || type.match("message/global") || type.match("message/global-headers"))) {
                try (InputStream in = part.getInputStream()) {
                    String id = new InternetHeaders(in).getHeader("Message-ID", null);
                    if (id != null && !id.isBlank()) {
                        returnedId = id.strip();
                    }
                }
            }
        }
    }

    /** {@code rfc822; user@example.com} → {@code user@example.com}; {@code dns; mx.example.com} → {@code mx.example.com}. */
    private static String value(String typed) {
        if (typed == null) {
            return null;
        }
        String v = MimeUtility.unfold(typed).strip();
        int semi = v.indexOf(';');
        return (semi < 0 ? v : v.substring(semi + 1)).strip();
    }

    private static ContentType type(Part part) throws MessagingException {
        try {
            return new ContentType(part.getContentType() == null ? "text/plain" : part.getContentType());
        } catch (MessagingException e) {
            return new ContentType("application/octet-stream");
        }
    }

    private static boolean systemSender(String from) {
        if (from == null) {
            return false;
        }
        try {
            for (InternetAddress a : InternetAddress.parseHeader(from, false)) {
                String address = a.getAddress() == null ? "" : a.getAddress().toLowerCase(Locale.ROOT);
                String local = address.contains("@") ? address.substring(0, address.lastIndexOf('@')) : address;
                if (local.equals("mailer-daemon") || local.equals("postmaster")) {
                    return true;
                }
            }
        } catch (MessagingException e) {
            return lower(from).contains("mailer-daemon");
        }
        return false;
    }

    private static String decode(String s) {
        if (s == null) {
            return "";
        }
        try {
            return MimeUtility.decodeText(MimeUtility.unfold(s));
        } catch (java.io.UnsupportedEncodingException e) {
            return s;
        }
    }

    private static String lower(String s) {
        return s == null ? "" : s.strip().toLowerCase(Locale.ROOT);
    }
}
