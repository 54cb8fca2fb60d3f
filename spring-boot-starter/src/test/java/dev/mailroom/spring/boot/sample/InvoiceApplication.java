package dev.mailroom.spring.boot.sample;

import dev.mailroom.Email;
import dev.mailroom.MailContext;
import dev.mailroom.Queued;
import dev.mailroom.core.Mailroom;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.Transactional;

/** A host application as a Spring team writes it: a DataSource, properties, and a service that saves and mails. */
@SpringBootApplication
public class InvoiceApplication {
    /** Saves invoices and mails them in one transaction. */
    public static class InvoiceService {
        private final JdbcTemplate jdbc;
        private final Mailroom mailroom;

        InvoiceService(JdbcTemplate jdbc, Mailroom mailroom) {
            this.jdbc = jdbc;
            this.mailroom = mailroom;
        }

        /** Saves the invoice and queues its mail; fails afterwards when asked to, which rolls both back. */
        @Transactional
        public Queued issue(int number, boolean failAfterEnqueue) {
            jdbc.update("INSERT INTO invoice (id) VALUES (?)", number);
            Queued q = mailroom.enqueue(MailContext.system(), Email.builder().to("kunde@example.test").subject("Rechnung " + number)
                    .text("Guten Tag, anbei Ihre Rechnung.").build(), "invoice-" + number);
            if (failAfterEnqueue) {
                throw new IllegalStateException("the invoice could not be booked");
            }
            return q;
        }
    }

    @Bean
    InvoiceService invoiceService(JdbcTemplate jdbc, Mailroom mailroom) {
        jdbc.execute("CREATE TABLE IF NOT EXISTS invoice (id INT PRIMARY KEY)");
        return new InvoiceService(jdbc, mailroom);
    }
}
