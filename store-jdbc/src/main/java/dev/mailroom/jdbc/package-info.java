/**
 * Mailroom's JDBC store: accounts, mail settings and signatures ({@link dev.mailroom.jdbc.JdbcAccountRepository}),
 * the delivery log ({@link dev.mailroom.jdbc.JdbcDeliveryLog}), schema migrations, secrets sealed at rest
 * with a {@link dev.mailroom.spi.SecretCipher}. Plain JDBC over a host-supplied {@link javax.sql.DataSource};
 * H2 as the embedded default, PostgreSQL for several nodes.
 */
package dev.mailroom.jdbc;
