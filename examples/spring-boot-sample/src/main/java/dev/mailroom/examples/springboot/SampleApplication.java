package dev.mailroom.examples.springboot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A Spring Boot application with Mailroom's starter: an H2 database and {@code application.properties} are all it
 * needs; {@link AdminController} is the administrator's REST API.
 */
@SpringBootApplication
public class SampleApplication {
    /**
     * Starts the application.
     *
     * @param args Spring Boot's arguments
     */
    public static void main(String[] args) {
        SpringApplication.run(SampleApplication.class, args);
    }
}
