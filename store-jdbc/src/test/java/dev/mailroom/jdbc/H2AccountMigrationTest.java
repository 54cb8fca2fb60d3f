package dev.mailroom.jdbc;

import javax.sql.DataSource;

final class H2AccountMigrationTest extends AccountMigrationContract {
    @Override
    DataSource database() {
        return Databases.h2();
    }
}
