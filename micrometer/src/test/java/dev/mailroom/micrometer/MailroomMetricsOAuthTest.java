package dev.mailroom.micrometer;

import dev.mailroom.AccountId;
import dev.mailroom.MailErrorCode;
import dev.mailroom.core.TokenRefresh;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

final class MailroomMetricsOAuthTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    @DisplayName("#15 meters: token refreshes counted by provider, outcome and error category; no account, no token")
    void tokenRefreshes_counted() {
        MailroomMetrics metrics = MailroomMetrics.builder(registry).build();
        AccountId support = AccountId.of("support");
        metrics.tokenRefreshed(new TokenRefresh(support, "google", null));
        metrics.tokenRefreshed(new TokenRefresh(support, "google", null));
        metrics.tokenRefreshed(new TokenRefresh(support, "microsoft", MailErrorCode.OAUTH_GRANT_REVOKED));
        metrics.tokenRefreshed(new TokenRefresh(support, "microsoft", MailErrorCode.OAUTH_PROVIDER_UNAVAILABLE));
        Counter ok = registry.find("mailroom.oauth.refreshes").tag("provider", "google").tag("outcome", "succeeded").tag("error", "none").counter();
        assertThat(ok).isNotNull();
        assertThat(ok.count()).isEqualTo(2);
        assertThat(registry.get("mailroom.oauth.refreshes").tag("provider", "microsoft").tag("outcome", "failed").tag("error", "authentication")
                .counter().count()).isEqualTo(1);
        assertThat(registry.get("mailroom.oauth.refreshes").tag("provider", "microsoft").tag("error", "connection").counter().count()).isEqualTo(1);
        assertThat(registry.find("mailroom.oauth.refreshes").tagKeys("account").counters()).isEmpty();
    }
}
