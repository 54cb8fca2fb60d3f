package dev.mailroom.jdbc;

import javax.sql.DataSource;

final class H2JdbcStoreTest extends JdbcStoreContract {
    @Override
    DataSource database() {
        return Databases.h2();
    }
}
