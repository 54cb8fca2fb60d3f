package dev.mailroom.spi;

import dev.mailroom.EmailAddress;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a transport reports for a message the server accepted. Immutable; built with {@link #builder(String)}.
 *
 * <pre>{@code
 * return SendResult.builder(reply).accepted(message.recipients()).build();
 * }</pre>
 */
public final class SendResult {
    private final String serverReply;
    private final List<EmailAddress> accepted;
    private final String sentCopy;
    private final String sentCopyError;
    private final List<RefusedRecipient> refused;

    private SendResult(Builder b) {
        this.serverReply = b.serverReply;
        this.accepted = b.accepted;
        this.sentCopy = b.sentCopy;
        this.sentCopyError = b.sentCopyError;
        this.refused = b.refused;
    }

    /**
     * Starts a result.
     *
     * @param serverReply the server's reply to the end of data (for HTTP transports, status and request id)
     * @return the builder
     */
    public static Builder builder(String serverReply) {
        return new Builder(serverReply);
    }

    /** @return a builder holding this result's values */
    public Builder toBuilder() {
        return new Builder(serverReply).accepted(accepted).sentCopy(sentCopy).sentCopyError(sentCopyError).refused(refused);
    }

    /** @return the server's reply to the end of data (for HTTP transports, status and request id) */
    public String serverReply() { return serverReply; }

    /** @return the recipients the server accepted */
    public List<EmailAddress> accepted() { return accepted; }

    /** @return the folder a copy was stored in, or {@code null} */
    public String sentCopy() { return sentCopy; }

    /** @return why the Sent copy failed, or {@code null}; never a reason to fail the send */
    public String sentCopyError() { return sentCopyError; }

    /** @return the folder a copy was stored in, if one was */
    public Optional<String> sentCopyFolder() { return Optional.ofNullable(sentCopy); }

    /**
     * @return the recipients the server refused while it took the message for the others (only for an
     *         {@link OutgoingMessage#partialDelivery()} message); empty otherwise
     */
    public List<RefusedRecipient> refused() { return refused; }

    /**
     * @param copy the Sent folder, or {@code null}
     * @param copyError why the copy failed, or {@code null}
     * @return a copy of this result with the Sent-copy outcome
     */
    public SendResult withSentCopy(String copy, String copyError) {
        return toBuilder().sentCopy(copy).sentCopyError(copyError).build();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SendResult r && serverReply.equals(r.serverReply) && accepted.equals(r.accepted)
                && Objects.equals(sentCopy, r.sentCopy) && Objects.equals(sentCopyError, r.sentCopyError) && refused.equals(r.refused);
    }

    @Override
    public int hashCode() {
        return Objects.hash(serverReply, accepted, sentCopy, sentCopyError, refused);
    }

    @Override
    public String toString() {
        return "SendResult[" + serverReply + ", accepted " + accepted + (refused.isEmpty() ? "" : ", refused " + refused)
                + (sentCopy != null ? ", Sent copy in " + sentCopy : "") + (sentCopyError != null ? ", Sent copy failed: " + sentCopyError : "") + "]";
    }

    /** Builds a {@link SendResult}. */
    public static final class Builder {
        private final String serverReply;
        private List<EmailAddress> accepted = List.of();
        private String sentCopy;
        private String sentCopyError;
        private List<RefusedRecipient> refused = List.of();

        private Builder(String serverReply) {
            this.serverReply = Objects.requireNonNull(serverReply, "serverReply");
        }

        /**
         * @param recipients the recipients the server accepted
         * @return this builder
         */
        public Builder accepted(List<EmailAddress> recipients) {
            this.accepted = List.copyOf(recipients);
            return this;
        }

        /**
         * @param folder the folder a copy was stored in, or {@code null}
         * @return this builder
         */
        public Builder sentCopy(String folder) {
            this.sentCopy = folder;
            return this;
        }

        /**
         * @param reason why the Sent copy failed, or {@code null}
         * @return this builder
         */
        public Builder sentCopyError(String reason) {
            this.sentCopyError = reason;
            return this;
        }

        /**
         * @param recipients the recipients refused while the message went to the others
         * @return this builder
         */
        public Builder refused(List<RefusedRecipient> recipients) {
            this.refused = List.copyOf(recipients);
            return this;
        }

        /**
         * @return the result
         * @throws IllegalStateException when it names no recipient: a taken message was taken for someone
         *         ({@link #accepted}), or refused for everyone ({@link #refused})
         */
        public SendResult build() {
            if (accepted.isEmpty() && refused.isEmpty()) {
                throw new IllegalStateException("a SendResult names the recipients the server accepted: set accepted(...)");
            }
            return new SendResult(this);
        }
    }

    /**
     * A recipient the server refused while it took the message for others.
     *
     * @param address the recipient
     * @param reply the server's reply to its RCPT TO
     * @param temporary whether the refusal was temporary (4xx: try this recipient again) or permanent (5xx)
     */
    public record RefusedRecipient(EmailAddress address, String reply, boolean temporary) {
        /**
         * Validates.
         *
         * @param address see the record description
         * @param reply see the record description
         * @param temporary see the record description
         */
        public RefusedRecipient {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(reply, "reply");
        }
    }
}
