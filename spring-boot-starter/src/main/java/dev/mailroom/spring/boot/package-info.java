/**
 * Mailroom for Spring applications: {@link dev.mailroom.spring.boot.SpringTransactions} (the transactional outbox in
 * Spring-managed transactions), {@link dev.mailroom.spring.boot.MailroomBuilderCustomizer} (builder options the
 * properties do not cover) and the auto-configuration in {@code dev.mailroom.spring.boot.autoconfigure}.
 */
package dev.mailroom.spring.boot;
