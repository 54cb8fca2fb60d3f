package dev.mailroom.jdbc;

import javax.sql.DataSource;

final class H2TransactionalOutboxTest extends TransactionalOutboxContract {
    private final DataSource ds = Databases.h2();

    @Override
    DataSource database() {
        return ds;
    }
}
