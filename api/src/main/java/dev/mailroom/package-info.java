/**
 * Mailroom's caller API: immutable values (accounts, addresses, messages, receipts, diagnoses) and the
 * {@link dev.mailroom.MailException} family with stable {@link dev.mailroom.MailErrorCode}s.
 *
 * <p>Everything here is immutable and thread-safe unless a type says otherwise. Parameters are
 * non-null unless documented; single look-ups return {@link java.util.Optional}. The facade that uses
 * these values is {@code dev.mailroom.core.Mailroom} in the core module.
 */
package dev.mailroom;
