package dev.mailroom.jdbc;

import javax.sql.DataSource;

final class H2OutboxTest extends OutboxContract {
    private final DataSource ds = Databases.h2();

    @Override
    DataSource database() {
        return ds;
    }
}
