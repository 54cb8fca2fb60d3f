package dev.mailroom.spring.boot.autoconfigure;

import dev.mailroom.Account;
import dev.mailroom.AccountId;
import dev.mailroom.Authentication;
import dev.mailroom.FetchSettings;
import dev.mailroom.Secret;
import dev.mailroom.Security;
import dev.mailroom.core.Mailroom;
import dev.mailroom.inbound.FetchReport;
import dev.mailroom.inbound.FetchStatus;
import dev.mailroom.inbound.InboundHandler;
import dev.mailroom.inbound.InboundPoller;
import dev.mailroom.jdbc.JdbcStore;
import dev.mailroom.spi.InboundStateRepository;
import dev.mailroom.spring.boot.InboundPollerCustomizer;
import dev.mailroom.testkit.MailServerExtension;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The inbound poller the starter runs when the application defines an InboundHandler bean. */
class MailroomInboundTest {
    private static final String USER = "support@acme.test";
    private static final String PASSWORD = "pw-Zq81";
    private static final List<String> SUBJECTS = new CopyOnWriteArrayList<>();
    private static volatile CountDownLatch handled = new CountDownLatch(1);
    private static final List<FetchReport> REPORTS = new CopyOnWriteArrayList<>();
    private static volatile CountDownLatch reported = new CountDownLatch(1);

    private final MailServerExtension mail = MailServerExtension.builder().user(USER, PASSWORD).build();
    private ConfigurableApplicationContext context;

    /** A help-desk application: its handler turns each mail into a ticket. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class HelpDeskApplication {
        @Bean
        InboundHandler tickets() {
            return m -> {
                SUBJECTS.add(m.subject());
                handled.countDown();
                return dev.mailroom.inbound.InboundResult.stored();
            };
        }

        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }

        @Bean
        InboundPollerCustomizer oneThread() {
            return b -> b.threads(1).node("node-test").reportListener(r -> {
                REPORTS.add(r);
                if (r.imported() > 0) {
                    reported.countDown();
                }
            });
        }
    }

    @AfterEach
    void stop() {
        if (context != null) {
            context.close();
        }
        mail.close();
    }

    private ConfigurableApplicationContext start(String... extra) {
        List<String> props = new java.util.ArrayList<>(List.of("spring.datasource.url=jdbc:h2:mem:inbound-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
                "mailroom.secret-keys.k1=" + Base64.getEncoder().encodeToString(new byte[32]), "mailroom.inbound.interval=200ms",
                // JPA is on the test class path for JpaTransactionalOutboxTest: not needed here
                "spring.autoconfigure.exclude=org.springframework.boot.autoconfigure.orm.jpa.HibernateJpaAutoConfiguration,"
                        + "org.springframework.boot.autoconfigure.data.jpa.JpaRepositoriesAutoConfiguration"));
        props.addAll(List.of(extra));
        return new SpringApplicationBuilder(HelpDeskApplication.class).web(WebApplicationType.NONE).properties(props.toArray(String[]::new)).run();
    }

    private void deliver(String subject) throws Exception {
        String raw = "From: Kunde <kunde@example.test>\r\nTo: " + USER + "\r\nSubject: " + subject + "\r\nMessage-ID: <" + UUID.randomUUID()
                + "@example.test>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nHilfe\r\n";
        mail.greenMail().getUserManager().getUser(USER)
                .deliver(new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw.getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    @DisplayName("#15 inbound: with an InboundHandler bean the starter polls every fetch account (state in the JDBC store), counts imports in the meters"
            + " and hands the report to the application's own listener too,"
            + " and starts and stops the poller with the context; a restart picks up accounts added since")
    void handlerBean_pollerInLifecycle() throws Exception {
        SUBJECTS.clear();
        REPORTS.clear();
        handled = new CountDownLatch(1);
        reported = new CountDownLatch(1);
        mail.start();
        context = start();
        MailroomInboundLifecycle lifecycle = context.getBean(MailroomInboundLifecycle.class);
        assertThat(context.getBean(InboundStateRepository.class)).isSameAs(context.getBean(JdbcStore.class).inbound());
        assertThat(lifecycle.poller()).as("no fetch account yet: nothing to poll").isEmpty();

        context.getBean(Mailroom.class).accounts().create(Account.builder().id("support").description("Support").email(USER)
                .authentication(Authentication.password(USER, Secret.of(PASSWORD)))
                .fetching(FetchSettings.imap(mail.host(), mail.imapPort(), Security.NONE)).build());
        deliver("Drucker defekt");
        lifecycle.stop();
        lifecycle.start();
        InboundPoller poller = lifecycle.poller().orElseThrow();
        assertThat(handled.await(20, TimeUnit.SECONDS)).as("the mail reached the handler").isTrue();
        assertThat(SUBJECTS).containsExactly("Drucker defekt");
        assertThat(poller.status(AccountId.of("support")).health()).isEqualTo(FetchStatus.Health.OK);
        assertThat(reported.await(10, TimeUnit.SECONDS)).as("the application's own report listener got the report too").isTrue();
        // the meters' listener runs before the application's (its customizer comes first), on the same thread
        assertThat(context.getBean(MeterRegistry.class).get("mailroom.inbound.imported").counter().count()).isEqualTo(1);

        context.close();
        assertThat(lifecycle.isRunning()).as("stopped with the context").isFalse();
        context = null;
    }

    @Test
    @DisplayName("#15 inbound: mailroom.inbound.enabled=false, or no InboundHandler bean, configures no poller")
    void disabled_noPoller() {
        context = start("mailroom.inbound.enabled=false");
        assertThat(context.getBeansOfType(MailroomInboundLifecycle.class)).isEmpty();
    }
}
