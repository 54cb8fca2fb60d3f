package dev.mailroom.spring.boot.jpa;

import dev.mailroom.Email;
import dev.mailroom.MailContext;
import dev.mailroom.Queued;
import dev.mailroom.core.Mailroom;
import jakarta.persistence.Entity;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Id;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.Table;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** A host that keeps its invoices with JPA (Hibernate): its transactions are a JpaTransactionManager's. */
@SpringBootApplication
public class JpaInvoiceApplication {
    /** An invoice row. */
    @Entity
    @Table(name = "jpa_invoice")
    public static class Invoice {
        @Id
        private int id;

        /** For JPA. */
        protected Invoice() {
        }

        Invoice(int id) {
            this.id = id;
        }
    }

    /** Saves an invoice with the EntityManager and queues its mail in the same transaction. */
    @Service
    public static class InvoiceService {
        @PersistenceContext
        private EntityManager em;
        private final Mailroom mailroom;

        InvoiceService(Mailroom mailroom) {
            this.mailroom = mailroom;
        }

        /**
         * Saves (and flushes) the invoice, queues its mail, then fails when asked to, which rolls both back.
         *
         * @param number the invoice number
         * @param failAfterEnqueue whether to fail after the enqueue
         * @return the queued mail
         */
        @Transactional
        public Queued issue(int number, boolean failAfterEnqueue) {
            em.persist(new Invoice(number));
            em.flush(); // the invoice row is written on the transaction's connection before the mail's
            Queued q = mailroom.enqueue(MailContext.system(), Email.builder().to("kunde@example.test").subject("Rechnung " + number)
                    .text("Guten Tag, anbei Ihre Rechnung.").build(), "jpa-invoice-" + number);
            if (failAfterEnqueue) {
                throw new IllegalStateException("the invoice could not be booked");
            }
            return q;
        }
    }
}
