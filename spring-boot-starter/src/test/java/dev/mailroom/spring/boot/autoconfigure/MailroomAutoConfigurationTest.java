package dev.mailroom.spring.boot.autoconfigure;

import dev.mailroom.Account;
import dev.mailroom.Authentication;
import dev.mailroom.Email;
import dev.mailroom.MailContext;
import dev.mailroom.core.DeliveryAttempt;
import dev.mailroom.core.Mailroom;
import dev.mailroom.core.MailroomListener;
import dev.mailroom.jdbc.JdbcStore;
import dev.mailroom.testkit.RecordingTransport;
import dev.mailroom.spring.boot.MailroomBuilderCustomizer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.autoconfigure.transaction.TransactionAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

final class MailroomAutoConfigurationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class,
                    TransactionAutoConfiguration.class, MailroomAutoConfiguration.class, MailroomActuatorAutoConfiguration.class,
                    MailroomMetricsAutoConfiguration.class))
            .withPropertyValues("spring.datasource.url=jdbc:h2:mem:ac-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    private static final String KEY = "mailroom.secret-keys.k1=" + Base64.getEncoder().encodeToString(new byte[32]);

    @Test
    @DisplayName("#15 secret keys: with the JDBC store and no key the application does not start, and the message says what to set; a key that is not Base64 is named")
    void noSecretKey_failsFast() {
        runner.run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("mailroom.secret-keys")
                    .hasMessageContaining("no default key");
        });
        runner.withPropertyValues("mailroom.secret-keys.k1=not base64!").run(context ->
                assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("mailroom.secret-keys.k1 is not Base64"));
    }

    @Test
    @DisplayName("#15 properties reach the builder: a bad value fails at start naming Mailroom's option; unset ones keep the defaults")
    void properties_applied() {
        runner.withPropertyValues(KEY, "mailroom.pool.max-connections-per-account=0").run(context ->
                assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("maxConnectionsPerAccount must be between 1 and 64"));
        runner.withPropertyValues(KEY, "mailroom.outbox.workers=0").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(Mailroom.class).outboxWorkersRunning()).isFalse();
        });
        runner.withPropertyValues(KEY).run(context -> {
            assertThat(context).hasSingleBean(JdbcStore.class).hasSingleBean(Mailroom.class).hasBean("mailroomHealthContributor");
            assertThat(context.getBean(Mailroom.class).outboxWorkersRunning()).isTrue();
        });
        runner.withPropertyValues(KEY, "management.health.mailroom.enabled=false").run(context ->
                assertThat(context).doesNotHaveBean("mailroomHealthContributor"));
    }

    @Test
    @DisplayName("#15 host beans: transports, listeners and customizers are picked up; the application's own Mailroom and store win")
    void hostBeans_pickedUp_andOverridable() {
        RecordingTransport transport = new RecordingTransport();
        List<DeliveryAttempt> seen = new CopyOnWriteArrayList<>();
        runner.withPropertyValues(KEY)
                .withBean(RecordingTransport.class, () -> transport)
                .withBean(MailroomListener.class, () -> new MailroomListener() {
                    @Override
                    public void attempted(DeliveryAttempt attempt) {
                        seen.add(attempt);
                    }
                })
                .withBean(MailroomBuilderCustomizer.class, () -> b -> b.discoverTransports(false))
                .run(context -> {
                    Mailroom m = context.getBean(Mailroom.class);
                    assertThat(m.transports()).containsExactly(transport.id());
                    m.accounts().create(Account.builder().id("sys").description("System").email("app@acme.test").systemAccount(true)
                            .smtpHost("smtp.test").authentication(Authentication.none()).build());
                    m.send(MailContext.system(), Email.builder().to("kunde@example.test").text("x").build());
                    assertThat(transport.sent()).hasSize(1);
                    assertThat(seen).singleElement().satisfies(a -> assertThat(a.outcome()).isEqualTo(DeliveryAttempt.Outcome.SENT));
                });
        Mailroom own = Mailroom.builder().outboxWorkers(0).build();
        runner.withBean(Mailroom.class, () -> own).run(context -> {
            assertThat(context).hasNotFailed(); // no key needed: no store is built for a Mailroom the application made itself
            assertThat(context.getBean(Mailroom.class)).isSameAs(own);
        });
        own.close();
    }
}
