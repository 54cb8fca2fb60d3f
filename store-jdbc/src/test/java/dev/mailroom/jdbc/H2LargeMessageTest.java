package dev.mailroom.jdbc;

import java.nio.file.Path;
import java.util.List;

/**
 * H2 holds the rows of an open transaction and recently read pages in its own memory, which grows with the
 * heap it may use (60–100 MB at -Xmx128m, 30–45 MB at -Xmx64m, for 25 and 50 MB alike: see ADR 009); Mailroom's
 * own part is the 4 MB seen on PostgreSQL. The bound here: what ran out of memory at -Xmx128m goes through.
 */
final class H2LargeMessageTest extends LargeMessageContract {
    @Override
    String heap() {
        return "-Xmx128m";
    }

    @Override
    long maxGrowth() {
        return Long.MAX_VALUE;
    }

    @Override
    List<String> databaseArguments(Path dir) {
        return List.of("h2", dir.resolve("outbox").toString());
    }
}
