package dev.mailroom.smtp.internal;

import dev.mailroom.AccountId;
import dev.mailroom.Diagnosis;
import dev.mailroom.DiagnosisStep;
import dev.mailroom.DiagnosisStep.Outcome;
import dev.mailroom.DiagnosisStep.Stage;
import dev.mailroom.EmailAddress;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Security;
import dev.mailroom.spi.OutgoingMessage;
import dev.mailroom.spi.SendResult;
import dev.mailroom.spi.Transport;
import dev.mailroom.spi.TransportContext;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** The SMTP {@link Transport}: pooled sending and staged diagnostics. */
public final class SmtpTransport implements Transport {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SmtpTransport.class);
    private final TransportContext settings;
    private final Map<AccountId, AccountPool> pools = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler;
    private volatile boolean closed;

    public SmtpTransport(TransportContext settings) {
        this.settings = settings;
        AtomicInteger n = new AtomicInteger();
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "mailroom-smtp-timer-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        // Angus schedules a write-timeout task per write and cancels it after: without this, every cancelled
        // task stays queued for the whole write timeout (60 s), millions of them under bulk sending.
        timer.setRemoveOnCancelPolicy(true);
        this.scheduler = timer;
        long sweepMillis = Math.max(1_000, settings.poolLimits().idleTimeout().toMillis() / 2);
        scheduler.scheduleWithFixedDelay(() -> pools.values().forEach(AccountPool::sweep), sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public SendResult send(ResolvedAccount account, OutgoingMessage message) {
        if (closed) {
            throw new MailException(MailErrorCode.CLOSED, "the SMTP transport is closed");
        }
        AccountPool pool = poolFor(account);
        SendResult sent;
        if (message.smtpUtf8()) {
            sent = sendUtf8(pool.settings(), account, message);
        } else {
            AccountPool.Connection c = pool.borrow();
            try {
                sent = sendOn(pool, c, message);
            } catch (StaleConnection stale) {
                // A reused connection the server had closed failed at MAIL FROM: nothing was handed over, so one
                // more try on a fresh connection cannot duplicate the message.
                sent = sendOnFresh(pool, account, message);
            } catch (PlainRetry retry) {
                // The server broke the rules of an extension it advertised before the message was complete on the
                // wire: nothing was delivered, so it goes once more on a fresh connection with the plain sequence.
                sent = sendOnFresh(pool, account, message);
            } catch (MessagingException | RuntimeException e) {
                if (e instanceof MailException me) {
                    throw me;
                }
                throw Failures.toException(e, c.transport, account);
            }
        }
        return account.account().copyToSent() && message.copyToSent() ? withSentCopy(account, message, sent) : sent;
    }

    /** B6, after the SMTP connection went back to the pool: a failed copy is reported, never thrown. */
    private SendResult withSentCopy(ResolvedAccount account, OutgoingMessage message, SendResult sent) {
        Consumer<String> debug = account.account().debug() ? line -> settings.protocolLog().line(account.id(), line) : null;
        try {
            String folder = SentFolder.append(account, new RawMessage(message), settings, scheduler, debug);
            return sent.withSentCopy(folder, null);
        } catch (MessagingException | RuntimeException e) {
            String reason = "the message was sent, but the copy to the Sent folder on " + account.imapHost().orElse("?") + ":"
                    + account.imapPort() + " failed: " + Failures.rootMessage(e);
            return sent.withSentCopy(null, reason);
        }
    }

    /**
     * Messages with UTF-8 addresses go over their own connection whose session allows UTF-8 (Angus
     * then adds SMTPUTF8 to MAIL FROM); a server that does not offer SMTPUTF8 is refused before MAIL FROM.
     * Rare enough not to need a pool of their own.
     */
    private SendResult sendUtf8(AccountSession s, ResolvedAccount account, OutgoingMessage message) {
        Consumer<String> debug = account.account().debug() ? line -> settings.protocolLog().line(account.id(), line) : null;
        TrackingSmtpTransport t = null;
        try {
            t = s.connect(s.newSession(debug, true, true), true);
            if (!t.supportsExtension("SMTPUTF8")) {
                throw new MailException(MailErrorCode.SMTPUTF8_NOT_SUPPORTED, account.smtpHost().orElse("?") + ":" + account.smtpPort()
                        + " does not offer SMTPUTF8, which the internationalized addresses of this message need; nothing was sent",
                        t.ehloReply(), null, List.of(), null);
            }
            checkServerSize(t, message);
            return transfer(t, message, account);
        } catch (MessagingException e) {
            throw Failures.toException(e, t, account);
        } finally {
            if (t != null) {
                AccountSession.closeQuietly(t);
            }
        }
    }

    private SendResult sendOnFresh(AccountPool pool, ResolvedAccount account, OutgoingMessage message) {
        AccountPool.Connection fresh = pool.borrow();
        try {
            return sendOn(pool, fresh, message); // a fresh connection never counts as stale
        } catch (MessagingException e) {
            throw Failures.toException(e, fresh.transport, account);
        }
    }

    private SendResult sendOn(AccountPool pool, AccountPool.Connection c, OutgoingMessage message) throws MessagingException {
        boolean reusable = false;
        try {
            checkServerSize(c.transport, message);
            SendResult result = transfer(c.transport, message, pool.settings().account());
            reusable = true;
            return result;
        } catch (TrackingSmtpTransport.ExtensionMisbehaved e) {
            pool.usePlainSequence();
            LOG.warn("{}:{} (account {}): {}; this account's connections now send with the plain sequence",
                    pool.settings().account().smtpHost().orElse("?"), pool.settings().account().smtpPort(),
                    pool.settings().account().id().value(), e.getMessage());
            if (e.safeToRetry()) {
                throw new PlainRetry(e);
            }
            throw e;
        } catch (MessagingException e) {
            if (c.messages > 0 && c.transport.phase() == TrackingSmtpTransport.Phase.MAIL && staleSymptom(e)) {
                throw new StaleConnection(e);
            }
            throw e;
        } finally {
            pool.release(c, reusable);
        }
    }

    /**
     * MAIL FROM, RCPT TO, DATA. A message that allows partial delivery goes to the recipients the server
     * accepts; the refused ones come back in the result (4xx temporary, 5xx permanent) instead of failing
     * a message the server has taken for the others. A direct send goes to all recipients or none; when the
     * server takes only so many recipients per message ({@code 452 4.5.3}), the rest go in further
     * transactions on the same connection, each recipient once.
     */
    private static SendResult transfer(TrackingSmtpTransport t, OutgoingMessage message, ResolvedAccount account) throws MessagingException {
        if (message.partialDelivery()) {
            Transaction once = transaction(t, message, message.recipients());
            return SendResult.builder(once.reply()).accepted(once.accepted()).refused(once.refused()).build();
        }
        List<EmailAddress> delivered = new ArrayList<>();
        List<String> replies = new ArrayList<>();
        List<EmailAddress> remaining = message.recipients();
        while (true) {
            Transaction tx;
            try {
                tx = transaction(t, message, remaining);
            } catch (MessagingException | RuntimeException e) {
                if (delivered.isEmpty()) {
                    throw e;
                }
                throw partiallyDelivered(e, t, account, delivered, remaining, replies.size());
            }
            delivered.addAll(tx.accepted());
            replies.add(tx.reply());
            if (tx.deferred().isEmpty()) {
                return SendResult.builder(String.join("\n", replies)).accepted(message.recipients()).build();
            }
            remaining = tx.deferred();
        }
    }

    /** What one SMTP transaction delivered: the reply to ".", who got it, who was refused, who waits for the next one. */
    private record Transaction(String reply, List<EmailAddress> accepted, List<SendResult.RefusedRecipient> refused,
                               List<EmailAddress> deferred) {
    }

    private static Transaction transaction(TrackingSmtpTransport t, OutgoingMessage message, List<EmailAddress> recipients)
            throws MessagingException {
        t.beginMessage(message.partialDelivery(), message.size());
        t.envelopeFrom(message.envelopeFrom().address()); // the rendered envelope (IDNA applied), also for stored messages
        try {
            if (t.wired() && !message.smtpUtf8()) {
                t.sendWire(message, addresses(recipients)); // ADR 020: bulk writes, PIPELINING and CHUNKING where offered
            } else {
                t.sendMessage(new RawMessage(message), addresses(recipients));
            }
        } catch (SMTPSendFailedException e) {
            if (t.phase() != TrackingSmtpTransport.Phase.DONE || e.getValidSentAddresses() == null
                    || e.getValidSentAddresses().length == 0) {
                throw e;
            }
            Map<String, EmailAddress> byAddress = new java.util.HashMap<>();
            recipients.forEach(r -> byAddress.put(r.address(), r));
            List<EmailAddress> accepted = new ArrayList<>();
            for (Address a : e.getValidSentAddresses()) {
                accepted.add(original(byAddress, a));
            }
            String reply = replyToDot(t);
            if (!message.partialDelivery()) {
                List<EmailAddress> deferred = t.deferredForLimit().stream().map(a -> original(byAddress, a)).toList();
                return new Transaction(reply, accepted, List.of(), deferred);
            }
            List<SendResult.RefusedRecipient> refused = new ArrayList<>();
            for (Exception next = e.getNextException(); next != null;
                 next = next instanceof MessagingException m ? m.getNextException() : null) {
                if (next instanceof SMTPAddressFailedException f) {
                    refused.add(new SendResult.RefusedRecipient(original(byAddress, f.getAddress()),
                            f.getMessage() == null ? String.valueOf(f.getReturnCode()) : f.getMessage().strip(),
                            f.getReturnCode() >= 400 && f.getReturnCode() < 500));
                }
            }
            return new Transaction(reply, accepted, refused, List.of());
        }
        return new Transaction(replyToDot(t), recipients, List.of(), List.of());
    }

    private static String replyToDot(TrackingSmtpTransport t) {
        String reply = t.endOfDataReply() != null ? t.endOfDataReply() : t.getLastServerResponse();
        return reply == null ? "250" : reply.strip();
    }

    private static EmailAddress original(Map<String, EmailAddress> byAddress, Address a) {
        String address = ((InternetAddress) a).getAddress();
        EmailAddress known = byAddress.get(address);
        return known != null ? known : EmailAddress.of(address);
    }

    /** A later transaction of a split direct send failed: say who got the message and who did not. */
    private static MailException partiallyDelivered(Exception e, TrackingSmtpTransport t, ResolvedAccount account,
                                                    List<EmailAddress> delivered, List<EmailAddress> remaining, int transactions) {
        MailException cause = e instanceof MailException me ? me : Failures.toException(e, t, account);
        String names = String.join(", ", remaining.stream().map(EmailAddress::address).toList());
        String notTo = cause.code() == MailErrorCode.DELIVERY_UNCERTAIN ? "perhaps also to " + names + " (the connection broke after the message was handed over)"
                : "not to " + names;
        return new MailException(MailErrorCode.PARTIALLY_DELIVERED, "the server takes only so many recipients per message, so the message"
                + " went out in several transactions: it was delivered to " + String.join(", ", delivered.stream().map(EmailAddress::address).toList())
                + " (in " + transactions + " transaction" + (transactions == 1 ? "" : "s") + "), " + notTo + ": " + cause.code() + ": "
                + cause.getMessage(), cause.serverReply().orElse(null), null, List.of(), cause);
    }

    /** Refuses, before MAIL FROM, a message larger than the SIZE the server advertised in EHLO. */
    private static void checkServerSize(TrackingSmtpTransport t, OutgoingMessage message) {
        String size = t.getExtensionParameter("SIZE");
        if (size == null || size.isBlank() || message.size() < 0) {
            return;
        }
        try {
            long limit = Long.parseLong(size.strip());
            if (limit > 0 && message.size() > limit) {
                throw new MailException(MailErrorCode.MESSAGE_TOO_LARGE, "the message is about " + message.size()
                        + " bytes; the server accepts at most " + limit + " (SIZE); nothing was sent", t.sizeLine(), null, List.of(), null);
            }
        } catch (NumberFormatException ignored) {
            // a malformed SIZE parameter: let the server decide
        }
    }

    /** No reply at all (the socket broke), or 421: the server closed the session while it was idle. */
    private static boolean staleSymptom(MessagingException e) {
        if (e instanceof SMTPSendFailedException s) {
            return s.getReturnCode() == 421 || s.getReturnCode() <= 0;
        }
        return Failures.causeOf(e, java.io.IOException.class) != null;
    }

    /** A server misbehaved with an extension before anything could be delivered: retry with the plain sequence. */
    private static final class PlainRetry extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PlainRetry(MessagingException cause) {
            super(cause.getMessage(), null, false, false);
        }
    }

    /** A reused connection turned out dead before the message was handed over. */
    private static final class StaleConnection extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient MessagingException cause;

        StaleConnection(MessagingException cause) {
            super(cause.getMessage(), null, false, false);
            this.cause = cause;
        }
    }

    private AccountPool poolFor(ResolvedAccount account) {
        AccountPool existing = pools.get(account.id());
        if (existing != null && existing.settings().account() == account) {
            return existing; // the same resolved instance (the resolution cache hands it out): settings unchanged
        }
        AccountSession s = new AccountSession(account, settings, scheduler);
        return pools.compute(account.id(), (id, old) -> {
            if (old != null && old.settings().fingerprint().equals(s.fingerprint())) {
                return old;
            }
            if (old != null) {
                old.close();
            }
            Consumer<String> debug = account.account().debug() ? line -> settings.protocolLog().line(account.id(), line) : null;
            return new AccountPool(s, () -> s.newSession(debug, true), settings.poolLimits().maxConnectionsPerAccount(),
                    settings.poolLimits().idleTimeout(), settings.poolLimits().waitTimeout());
        });
    }

    /** The envelope recipients as Angus wants them; already validated, so not parsed again (which would refuse UTF-8). */
    private static Address[] addresses(List<EmailAddress> recipients) {
        Address[] out = new Address[recipients.size()];
        for (int i = 0; i < out.length; i++) {
            InternetAddress a = new InternetAddress();
            a.setAddress(recipients.get(i).address());
            out[i] = a;
        }
        return out;
    }

    @Override
    public void evict(AccountId account) {
        AccountPool p = pools.remove(account);
        if (p != null) {
            p.close();
        }
    }

    /** Idle connections of an account, for tests and monitoring. */
    public int idleConnections(AccountId account) {
        AccountPool p = pools.get(account);
        return p == null ? 0 : p.idleCount();
    }

    @Override
    public void close() {
        closed = true;
        pools.values().forEach(AccountPool::close);
        pools.clear();
        scheduler.shutdownNow();
    }

    // ------------------------------------------------------------------ diagnostics

    @Override
    public Diagnosis diagnose(ResolvedAccount account) {
        Diagnostic d = new Diagnostic(account);
        d.run();
        return d.result();
    }

    /** The stages of an SMTP connection test, in the order they run. */
    private static final List<Stage> STAGES = List.of(Stage.SETTINGS, Stage.DNS, Stage.TCP, Stage.GREETING, Stage.CAPABILITIES,
            Stage.TLS, Stage.AUTH, Stage.SENDER);

    private final class Diagnostic {
        private final ResolvedAccount account;
        private final String host;
        private final int port;
        private final List<DiagnosisStep> steps = new ArrayList<>();
        private final List<String> transcript = Collections.synchronizedList(new ArrayList<>());
        private List<String> capabilities = List.of();
        private boolean failed;

        Diagnostic(ResolvedAccount account) {
            this.account = account;
            this.host = account.smtpHost().orElse("?");
            this.port = account.smtpPort();
        }

        void run() {
            AccountSession s;
            try {
                s = new AccountSession(account, settings, scheduler);
            } catch (MailException e) {
                fail(Stage.SETTINGS, e.getMessage(), null, e.code(), e.hint(), 0);
                return;
            }
            Security security = account.account().localRelay() ? Security.NONE : account.smtpSecurity();
            pass(Stage.SETTINGS, host + ":" + port + ", " + security + ", " + (s.login() ? "login as "
                    + account.authentication().flatMap(a -> a.username()).orElse("?") : "no login"), 0);

            long t0 = System.nanoTime();
            try {
                InetAddress[] addresses = InetAddress.getAllByName(host);
                pass(Stage.DNS, host + " resolves to " + Arrays.stream(addresses).map(InetAddress::getHostAddress).toList(), t0);
            } catch (UnknownHostException e) {
                fail(Stage.DNS, "the host name " + host + " does not resolve", null, MailErrorCode.UNKNOWN_HOST, null, t0);
                return;
            }

            t0 = System.nanoTime();
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, port), (int) settings.connectTimeout().toMillis());
                pass(Stage.TCP, "connected to " + socket.getRemoteSocketAddress(), t0);
            } catch (IOException e) {
                Failures.Classified c = Failures.classify(e, TrackingSmtpTransport.Phase.CONNECT, account);
                MailErrorCode code = c.code() == MailErrorCode.CONNECTION_LOST ? MailErrorCode.CONNECTION_REFUSED : c.code();
                fail(Stage.TCP, "cannot connect to " + host + ":" + port + ": " + Failures.rootMessage(e), null, code,
                        c.hint() != null ? c.hint() : code.hint(), t0);
                return;
            }

            // Greeting, EHLO and TLS, without login.
            Consumer<String> sink = line -> {
                if (!line.startsWith("DEBUG")) {
                    transcript.add(line);
                }
            };
            TrackingSmtpTransport probe = new TrackingSmtpTransport(s.newSession(sink, false));
            t0 = System.nanoTime();
            try {
                s.connect(probe, false);
            } catch (MessagingException | RuntimeException e) {
                Failures.Classified c = connectFailure(e);
                Stage stage = stageOf(c.code());
                // What the server said before the failure (greeting, EHLO) still shows: e.g. that STARTTLS is not offered.
                if (!stage.equals(Stage.GREETING)) {
                    passGreetingAndCapabilities(probe, security, t0);
                }
                fail(stage, c.message(), c.reply(), c.code(), c.hint() != null ? c.hint() : c.code().hint(), t0);
                return;
            }
            try {
                passGreetingAndCapabilities(probe, security, t0);
                String ehlo = probe.ehloReply();
                switch (security) {
                    case TLS -> pass(Stage.TLS, "implicit TLS, certificate valid for " + host, t0);
                    case STARTTLS -> pass(Stage.TLS, "STARTTLS, certificate valid for " + host, t0);
                    default -> steps.add(new DiagnosisStep(Stage.TLS, Outcome.SKIPPED, "no encryption chosen: the connection is plain text"
                            + (probe.supportsExtension("STARTTLS") ? " although the server offers STARTTLS (choose STARTTLS)" : ""),
                            null, null, null, Duration.ZERO));
                }
                if (s.login()) {
                    String offered = probe.getExtensionParameter("AUTH");
                    if (offered == null) {
                        fail(Stage.AUTH, "the server offers no login here (no AUTH in its EHLO reply)", ehlo, MailErrorCode.AUTH_NOT_OFFERED, null, t0);
                        return;
                    }
                    List<String> offeredList = Arrays.stream(offered.toUpperCase(Locale.ROOT).split("\\s+")).toList();
                    if (offeredList.stream().noneMatch(s.mechanisms()::contains)) {
                        Failures.Classified c = Failures.mechanismBlocked(offered, account);
                        fail(Stage.AUTH, c.message(), null, c.code(), c.code().hint(), t0);
                        return;
                    }
                }
            } finally {
                AccountSession.closeQuietly(probe);
            }

            // Login, then MAIL FROM with the account's sender.
            TrackingSmtpTransport t;
            t0 = System.nanoTime();
            transcript.add("--- second connection, with login ---");
            try {
                t = s.connect(s.newSession(sink, true), true);
            } catch (MessagingException | RuntimeException e) {
                Failures.Classified c = connectFailure(e);
                fail(stageOf(c.code()).equals(Stage.GREETING) ? Stage.AUTH : stageOf(c.code()), c.message(), c.reply(), c.code(),
                        c.hint() != null ? c.hint() : c.code().hint(), t0);
                return;
            }
            try {
                if (s.login()) {
                    String last = t.getLastServerResponse();
                    String authReply = last != null && last.startsWith("235") ? last.strip()
                            : transcript.stream().filter(l -> l.startsWith("235")).reduce((a, b) -> b).orElse(null);
                    pass(Stage.AUTH, "logged in as " + account.authentication().flatMap(a -> a.username()).orElse("?"), authReply, t0);
                } else {
                    steps.add(new DiagnosisStep(Stage.AUTH, Outcome.SKIPPED, "no login configured", null, null, null, Duration.ZERO));
                }
                t0 = System.nanoTime();
                String sender = account.sender().withAsciiDomain().address(); // IDNA, as in every send
                t.beginMessage();
                int code = t.simpleCommand("MAIL FROM:<" + sender + ">");
                String reply = t.getLastServerResponse().strip();
                if (code == 250) {
                    // Postfix refuses a sender the login may not use only at RCPT: probe with the account's own address.
                    String own = account.account().email().withAsciiDomain().address(); // IDNA, as the sender
                    int rcpt = t.simpleCommand("RCPT TO:<" + own + ">");
                    String rcptReply = t.getLastServerResponse().strip();
                    t.simpleCommand("RSET");
                    Failures.Classified c = rcpt >= 200 && rcpt < 300 ? null : rcpt > 0
                            ? Failures.byReply(rcptReply, rcpt, TrackingSmtpTransport.Phase.RCPT, account)
                            : new Failures.Classified(MailErrorCode.CONNECTION_LOST, null, "the server closed the connection at RCPT TO", null);
                    if (c == null) {
                        pass(Stage.SENDER, "the server accepts " + sender + " as sender (probed with RCPT TO " + own + ", then RSET)", reply, t0);
                    } else if (c.code().category().isAccountProblem() || c.code() == MailErrorCode.CONNECTION_LOST) {
                        fail(Stage.SENDER, c.message() + " (" + sender + ", probed with RCPT TO " + own + ")", c.reply(), c.code(),
                                c.hint() != null ? c.hint() : c.code().hint(), t0);
                    } else { // the probe recipient itself was refused or deferred (greylisting): says nothing against the sender
                        pass(Stage.SENDER, "the server accepts " + sender + " as sender; the probe recipient " + own + " was refused: "
                                + rcptReply, reply, t0);
                    }
                } else {
                    Failures.Classified c = Failures.byReply(reply, code, TrackingSmtpTransport.Phase.MAIL, account);
                    fail(Stage.SENDER, c.message() + " (" + sender + ")", c.reply(), c.code(), c.hint() != null ? c.hint() : c.code().hint(), t0);
                }
            } catch (MessagingException e) {
                Failures.Classified c = Failures.classify(e, t, account);
                fail(Stage.SENDER, c.message(), c.reply(), c.code(), c.hint() != null ? c.hint() : c.code().hint(), t0);
            } finally {
                AccountSession.closeQuietly(t);
            }
        }

        /** GREETING and CAPABILITIES as far as the server got, with its replies verbatim. */
        private void passGreetingAndCapabilities(TrackingSmtpTransport probe, Security security, long t0) {
            String greeting = probe.greeting();
            if (greeting == null || !greeting.startsWith("220")) {
                return;
            }
            pass(Stage.GREETING, "the server greets" + (security == Security.TLS ? " over TLS" : ""), greeting, t0);
            String ehlo = probe.ehloReply();
            if (ehlo == null) {
                return;
            }
            capabilities = ehlo.lines().map(String::strip).toList();
            pass(Stage.CAPABILITIES, "EHLO: " + String.join(", ", capabilities.stream().skip(1).map(l -> l.substring(Math.min(4, l.length()))).toList()), ehlo, t0);
        }

        private Failures.Classified connectFailure(Exception e) {
            if (e instanceof MailException me) {
                return new Failures.Classified(me.code(), me.serverReply().orElse(null), me.getMessage(), me.hint());
            }
            return Failures.classify(e, TrackingSmtpTransport.Phase.CONNECT, account);
        }

        private Stage stageOf(MailErrorCode code) {
            return switch (code) {
                case UNKNOWN_HOST -> Stage.DNS;
                case CONNECTION_REFUSED -> Stage.TCP;
                case TLS_ON_PLAIN_PORT, CERTIFICATE_UNTRUSTED, CERTIFICATE_NAME_MISMATCH, TLS_FAILED, STARTTLS_NOT_OFFERED -> Stage.TLS;
                case CONNECTION_REJECTED, SERVER_BUSY -> Stage.GREETING;
                case AUTH_FAILED, AUTH_BASIC_DISABLED, APP_PASSWORD_REQUIRED, AUTH_MECHANISM_BLOCKED, AUTH_NOT_OFFERED, AUTH_TEMPORARY,
                     AUTH_METHOD_NOT_SUPPORTED -> Stage.AUTH;
                default -> Stage.GREETING;
            };
        }

        private void pass(Stage stage, String detail, long t0) {
            pass(stage, detail, null, t0);
        }

        private void pass(Stage stage, String detail, String reply, long t0) {
            steps.add(new DiagnosisStep(stage, Outcome.PASSED, detail, reply, null, null, since(t0)));
        }

        private void fail(Stage stage, String detail, String reply, MailErrorCode code, String hint, long t0) {
            failed = true;
            steps.add(new DiagnosisStep(stage, Outcome.FAILED, detail, reply, code, hint != null ? hint : code.hint(), since(t0)));
        }

        private Duration since(long t0) {
            return t0 == 0 ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - t0);
        }

        Diagnosis result() {
            List<DiagnosisStep> all = new ArrayList<>(steps);
            if (failed) {
                for (Stage s : STAGES) {
                    if (all.stream().noneMatch(x -> x.stage().equals(s))) {
                        all.add(new DiagnosisStep(s, Outcome.SKIPPED, "not run after the failure above", null, null, null, Duration.ZERO));
                    }
                }
            }
            List<String> redacted = List.copyOf(transcript);
            return new Diagnosis(account.account().email(), "smtp", all, capabilities, redacted);
        }
    }
}
