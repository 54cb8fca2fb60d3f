/**
 * Micrometer meters for Mailroom: {@link dev.mailroom.micrometer.MailroomMetrics}, a listener on the
 * {@code Mailroom} builder plus outbox gauges. Optional; the Spring Boot starter registers it when Micrometer is present.
 */
package dev.mailroom.micrometer;
