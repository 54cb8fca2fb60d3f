package dev.mailroom.spring.boot.autoconfigure;

import dev.mailroom.core.Mailroom;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.autoconfigure.info.ConditionalOnEnabledInfoContributor;
import org.springframework.boot.actuate.health.CompositeHealthContributor;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Actuator: health per account ({@code mailroom}, one contributor per account) and the outbox's depth under
 * {@code mailroom} in the info endpoint. Needs spring-boot-actuator; backs off for the application's own beans of
 * the same names.
 */
@AutoConfiguration(after = MailroomAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.actuate.health.HealthContributor")
@ConditionalOnBean(Mailroom.class)
public class MailroomActuatorAutoConfiguration {
    /** Created by Spring. */
    public MailroomActuatorAutoConfiguration() {
    }

    /**
     * Health per account, from the delivery log and the account's settings: no mail server is contacted.
     *
     * @param mailroom the Mailroom
     * @return the contributor, named {@code mailroom}
     */
    @Bean
    @ConditionalOnEnabledHealthIndicator("mailroom")
    @ConditionalOnMissingBean(name = "mailroomHealthContributor")
    public CompositeHealthContributor mailroomHealthContributor(Mailroom mailroom) {
        return new MailroomHealthContributor(mailroom);
    }

    /**
     * The outbox's depth by status, the transports and whether this node's workers run, under {@code mailroom}.
     *
     * @param mailroom the Mailroom
     * @return the contributor
     */
    @Bean
    @ConditionalOnEnabledInfoContributor("mailroom")
    @ConditionalOnMissingBean(name = "mailroomInfoContributor")
    public InfoContributor mailroomInfoContributor(Mailroom mailroom) {
        return new MailroomInfoContributor(mailroom);
    }
}
