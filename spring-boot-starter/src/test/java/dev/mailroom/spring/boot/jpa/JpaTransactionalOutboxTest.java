package dev.mailroom.spring.boot.jpa;

import dev.mailroom.Account;
import dev.mailroom.Authentication;
import dev.mailroom.Email;
import dev.mailroom.MailContext;
import dev.mailroom.Queued;
import dev.mailroom.Security;
import dev.mailroom.core.Mailroom;
import dev.mailroom.testkit.ReceivedMail;
import dev.mailroom.testkit.ScriptedSmtpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;

import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The transactional outbox when the host's transactions are JPA's (Hibernate on H2), with nothing but the starter. */
class JpaTransactionalOutboxTest {
    private ScriptedSmtpServer server;
    private ConfigurableApplicationContext context;

    @BeforeEach
    void start() {
        server = ScriptedSmtpServer.builder().build().start();
        context = new SpringApplicationBuilder(JpaInvoiceApplication.class).web(WebApplicationType.NONE).properties(
                "spring.datasource.url=jdbc:h2:mem:jpa-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
                "spring.jpa.hibernate.ddl-auto=create-drop",
                "mailroom.secret-keys.k1=" + Base64.getEncoder().encodeToString(new byte[32]),
                "mailroom.outbox.poll-interval=20ms").run();
        context.getBean(Mailroom.class).accounts().create(Account.builder().id("sys").description("System").email("app@acme.test")
                .systemAccount(true).smtp("127.0.0.1", server.port(), Security.NONE).authentication(Authentication.none()).build());
    }

    @AfterEach
    void stop() {
        context.close();
        server.close();
    }

    private long rows(String sql) {
        Long n = context.getBean(JdbcTemplate.class).queryForObject(sql, Long.class);
        return n == null ? 0 : n;
    }

    @Test
    @DisplayName("#15 transactional outbox under a JpaTransactionManager: rollback stores and sends nothing; commit sends exactly once")
    void jpaTransactions_bothWays() throws Exception {
        assertThat(context.getBean(PlatformTransactionManager.class)).isInstanceOf(JpaTransactionManager.class);
        JpaInvoiceApplication.InvoiceService invoices = context.getBean(JpaInvoiceApplication.InvoiceService.class);
        Mailroom mailroom = context.getBean(Mailroom.class);

        assertThatThrownBy(() -> invoices.issue(4711, true)).isInstanceOf(IllegalStateException.class);
        assertThat(rows("SELECT COUNT(*) FROM jpa_invoice")).isZero();
        assertThat(rows("SELECT COUNT(*) FROM mailroom_outbox")).as("nothing stored").isZero();

        Queued q = invoices.issue(4712, false);
        assertThat(rows("SELECT COUNT(*) FROM jpa_invoice")).isEqualTo(1);
        assertThat(rows("SELECT COUNT(*) FROM mailroom_outbox")).isEqualTo(1);
        assertThat(server.received().await(1, Duration.ofSeconds(20)).get(0).header("Message-ID")).isEqualTo(q.messageId());
        // a marker after both: when it has arrived, the rolled-back mail has had every chance to go, and did not
        mailroom.enqueue(MailContext.system(), Email.builder().to("kunde@example.test").subject("Marker").text("x").build());
        List<ReceivedMail> all = server.received().await(2, Duration.ofSeconds(20));
        assertThat(all).extracting(m -> m.header("Subject")).containsExactly("Rechnung 4712", "Marker");
        assertThat(server.received().count()).isEqualTo(2);
    }
}
