/**
 * Accounts, settings, the delivery log and the outbox over plain JDBC (H2, PostgreSQL). The JDBC driver is the
 * host's choice and is not required here. Only {@code dev.mailroom.jdbc} is exported; {@code dev.mailroom.jdbc.internal}
 * is not reachable from other modules. The migration scripts under {@code db/migration/mailroom} are read by this
 * module itself.
 */
module dev.mailroom.jdbc {
    requires transitive dev.mailroom;
    requires transitive java.sql;
    requires org.slf4j;

    exports dev.mailroom.jdbc;
}
