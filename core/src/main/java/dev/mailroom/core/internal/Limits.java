package dev.mailroom.core.internal;

import dev.mailroom.Email;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;

/**
 * A Mailroom's limits on one message, checked before anything is sent or stored.
 *
 * @param maxRecipients the most envelope recipients
 * @param maxSubjectLength the longest subject, in code points
 * @param maxMessageSize the largest message, in bytes
 */
public record Limits(int maxRecipients, int maxSubjectLength, long maxMessageSize) {

    /**
     * Refuses an email with too many recipients or too long a subject.
     *
     * @param email the email
     * @throws MailException {@link MailErrorCode#INVALID_EMAIL} naming the limit and how to raise it
     */
    public void checkRecipients(Email email) {
        int n = email.recipients().size();
        if (n > maxRecipients) {
            throw new MailException(MailErrorCode.INVALID_EMAIL, "to/cc/bcc: " + n + " recipients, more than this Mailroom's limit of "
                    + maxRecipients + "; send in batches or raise Mailroom.builder().maxRecipients(…); nothing was sent");
        }
        int subject = email.subject() == null ? 0 : email.subject().codePointCount(0, email.subject().length());
        if (subject > maxSubjectLength) {
            throw new MailException(MailErrorCode.INVALID_EMAIL, "subject: " + subject + " characters, more than this Mailroom's limit of "
                    + maxSubjectLength + "; shorten it or raise Mailroom.builder().maxSubjectLength(…); nothing was sent");
        }
    }
}
