package dev.mailroom.core.internal;

import dev.mailroom.AccountId;
import dev.mailroom.spi.ProtocolLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The default protocol log: SLF4J logger {@code dev.mailroom.protocol} at INFO; the account's debug flag is the switch. */
public final class Slf4jProtocolLog implements ProtocolLog {
    private static final Logger LOG = LoggerFactory.getLogger("dev.mailroom.protocol");

    @Override
    public void line(AccountId account, String line) {
        LOG.info("[{}] {}", account, line);
    }
}
