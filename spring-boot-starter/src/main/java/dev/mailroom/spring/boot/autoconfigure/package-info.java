/**
 * Spring Boot auto-configuration of Mailroom: {@link dev.mailroom.spring.boot.autoconfigure.MailroomAutoConfiguration}
 * with its {@code mailroom.*} properties, actuator health and info, and Micrometer meters.
 */
package dev.mailroom.spring.boot.autoconfigure;
