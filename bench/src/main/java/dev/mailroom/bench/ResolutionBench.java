package dev.mailroom.bench;

import dev.mailroom.Account;
import dev.mailroom.Authentication;
import dev.mailroom.MailContext;
import dev.mailroom.Resolution;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Secret;
import dev.mailroom.Security;
import dev.mailroom.core.AesGcmSecretCipher;
import dev.mailroom.core.Mailroom;
import dev.mailroom.jdbc.JdbcStore;
import org.h2.jdbcx.JdbcDataSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.UUID;

/**
 * Issue #4 (JMH): account resolution from Mailroom's cache against resolving from the JDBC store on every
 * call (the accounts read and filled from the defaults account), on embedded H2 with 50 accounts. Target:
 * cached ≤ 2 µs at the median and ≥ 100× faster than the uncached read. Run: {@code bench/run.sh resolution}.
 */
@State(Scope.Benchmark)
public class ResolutionBench {
    private JdbcStore store;
    private Mailroom mailroom;
    private final MailContext context = MailContext.tenant("t-7").withUser("u-3");

    @Setup(Level.Trial)
    public void setUp() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:resolution-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        store = JdbcStore.builder(ds).cipher(AesGcmSecretCipher.builder().key("bench", new byte[32]).build()).build();
        store.accounts().save(Account.builder().id("defaults").description("Defaults").email("it@bench.test").defaultsAccount(true)
                .smtp("smtp.bench.test", 587, Security.STARTTLS).build());
        store.accounts().save(Account.builder().id("system").description("System").email("noreply@bench.test").systemAccount(true)
                .authentication(Authentication.password("noreply@bench.test", Secret.of("pw"))).build());
        for (int t = 0; t < 16; t++) {
            store.accounts().save(Account.builder().id("tenant-" + t).description("Tenant " + t).email("mail@t" + t + ".bench.test")
                    .tenant("t-" + t).systemAccount(true).authentication(Authentication.password("mail@t" + t + ".bench.test", Secret.of("pw"))).build());
            store.accounts().save(Account.builder().id("user-" + t).description("User " + t).email("u3@t" + t + ".bench.test")
                    .tenant("t-" + t).user("u-" + t).authentication(Authentication.password("u3@t" + t + ".bench.test", Secret.of("pw"))).build());
        }
        mailroom = Mailroom.builder().accountRepository(store.accounts()).outboxWorkers(0).build();
        mailroom.resolve(context);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        mailroom.close();
        store.close();
    }

    /** What a call to {@code send} or {@code resolve} costs for choosing the account, from the cache. */
    @Benchmark
    public Resolution cached() {
        return mailroom.resolve(context);
    }

    /** The same answer read from the database each time: the accounts, the defaults account, the merge. */
    @Benchmark
    public ResolvedAccount uncachedJdbc() {
        var all = store.accounts().findAll();
        Account defaults = all.stream().filter(Account::defaultsAccount).findFirst().orElse(null);
        Account tenant = all.stream().filter(a -> a.systemAccount() && "t-7".equals(a.tenant().orElse(null))).findFirst().orElseThrow();
        return ResolvedAccount.of(tenant, defaults, Security.STARTTLS);
    }
}
