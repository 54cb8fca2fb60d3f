package dev.mailroom.jdbc;

import javax.sql.DataSource;

final class H2InboundPipelineIT extends InboundPipelineContract {
    private final DataSource ds = Databases.h2();

    @Override
    protected DataSource dataSource() {
        return ds;
    }
}
