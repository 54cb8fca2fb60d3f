package dev.mailroom.jdbc;

import org.junit.jupiter.api.AfterEach;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;

final class PostgresInboundPipelineIT extends InboundPipelineContract {
    private PGSimpleDataSource ds;

    @Override
    protected DataSource dataSource() {
        if (ds == null) {
            ds = Databases.postgres();
        }
        return ds;
    }

    @AfterEach
    void drop() {
        if (ds != null) {
            Databases.dropSchema(ds);
        }
    }
}
