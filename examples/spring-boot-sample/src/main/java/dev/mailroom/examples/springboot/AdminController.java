package dev.mailroom.examples.springboot;

import dev.mailroom.Account;
import dev.mailroom.AccountId;
import dev.mailroom.Authentication;
import dev.mailroom.DeliveryLogEntry;
import dev.mailroom.Diagnosis;
import dev.mailroom.Email;
import dev.mailroom.MailContext;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.Queued;
import dev.mailroom.Receipt;
import dev.mailroom.Secret;
import dev.mailroom.Security;
import dev.mailroom.core.Mailroom;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The administrator's REST API: accounts (passwords are write-only: accepted, sealed at rest, never returned), testing
 * an unsaved draft (connection test and an optional test mail; nothing is stored), the error log of the last 24 hours,
 * and queueing a mail. A real application puts this behind its own authentication.
 */
@RestController
@RequestMapping("/admin")
public class AdminController {
    private final Mailroom mailroom;

    /**
     * @param mailroom the starter's Mailroom
     */
    public AdminController(Mailroom mailroom) {
        this.mailroom = mailroom;
    }

    /**
     * An account as a form sends it; {@code password} is write-only.
     *
     * @param id the account id
     * @param description a name for administrators
     * @param email the mailbox address
     * @param smtpHost the SMTP server
     * @param smtpPort its port
     * @param security NONE, TLS or STARTTLS
     * @param username the login, or null for no login
     * @param password the password; never returned
     * @param systemAccount whether the account sends the application's system mail
     */
    public record AccountForm(String id, String description, String email, String smtpHost, Integer smtpPort, Security security,
                              String username, String password, boolean systemAccount) {
        /**
         * Checks what Mailroom's builder cannot name for the form (a missing or malformed id, a login without its
         * password or a password without its login) and builds the account; Mailroom checks the rest.
         *
         * @param prefix the form's place in the request ("" or "account.")
         * @throws BadRequest naming every field to fix
         */
        Account toAccount(String prefix) {
            List<Map<String, String>> fields = new ArrayList<>();
            if (id == null || id.isBlank()) {
                fields.add(field(prefix + "id", "is required"));
            } else {
                try {
                    AccountId.of(id);
                } catch (IllegalArgumentException e) {
                    fields.add(field(prefix + "id", e.getMessage()));
                }
            }
            boolean hasUser = username != null && !username.isBlank();
            boolean hasPassword = password != null && !password.isEmpty();
            if (hasUser && !hasPassword) {
                fields.add(field(prefix + "password", "is required with a username"));
            }
            if (hasPassword && !hasUser) {
                fields.add(field(prefix + "username", "is required with a password (a password alone would be dropped)"));
            }
            if (!fields.isEmpty()) {
                throw new BadRequest(fields);
            }
            return Account.builder().id(id).description(description).email(email).smtp(smtpHost, smtpPort, security)
                    .authentication(!hasUser ? Authentication.none() : Authentication.password(username, Secret.of(password)))
                    .systemAccount(systemAccount).build();
        }

        /** Without the password, for logs and debuggers. */
        @Override
        public String toString() {
            return "AccountForm[" + id + ", " + email + ", " + smtpHost + ":" + smtpPort + "]";
        }
    }

    /**
     * An account as the API shows it: no secret, only whether one is set.
     *
     * @param id the id
     * @param description the description
     * @param email the address
     * @param smtpHost the SMTP server, or null
     * @param smtpPort its port, or null
     * @param login how it logs in (NONE, PASSWORD, OAUTH2, MICROSOFT_APP)
     * @param passwordSet whether a password is stored
     * @param systemAccount whether it sends system mail
     */
    public record AccountView(String id, String description, String email, String smtpHost, Integer smtpPort, String login,
                              boolean passwordSet, boolean systemAccount) {
        static AccountView of(Account a) {
            Authentication auth = a.authentication().orElse(Authentication.none());
            return new AccountView(a.id().value(), a.description(), a.email().address(), a.smtpHost().orElse(null), a.smtpPort().orElse(null),
                    auth.kind().name(), auth.secret().isPresent(), a.systemAccount());
        }
    }

