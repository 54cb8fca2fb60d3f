package dev.mailroom;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Exactly what {@code send} would send, without sending: the account and transport, the envelope, the
 * From and Reply-To after the sender policy, the bodies with the signature, and warnings.
 *
 * @param account the account (secrets redacted)
 * @param transport the transport id
 * @param envelopeFrom the envelope sender (MAIL FROM)
 * @param recipients the envelope recipients (To, Cc, Bcc)
 * @param from the From header
 * @param replyTo the Reply-To addresses
 * @param subject the subject
 * @param text the final text body, or {@code null}
 * @param html the final HTML body, or {@code null}
 * @param signature the rendered signature that was appended, or {@code null}
 * @param smtpUtf8 whether the message needs SMTPUTF8 (internationalized local parts)
 * @param warnings what the administrator or caller should know (sender rewritten by policy, unknown variables, …)
 */
public record Preview(ResolvedAccount account, String transport, EmailAddress envelopeFrom, List<EmailAddress> recipients,
                      EmailAddress from, List<EmailAddress> replyTo, String subject, String text, String html,
                      Signature signature, boolean smtpUtf8, List<String> warnings) {
    /**
     * Validates and copies.
     *
     * @param account see the record description
     * @param transport see the record description
     * @param envelopeFrom see the record description
     * @param recipients see the record description
     * @param from see the record description
     * @param replyTo see the record description
     * @param subject see the record description
     * @param text see the record description
     * @param html see the record description
     * @param signature see the record description
     * @param smtpUtf8 see the record description
     * @param warnings see the record description
     */
    public Preview {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(envelopeFrom, "envelopeFrom");
        recipients = List.copyOf(recipients);
        Objects.requireNonNull(from, "from");
        replyTo = List.copyOf(replyTo);
        Objects.requireNonNull(subject, "subject");
        warnings = List.copyOf(warnings);
    }

    /**
     * @return the final text body
     */
    public Optional<String> textBody() {
        return Optional.ofNullable(text);
    }

    /**
     * @return the final HTML body
     */
    public Optional<String> htmlBody() {
        return Optional.ofNullable(html);
    }

    /**
     * @return the appended signature
     */
    public Optional<Signature> appendedSignature() {
        return Optional.ofNullable(signature);
    }
}
