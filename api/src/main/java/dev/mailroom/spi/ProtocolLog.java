package dev.mailroom.spi;

import dev.mailroom.AccountId;

/**
 * Receives the protocol dialog of accounts with the debug flag. Transports redact credentials
 * (AUTH arguments, passwords, tokens) before calling it.
 *
 * <p>Called on the sending thread; must be fast and must not throw. The default writes to the SLF4J
 * logger {@code dev.mailroom.protocol} at DEBUG.
 */
@FunctionalInterface
public interface ProtocolLog {
    /** Discards everything. */
    ProtocolLog NONE = (account, line) -> { };

    /**
     * One line of the dialog, redacted.
     *
     * @param account the account whose connection it is
     * @param line the line, prefixed {@code C: } (client) or {@code S: } (server) where known
     */
    void line(AccountId account, String line);
}