    /**
     * Lists the accounts.
     *
     * @return every account, without secrets
     */
    @GetMapping("/accounts")
    public List<AccountView> accounts() {
        return mailroom.accounts().list().stream().map(AccountView::of).toList();
    }

    /**
     * Creates an account; its password is sealed at rest and never returned.
     *
     * @param form the account
     * @return the account as stored, without secrets
     */
    @PostMapping("/accounts")
    @ResponseStatus(HttpStatus.CREATED)
    public AccountView create(@RequestBody AccountForm form) {
        if (form == null) {
            throw new BadRequest(List.of(field("account", "the request body is required")));
        }
        return AccountView.of(mailroom.accounts().create(form.toAccount("")));
    }

    /**
     * A draft to test, with an optional recipient of a test mail.
     *
     * @param account the unsaved settings
     * @param testMailTo where to send a test mail, or null for the connection test only
     */
    public record TestRequest(AccountForm account, String testMailTo) {
    }

    /**
     * One step of a connection test.
     *
     * @param stage e.g. TCP, TLS, AUTH
     * @param outcome PASSED, FAILED or SKIPPED
     * @param detail what happened
     * @param serverReply the server's exact reply, if any
     * @param code the error code of a failure
     * @param hint what to do about a failure
     */
    public record Step(String stage, String outcome, String detail, String serverReply, String code, String hint) {
    }

    /**
     * What a test found.
     *
     * @param ok whether every step passed (and the test mail went)
     * @param steps the connection test's steps
     * @param testMailMessageId the test mail's Message-ID, or null
     * @param testMailError why the test mail failed, or null
     */
    public record TestResult(boolean ok, List<Step> steps, String testMailMessageId, String testMailError) {
    }

    /**
     * Tests settings that are not saved: the staged connection test and, when asked, a test mail. Nothing is stored,
     * and the stored account's health does not change.
     *
     * @param request the draft and the test mail's recipient
     * @return the steps and the test mail's outcome
     */
    @PostMapping("/accounts/test")
    public TestResult test(@RequestBody TestRequest request) {
        if (request == null || request.account() == null) {
            throw new BadRequest(List.of(field("account", "is required: the settings to test")));
        }
        Account draft = request.account().toAccount("account.");
        Diagnosis d = mailroom.diagnose(draft);
        List<Step> steps = d.steps().stream().map(s -> new Step(s.stage().toString(), s.outcome().name(), s.detail(), s.serverReply(),
                s.code() == null ? null : s.code().name(), s.hint())).toList();
        String messageId = null;
        String error = null;
        if (d.ok() && request.testMailTo() != null) {
            try {
                Receipt r = mailroom.sendTestMail(draft, request.testMailTo());
                messageId = r.messageId();
            } catch (MailException e) {
                error = e.code() + ": " + e.getMessage();
            }
        }
        return new TestResult(d.ok() && error == null, steps, messageId, error);
    }

    /**
     * An entry of the error log.
     *
     * @param time when
     * @param account the account id, or null
     * @param address the account's address
     * @param operation SEND, NOTIFICATION, …
     * @param code the error code
     * @param serverReply the server's exact reply
     * @param detail what failed
     */
    public record ErrorView(String time, String account, String address, String operation, String code, String serverReply, String detail) {
        static ErrorView of(DeliveryLogEntry e) {
            return new ErrorView(e.time().toString(), e.accountId() == null ? null : e.accountId().value(), e.accountAddress(),
                    e.operation().name(), e.errorCode() == null ? null : e.errorCode().name(), e.serverReply(), e.detail());
        }
    }

