package dev.mailroom.inbound;

import dev.mailroom.inbound.internal.ContentKeys;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MailDateFormat;

import java.io.ByteArrayInputStream;
import java.text.ParseException;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/** Whether a fetched message is for this account: its mailbox address and its import date, from the header block. */
final class Filters {
    private static final String[] RECIPIENT_HEADERS = {"To", "Cc", "Delivered-To", "X-Original-To"};

    private Filters() {
    }

    /**
     * @param raw the message or its header block
     * @param internalDate the server's INTERNALDATE (IMAP), or null
     * @param options the account's fetch options
     * @return why the message is skipped, or empty if it is taken
     */
    static Optional<String> skipReason(byte[] raw, Instant internalDate, FetchOptions options) {
        if (options.mailboxAddress().isEmpty() && options.since().isEmpty()) {
            return Optional.empty();
        }
        InternetHeaders headers;
        try {
            headers = new InternetHeaders(new ByteArrayInputStream(ContentKeys.headerBlock(raw)));
        } catch (MessagingException e) {
            return Optional.empty(); // unreadable headers: taken, and the parser decides
        }
        if (options.since().isPresent()) {
            Instant date = internalDate != null ? internalDate : dateHeader(headers);
            if (date != null && date.isBefore(options.since().get())) {
                return Optional.of("older than the import date " + options.since().get() + " (" + date + ")");
            }
        }
        if (options.mailboxAddress().isPresent() && !addressedTo(headers, options.mailboxAddress().get())) {
            return Optional.of("not addressed to " + options.mailboxAddress().get() + " (To, Cc, Delivered-To, X-Original-To)");
        }
        return Optional.empty();
    }

    private static boolean addressedTo(InternetHeaders headers, String mailbox) {
        for (String name : RECIPIENT_HEADERS) {
            String[] values = headers.getHeader(name);
            if (values == null) {
                continue;
            }
            for (String value : values) {
                try {
                    for (InternetAddress a : InternetAddress.parseHeader(value, false)) {
                        if (a.getAddress() != null && a.getAddress().toLowerCase(Locale.ROOT).equals(mailbox)) {
                            return true;
                        }
                    }
                } catch (MessagingException unparsable) {
                    if (value.toLowerCase(Locale.ROOT).contains(mailbox)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static Instant dateHeader(InternetHeaders headers) {
        String value = headers.getHeader("Date", null);
        if (value == null) {
            return null;
        }
        try {
            return new MailDateFormat().parse(value).toInstant();
        } catch (ParseException e) {
            return null;
        }
    }
}
