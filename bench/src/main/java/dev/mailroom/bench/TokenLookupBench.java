package dev.mailroom.bench;

import dev.mailroom.Account;
import dev.mailroom.AccountId;
import dev.mailroom.Authentication;
import dev.mailroom.MailContext;
import dev.mailroom.OAuthClient;
import dev.mailroom.OAuthClientId;
import dev.mailroom.ResolvedAccount;
import dev.mailroom.Secret;
import dev.mailroom.Security;
import dev.mailroom.core.InMemoryAccountRepository;
import dev.mailroom.core.Mailroom;
import dev.mailroom.spi.AccessToken;
import dev.mailroom.spi.AccessTokens;
import dev.mailroom.testkit.FakeGoogleAuthServer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.net.URI;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Issue #12 (JMH): what a transport pays for a cached OAuth access token — Mailroom's token source, as every
 * transport gets it from its context, for a connected Google account whose token is valid for an hour — next
 * to a bare {@link ConcurrentHashMap} lookup as the floor. Run: {@code bench/run.sh tokens}.
 */
@State(Scope.Benchmark)
public class TokenLookupBench {
    private FakeGoogleAuthServer google;
    private Mailroom mailroom;
    private AccessTokens tokens;
    private ResolvedAccount account;
    private final ConcurrentHashMap<AccountId, AccessToken> floor = new ConcurrentHashMap<>();

    @Setup(Level.Trial)
    public void setUp() {
        google = FakeGoogleAuthServer.start().client("bench-client", "bench-secret");
        InMemoryAccountRepository repo = new InMemoryAccountRepository();
        OAuthClientId client = OAuthClientId.of("bench");
        repo.save(Account.builder().id("gmail").description("Gmail").email("app@bench.test").systemAccount(true)
                .smtp("127.0.0.1", 2525, Security.NONE).authentication(Authentication.oauth2("app@bench.test", client)).build());
        ContextProbe probe = new ContextProbe();
        mailroom = Mailroom.builder().accountRepository(repo).outboxWorkers(0).transport(probe).build();
        GmailThroughputBench.connect(mailroom, google, client, "gmail", "app@bench.test", List.of("https://mail.google.com/"));
        tokens = probe.context.accessTokens(); // exactly what every transport gets
        account = mailroom.resolve(MailContext.system()).account();
        AccessToken first = tokens.token(account);
        floor.put(AccountId.of("gmail"), first);
        if (google.refreshes() != 0 || !first.equals(tokens.token(account))) {
            throw new IllegalStateException("the token is not served from the cache");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (google.tokenCalls() != 1) {
            throw new IllegalStateException("expected one token call (the consent), saw " + google.tokenCalls());
        }
        mailroom.close();
        google.close();
    }

    /** Mailroom's token source: a valid cached token, as a transport asks for it before each login or request. */
    @Benchmark
    public AccessToken cachedToken() {
        return tokens.token(account);
    }

    /** The floor: one concurrent map lookup. */
    @Benchmark
    public AccessToken mapLookup() {
        return floor.get(AccountId.of("gmail"));
    }

    static URI callback() {
        return URI.create("https://erp.bench.example/oauth/callback");
    }

    static OAuthClient client(OAuthClientId id, FakeGoogleAuthServer google, List<String> scopes) {
        return OAuthClient.builder(id, "google").clientId("bench-client").clientSecret(Secret.of("bench-secret"))
                .redirectUri(callback()).scopes(scopes).endpoints(google.authorizationEndpoint(), google.tokenEndpoint()).build();
    }
}
