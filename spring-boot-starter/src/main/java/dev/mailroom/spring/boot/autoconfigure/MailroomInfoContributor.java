package dev.mailroom.spring.boot.autoconfigure;

import dev.mailroom.core.Mailroom;
import dev.mailroom.spi.OutboxRepository;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The outbox's depth by status (one query), the transports and whether this node's workers run. */
final class MailroomInfoContributor implements InfoContributor {
    private final Mailroom mailroom;

    MailroomInfoContributor(Mailroom mailroom) {
        this.mailroom = mailroom;
    }

    @Override
    public void contribute(Info.Builder builder) {
        Map<String, Object> details = new LinkedHashMap<>();
        try {
            Map<String, Long> outbox = new LinkedHashMap<>();
            for (Map.Entry<OutboxRepository.Status, Long> e : mailroom.outbox().counts().entrySet()) {
                outbox.put(e.getKey().name().toLowerCase(Locale.ROOT), e.getValue());
            }
            details.put("outbox", outbox);
        } catch (RuntimeException e) { // an outbox that cannot count, or a failing store: the rest still shows
            details.put("outbox", "unavailable: " + e.getMessage());
        }
        details.put("outboxWorkersRunning", mailroom.outboxWorkersRunning());
        details.put("transports", mailroom.transports());
        builder.withDetail("mailroom", details);
    }
}
