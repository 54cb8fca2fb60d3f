package dev.mailroom.jdbc;

import javax.sql.DataSource;

final class H2OAuthNodesTest extends OAuthNodesContract {
    @Override
    DataSource database() {
        return Databases.h2();
    }
}
