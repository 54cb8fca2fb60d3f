package dev.mailroom.core.internal;

import dev.mailroom.spi.AccessToken;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

final class OAuthRefreshPointTest {
    private static final Instant ISSUED = Instant.parse("2026-11-29T12:00:00Z");

    @Test
    @DisplayName("D3: a token's refresh point is the same on every look (the jitter does not move between two checks), within the margin")
    void refreshPoint_stablePerToken() {
        AccessToken t = AccessToken.of("ya29.token-1", ISSUED.plus(Duration.ofHours(1)));
        Instant first = OAuthTokens.refreshAt(t, ISSUED);
        for (int i = 0; i < 100; i++) {
            assertThat(OAuthTokens.refreshAt(t, ISSUED)).isEqualTo(first);
        }
        Instant expires = ISSUED.plus(Duration.ofHours(1));
        assertThat(first).isBetween(expires.minus(Duration.ofMinutes(7)), expires.minus(Duration.ofMinutes(6)));
    }

    @Test
    @DisplayName("D3: different tokens get different refresh points, so many accounts do not refresh at the same instant")
    void refreshPoints_spreadAcrossTokens() {
        Set<Instant> points = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            points.add(OAuthTokens.refreshAt(AccessToken.of("ya29.token-" + i, ISSUED.plus(Duration.ofHours(1))), ISSUED));
        }
        assertThat(points).hasSizeGreaterThan(40);
    }
}