    /**
     * The failures of the last 24 hours, newest first (tests of drafts are left out).
     *
     * @return the failures
     */
    @GetMapping("/errors")
    public List<ErrorView> errors() {
        return mailroom.deliveryLog().errorsSince(Duration.ofHours(24)).stream().map(ErrorView::of).toList();
    }

    /**
     * A mail to queue.
     *
     * @param to the recipient
     * @param subject the subject
     * @param text the plain text
     * @param idempotencyKey a key that makes a repeated request queue the mail once, or null
     */
    public record MailRequest(String to, String subject, String text, String idempotencyKey) {
    }

    /**
     * Queues a mail from the system account; it goes out within a poll interval.
     *
     * @param request the mail
     * @return its outbox id and Message-ID
     */
    @PostMapping("/mails")
    @ResponseStatus(HttpStatus.ACCEPTED)
    public Map<String, Object> enqueue(@RequestBody MailRequest request) {
        if (request == null || request.to() == null || request.to().isBlank()) {
            throw new BadRequest(List.of(field("to", "is required: the recipient's address")));
        }
        Email email = Email.builder().to(request.to()).subject(request.subject()).text(request.text()).build();
        Queued q = request.idempotencyKey() == null ? mailroom.enqueue(MailContext.system(), email)
                : mailroom.enqueue(MailContext.system(), email, request.idempotencyKey());
        return Map.of("outboxId", q.outboxId(), "messageId", q.messageId(), "existing", q.existing());
    }

    /**
     * A typed Mailroom error as 400 (bad input), 503 (the store failed: try again) or 502 (the mail server failed),
     * with the code, message, hint and the fields to fix.
     *
     * @param e the error
     * @return the problem
     */
    @ExceptionHandler(MailException.class)
    public ResponseEntity<Map<String, Object>> mailError(MailException e) {
        boolean input = e.code().category() == MailErrorCode.Category.ACCOUNT || e.code().category() == MailErrorCode.Category.MESSAGE
                || e.code().category() == MailErrorCode.Category.RECIPIENT;
        HttpStatus status = input ? HttpStatus.BAD_REQUEST : e.code() == MailErrorCode.STORE_FAILED ? HttpStatus.SERVICE_UNAVAILABLE
                : HttpStatus.BAD_GATEWAY;
        return ResponseEntity.status(status).body(Map.of("code", e.code().name(),
                "message", e.getMessage(), "hint", e.hint(), "fields",
                e.fieldProblems().stream().map(p -> Map.of("field", p.field().name(), "message", p.message())).toList()));
    }

    /**
     * A request this API rejects before Mailroom sees it, as 400 with the fields to fix.
     *
     * @param e the rejection
     * @return the problem
     */
    @ExceptionHandler(BadRequest.class)
    public ResponseEntity<Map<String, Object>> badRequest(BadRequest e) {
        return ResponseEntity.badRequest().body(Map.of("code", "INVALID_REQUEST", "message", e.getMessage(),
                "hint", "Fix the fields listed and send the request again.", "fields", e.fields));
    }

    /** An unreadable body (not JSON, a wrong type) as 400 instead of Spring's default page. */
    @ExceptionHandler(org.springframework.http.converter.HttpMessageNotReadableException.class)
    public ResponseEntity<Map<String, Object>> unreadable(org.springframework.http.converter.HttpMessageNotReadableException e) {
        return badRequest(new BadRequest(List.of(field("body", "is not the JSON this endpoint expects"))));
    }

    private static Map<String, String> field(String name, String message) {
        return Map.of("field", name, "message", message);
    }

    /** A request with fields to fix; names them. */
    static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient List<Map<String, String>> fields;

        BadRequest(List<Map<String, String>> fields) {
            super("invalid request: " + String.join(", ", fields.stream().map(f -> f.get("field") + " " + f.get("message")).toList()));
            this.fields = List.copyOf(fields);
        }
    }
}
