package dev.mailroom.micrometer;

import dev.mailroom.AccountId;
import dev.mailroom.inbound.FetchReport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Micrometer counters for incoming mail, fed by the inbound poller's fetch reports. Kept apart from
 * {@link MailroomMetrics} so that hosts without mailroom-inbound never load a class of it; this class needs
 * mailroom-inbound on the class path.
 *
 * <pre>{@code
 * InboundMetrics inboundMetrics = InboundMetrics.create(meterRegistry, false);
 * InboundPoller poller = InboundPoller.builder(inbound, state).reportListener(inboundMetrics)…build();
 * }</pre>
 *
 * <table>
 * <caption>Meters</caption>
 * <tr><th>name</th><th>type</th><th>tags</th></tr>
 * <tr><td>{@code mailroom.inbound.imported}</td><td>counter</td><td>— (account with {@code accountTag})</td></tr>
 * <tr><td>{@code mailroom.inbound.quarantined}</td><td>counter</td><td>— (account with {@code accountTag})</td></tr>
 * </table>
 *
 * <p>Thread-safe: reports may arrive from several poller threads at once.
 */
public final class InboundMetrics implements Consumer<FetchReport> {
    private final MeterRegistry registry;
    private final boolean accountTag;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    private InboundMetrics(MeterRegistry registry, boolean accountTag) {
        this.registry = registry;
        this.accountTag = accountTag;
    }

    /**
     * Inbound counters in a registry.
     *
     * @param registry where the counters go
     * @param accountTag whether the counters carry an {@code account} tag (one time series per account: only for
     *                   hosts with few accounts)
     * @return the counters, a report listener for the inbound poller
     */
    public static InboundMetrics create(MeterRegistry registry, boolean accountTag) {
        return new InboundMetrics(Objects.requireNonNull(registry, "registry"), accountTag);
    }

    /**
     * Counts a fetch's imported and quarantined mail ({@code mailroom.inbound.imported},
     * {@code mailroom.inbound.quarantined}).
     *
     * @param report a fetch's report
     */
    @Override
    public void accept(FetchReport report) {
        Objects.requireNonNull(report, "report");
        counter("mailroom.inbound.imported", "mail fetched and taken by the host", report.account()).increment(report.imported());
        counter("mailroom.inbound.quarantined", "mail set aside instead of handed to the host (malformed, too large, refused)",
                report.account()).increment(report.quarantined());
    }

    private Counter counter(String name, String description, AccountId account) {
        String key = accountTag ? name + "\n" + account.value() : name;
        return counters.computeIfAbsent(key, k -> {
            Counter.Builder c = Counter.builder(name).description(description);
            if (accountTag) {
                c.tag("account", account.value());
            }
            return c.register(registry);
        });
    }
}
