package dev.mailroom.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Incoming mail in the shapes found in real mailboxes, as raw messages with CRLF line ends, for tests of anything
 * that reads mail: auto-replies from Outlook, Exchange and Gmail, delivery status notifications from Postfix,
 * Exchange and Gmail and a non-standard qmail bounce, mailing-list mail, MIME bombs, a bad charset and a missing end
 * boundary. Each sample names what it is and, for bounces, the Message-ID of the mail that bounced (all sent by
 * {@code support@acme.test}). The files live under {@code dev/mailroom/testkit/corpus/} in this jar.
 *
 * <pre>{@code
 * byte[] raw = MailCorpus.Sample.POSTFIX_DSN.bytes();
 * for (MailCorpus.Sample s : MailCorpus.of(MailCorpus.Kind.AUTO_REPLY)) { ... }
 * }</pre>
 */
public final class MailCorpus {
    private MailCorpus() {
    }

    /** What a sample is. */
    public enum Kind {
        /** Written by a person: becomes a ticket, may be answered. */
        PERSON,
        /** An automatic reply (out of office, vacation): never answered automatically. */
        AUTO_REPLY,
        /** A delivery status notification for a sent mail. */
        BOUNCE,
        /** Mailing-list mail. */
        LIST,
        /** Hostile structure that must be rejected before parsing. */
        BOMB,
        /** Broken but common: must still be imported. */
        BROKEN
    }

    /** The samples. */
    public enum Sample {
        /** A plain mail from a customer. */
        PERSON("person.eml", Kind.PERSON, null, false),
        /** Outlook (Microsoft 365) automatic reply: {@code Auto-Submitted}, {@code X-Auto-Response-Suppress}, German. */
        OUTLOOK_AUTO_REPLY("outlook-auto-reply.eml", Kind.AUTO_REPLY, null, false),
        /** Exchange on-premises out-of-office reply. */
        EXCHANGE_AUTO_REPLY("exchange-auto-reply.eml", Kind.AUTO_REPLY, null, false),
        /** Gmail vacation responder: {@code Auto-Submitted: auto-replied}, {@code Precedence: bulk}, multipart/alternative. */
        GMAIL_VACATION_REPLY("gmail-vacation-reply.eml", Kind.AUTO_REPLY, null, false),
        /** Postfix DSN: unknown user, 5.1.1, the returned headers as text/rfc822-headers. */
        POSTFIX_DSN("postfix-dsn.eml", Kind.BOUNCE, "<orig-postfix-4713@acme.test>", true),
        /** Postfix delay warning: action delayed, 4.4.1 (not permanent). */
        POSTFIX_DELAYED_DSN("postfix-delayed-dsn.eml", Kind.BOUNCE, "<orig-delayed-4714@acme.test>", false),
        /** Exchange Online NDR: 5.1.10 RecipientNotFound, the returned message as message/rfc822. */
        EXCHANGE_NDR("exchange-ndr.eml", Kind.BOUNCE, "<orig-exchange-4715@acme.test>", true),
        /** Gmail DSN: nested multipart/related text, 5.1.1, the returned message. */
        GMAIL_DSN("gmail-dsn.eml", Kind.BOUNCE, "<orig-gmail-4716@acme.test>", true),
        /** qmail "failure notice": a non-standard bounce, plain text with the original message below. */
        QMAIL_BOUNCE("qmail-bounce.eml", Kind.BOUNCE, "<orig-qmail-4717@acme.test>", true),
        /** Mailman list mail: {@code List-Id}, {@code List-Unsubscribe}, {@code Precedence: list}. */
        LIST_MAIL("mailman-list.eml", Kind.LIST, null, false),
        /** 200 nested multiparts. */
        BOMB_NESTED("bomb-nested.eml", Kind.BOMB, null, false),
        /** 2,000 body parts. */
        BOMB_PARTS("bomb-parts.eml", Kind.BOMB, null, false),
        /** An unknown charset in the text part and the subject, malformed UTF-8 in the HTML part. */
        BAD_CHARSET("bad-charset.eml", Kind.BROKEN, null, false),
        /** A multipart whose end boundary is missing (cut off by a gateway). */
        MISSING_END_BOUNDARY("missing-end-boundary.eml", Kind.BROKEN, null, false);

        private final String file;
        private final Kind kind;
        private final String originalMessageId;
        private final boolean permanent;

        Sample(String file, Kind kind, String originalMessageId, boolean permanent) {
            this.file = file;
            this.kind = kind;
            this.originalMessageId = originalMessageId;
            this.permanent = permanent;
        }

        /** @return what the sample is */
        public Kind kind() {
            return kind;
        }

        /** @return the resource's file name under {@code dev/mailroom/testkit/corpus/} */
        public String file() {
            return file;
        }

        /** @return for a bounce, the Message-ID of the mail that bounced, with angle brackets */
        public Optional<String> originalMessageId() {
            return Optional.ofNullable(originalMessageId);
        }

        /** @return for a bounce, whether it reports a permanent failure (5.x.x) */
        public boolean permanent() {
            return permanent;
        }

        /** @return the raw message with CRLF line ends; a fresh copy on each call */
        public byte[] bytes() {
            try (InputStream in = MailCorpus.class.getResourceAsStream("corpus/" + file)) {
                if (in == null) {
                    throw new IllegalStateException("corpus sample " + file + " is missing from the testkit jar");
                }
                return crlf(in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * The samples of one kind.
     *
     * @param kind the kind
     * @return the samples, in declaration order
     */
    public static List<Sample> of(Kind kind) {
        return Arrays.stream(Sample.values()).filter(s -> s.kind == kind).toList();
    }

    private static byte[] crlf(byte[] in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + in.length / 20);
        for (int i = 0; i < in.length; i++) {
            if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r')) {
                out.write('\r');
            }
            out.write(in[i]);
        }
        return out.toByteArray();
    }
}
