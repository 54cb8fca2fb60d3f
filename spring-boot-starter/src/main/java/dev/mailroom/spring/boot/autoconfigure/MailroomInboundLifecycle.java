package dev.mailroom.spring.boot.autoconfigure;

import dev.mailroom.Account;
import dev.mailroom.AccountId;
import dev.mailroom.FetchSettings;
import dev.mailroom.core.Mailroom;
import dev.mailroom.inbound.FetchOptions;
import dev.mailroom.inbound.Inbound;
import dev.mailroom.inbound.InboundPoller;
import dev.mailroom.spi.DeliveryLog;
import dev.mailroom.spi.InboundStateRepository;
import dev.mailroom.spring.boot.InboundPollerCustomizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import java.util.List;
import java.util.Optional;

/**
 * The inbound poller in the application context's lifecycle: built and started once the context has started (so
 * every account saved by then is fetched), closed when it stops, before the Mailroom and the DataSource are closed.
 * Stopping is graceful: no new fetch starts, running fetches get up to 10 s to finish (then they are interrupted), and
 * a mail in progress is either stored by the handler (and acted on at the server by a later fetch) or fetched again;
 * each fetch that ended has released its lease by the time {@link #stop()} returns. It can be started again, which
 * builds a new poller (so accounts added since are picked up) holding its leases under a new owner token, so a fetch
 * of the old poller still ending can neither overlap nor release the new one's.
 */
public class MailroomInboundLifecycle implements SmartLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(MailroomInboundLifecycle.class);

    private final Mailroom mailroom;
    private final Inbound inbound;
    private final InboundStateRepository state;
    private final DeliveryLog log;
    private final MailroomProperties.Inbound settings;
    private final List<InboundPollerCustomizer> customizers;
    private volatile InboundPoller poller;

    /**
     * @param mailroom resolves the accounts before each fetch
     * @param inbound the fetcher, with the application's handler
     * @param state the fetch state and leases
     * @param log where fetches are recorded, or {@code null}
     * @param settings {@code mailroom.inbound.*}
     * @param customizers the application's adjustments of the poller
     */
    public MailroomInboundLifecycle(Mailroom mailroom, Inbound inbound, InboundStateRepository state, DeliveryLog log,
                                    MailroomProperties.Inbound settings, List<InboundPollerCustomizer> customizers) {
        this.mailroom = mailroom;
        this.inbound = inbound;
        this.state = state;
        this.log = log;
        this.settings = settings;
        this.customizers = List.copyOf(customizers);
    }

    /**
     * Builds and starts the poller for the configured accounts that fetch mail (or every account with fetch settings);
     * does nothing without any.
     */
    @Override
    public synchronized void start() {
        if (poller != null) {
            return;
        }
        List<AccountId> fetching = mailroom.accounts().list().stream().filter(a -> a.fetching().protocol() != FetchSettings.Protocol.NONE)
                .map(Account::id).toList();
        List<AccountId> ids = fetching;
        if (!settings.getAccounts().isEmpty()) {
            ids = settings.getAccounts().stream().map(AccountId::of).filter(id -> {
                if (!fetching.contains(id)) {
                    LOG.warn("Mailroom inbound: account {} in mailroom.inbound.accounts has no IMAP/POP3 settings (or does not exist); not polling it", id);
                    return false;
                }
                return true;
            }).toList();
        }
        if (ids.isEmpty()) {
            LOG.info("Mailroom inbound: no account fetches mail (set mailroom.inbound.accounts or an account's IMAP/POP3 settings); not polling");
            return;
        }
        InboundPoller.Builder b = InboundPoller.builder(inbound, state);
        for (AccountId id : ids) {
            b.account(id, () -> mailroom.accounts().resolvedForConnection(id), FetchOptions.defaults());
        }
        if (settings.getInterval() != null) {
            b.interval(settings.getInterval());
        }
        if (log != null) {
            b.deliveryLog(log);
        }
        customizers.forEach(c -> c.customize(b));
        InboundPoller p = b.build();
        p.start();
        poller = p;
        LOG.info("Mailroom inbound: polling {} account(s)", ids.size());
    }

    /** Closes the poller; returns once running fetches finished and released their leases (at most about 15 s). */
    @Override
    public synchronized void stop() {
        InboundPoller p = poller;
        if (p != null) {
            p.close(); // running fetches end and release their leases first; only then is the lifecycle stopped
        }
        poller = null;
    }

    /** @return whether a poller runs */
    @Override
    public boolean isRunning() {
        return poller != null;
    }

    /**
     * The running poller, for its per-account status and {@code fetchNow}.
     *
     * @return the poller, empty while stopped or when no account fetches mail
     */
    public Optional<InboundPoller> poller() {
        return Optional.ofNullable(poller);
    }
}
