package dev.mailroom.spring.boot.autoconfigure;

import dev.mailroom.Account;
import dev.mailroom.Authentication;
import dev.mailroom.Email;
import dev.mailroom.MailContext;
import dev.mailroom.Queued;
import dev.mailroom.Security;
import dev.mailroom.core.Mailroom;
import dev.mailroom.jdbc.JdbcStore;
import dev.mailroom.spi.OutboxRepository;
import dev.mailroom.spring.boot.sample.InvoiceApplication;
import dev.mailroom.testkit.ReceivedMail;
import dev.mailroom.testkit.ScriptedSmtpServer;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.actuate.health.CompositeHealth;
import org.springframework.boot.actuate.health.HealthComponent;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.actuate.info.InfoEndpoint;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The sample application: only a DataSource and properties; sends through the testkit server. Runs on H2
 * ({@code MailroomApplicationTest}) and on PostgreSQL ({@code PostgresMailroomApplicationIT}).
 */
class MailroomApplicationTest {
    private ScriptedSmtpServer server;
    private ConfigurableApplicationContext context;

    /** @return the JDBC URL of a fresh database */
    String databaseUrl() {
        return "jdbc:h2:mem:app-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    }

    @BeforeEach
    void start() {
        server = ScriptedSmtpServer.builder().build().start();
        context = new SpringApplicationBuilder(InvoiceApplication.class).web(WebApplicationType.NONE).properties(
                "spring.datasource.url=" + databaseUrl(),
                // JPA is on the test class path for JpaTransactionalOutboxTest: here the transactions are JDBC's
                "spring.autoconfigure.exclude=org.springframework.boot.autoconfigure.orm.jpa.HibernateJpaAutoConfiguration,"
                        + "org.springframework.boot.autoconfigure.data.jpa.JpaRepositoriesAutoConfiguration",
                "mailroom.secret-keys.k1=" + Base64.getEncoder().encodeToString(new byte[32]),
                "mailroom.outbox.poll-interval=20ms",
                "mailroom.jdbc.change-poll-interval=50ms",
                "management.endpoint.health.show-details=always",
                "management.endpoints.web.exposure.include=health,info").run();
        context.getBean(Mailroom.class).accounts().create(Account.builder().id("sys").description("System").email("app@acme.test")
                .systemAccount(true).smtp("127.0.0.1", server.port(), Security.NONE).authentication(Authentication.none()).build());
    }

    /** Removes the database after the application closed; H2's in-memory one goes by itself. */
    void dropDatabase() throws Exception {
    }

    @AfterEach
    void stop() throws Exception {
        if (context != null) {
            context.close();
        }
        server.close();
        dropDatabase();
    }

    private long rows(String sql) {
        Long n = context.getBean(JdbcTemplate.class).queryForObject(sql, Long.class);
        return n == null ? 0 : n;
    }

    @Test
    @DisplayName("#15: a Spring Boot application with only a DataSource and properties gets a Mailroom on the JDBC store; it sends, shows health per account, exposes meters and outbox depth")
    void startsWithDataSourceAndProperties_sends_health_meters_info() {
        Mailroom mailroom = context.getBean(Mailroom.class);
        assertThat(context.getBean(JdbcStore.class)).isNotNull();
        assertThat(mailroom.outboxWorkersRunning()).as("workers started with the context").isTrue();
        mailroom.send(MailContext.system(), Email.builder().to("kunde@example.test").subject("Hallo").text("direkt").build());
        assertThat(server.received().await(1, Duration.ofSeconds(10)).get(0).header("Subject")).isEqualTo("Hallo");

        HealthComponent health = context.getBean(HealthEndpoint.class).healthForPath("mailroom");
        assertThat(health).isInstanceOf(CompositeHealth.class);
        HealthComponent sys = ((CompositeHealth) health).getComponents().get("sys");
        assertThat(sys.getStatus()).isEqualTo(Status.UP);

        MeterRegistry meters = context.getBean(MeterRegistry.class);
        assertThat(meters.get("mailroom.deliveries").tag("outcome", "sent").tag("queued", "false").counter().count()).isEqualTo(1);
        assertThat(meters.get("mailroom.delivery.duration").timer().count()).isEqualTo(1);
        assertThat(meters.get("mailroom.outbox.entries").tag("status", "queued").gauge().value()).isZero();

        @SuppressWarnings("unchecked")
        Map<String, Object> info = (Map<String, Object>) context.getBean(InfoEndpoint.class).info().get("mailroom");
        assertThat(info).containsKeys("outbox", "transports").containsEntry("outboxWorkersRunning", true);
    }

    @Test
    @DisplayName("#15 transactional outbox in Spring: @Transactional rolls back the invoice and its mail (nothing stored, nothing sent); committed, the mail is sent exactly once")
    void transactionalOutbox_bothWays() throws Exception {
        InvoiceApplication.InvoiceService invoices = context.getBean(InvoiceApplication.InvoiceService.class);
        Mailroom mailroom = context.getBean(Mailroom.class);
        assertThatThrownBy(() -> invoices.issue(4711, true)).isInstanceOf(IllegalStateException.class);
        assertThat(rows("SELECT COUNT(*) FROM invoice")).isZero();
        assertThat(rows("SELECT COUNT(*) FROM mailroom_outbox")).as("nothing stored").isZero();

        Queued q = invoices.issue(4712, false);
        assertThat(rows("SELECT COUNT(*) FROM invoice")).isEqualTo(1);
        List<ReceivedMail> received = server.received().await(1, Duration.ofSeconds(20));
        assertThat(received.get(0).header("Message-ID")).isEqualTo(q.messageId());
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (mailroom.outbox().find(q.outboxId()).orElseThrow().status() != OutboxRepository.Status.SENT) {
            assertThat(System.nanoTime()).as("marked sent within 10 s").isLessThan(deadline);
            Thread.sleep(5); // polling the outbox: the workers signal nothing the test could wait on
        }
        // a marker after both: when it has arrived, the rolled-back mail has had every chance to go, and did not
        mailroom.enqueue(MailContext.system(), Email.builder().to("kunde@example.test").subject("Marker").text("x").build());
        List<ReceivedMail> all = server.received().await(2, Duration.ofSeconds(20));
        assertThat(all).extracting(m -> m.header("Subject")).containsExactly("Rechnung 4712", "Marker");
        assertThat(server.received().count()).isEqualTo(2);
    }

    @Test
    @DisplayName("#15 lifecycle: the workers stop with the context (graceful), and the Mailroom and store are closed")
    void workersStopWithTheContext() {
        Mailroom mailroom = context.getBean(Mailroom.class);
        assertThat(mailroom.outboxWorkersRunning()).isTrue();
        context.stop();
        assertThat(mailroom.outboxWorkersRunning()).isFalse();
        context.start();
        assertThat(mailroom.outboxWorkersRunning()).isTrue();
        context.close();
        assertThat(mailroom.outboxWorkersRunning()).isFalse();
        assertThatThrownBy(() -> mailroom.enqueue(MailContext.system(), Email.builder().to("kunde@example.test").text("x").build()))
                .hasMessageContaining("closed");
    }
}
