package dev.mailroom.jdbc;

import org.junit.jupiter.api.AfterEach;
import org.postgresql.ds.PGSimpleDataSource;

import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

final class PostgresOAuthNodesIT extends OAuthNodesContract {
    private final List<PGSimpleDataSource> created = new ArrayList<>();

    @Override
    DataSource database() {
        PGSimpleDataSource ds = Databases.postgres();
        created.add(ds);
        return ds;
    }

    @AfterEach
    void dropSchemas() {
        created.forEach(Databases::dropSchema);
    }
}
