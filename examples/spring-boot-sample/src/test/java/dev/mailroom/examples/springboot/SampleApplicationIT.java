package dev.mailroom.examples.springboot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailroom.testkit.ReceivedMail;
import dev.mailroom.testkit.ScriptedSmtpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Every admin endpoint of the sample against a scripted SMTP server, over HTTP on a random port. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "mailroom.secret-keys.sample=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", // a test key: 32 zero bytes
        "mailroom.outbox.poll-interval=50ms"})
class SampleApplicationIT {
    /** The test mail and the first queued mail are taken; every later message is refused after DATA. */
    private static final ScriptedSmtpServer SMTP = ScriptedSmtpServer.builder()
            .reply(ScriptedSmtpServer.Command.END_OF_DATA, "250 2.0.0 Ok: queued as 1", "250 2.0.0 Ok: queued as 2",
                    "554 5.7.1 Message rejected as spam")
            .build().start();
    private static final String PASSWORD = "S3cret-Zq81-never-returned";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();

    @LocalServerPort
    private int port;
    @Autowired
    private JdbcTemplate jdbc;

    @AfterAll
    static void stopServer() {
        SMTP.close();
    }

    private HttpResponse<String> call(String method, String path, Object body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private Map<String, Object> account(String id, boolean system) {
        return Map.of("id", id, "description", "Support " + id, "email", id + "@acme.test", "smtpHost", "127.0.0.1", "smtpPort", SMTP.port(),
                "security", "NONE", "username", id + "@acme.test", "password", PASSWORD, "systemAccount", system);
    }

    /** A 400 with the code and the named field, and nothing of the password. */
    private void assertBadRequest(HttpResponse<String> response, String field) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        JsonNode body = json.readTree(response.body());
        assertThat(body.get("code").asText()).isNotBlank();
        assertThat(body.get("fields").findValuesAsText("field")).as(response.body()).contains(field);
        assertThat(response.body()).doesNotContain(PASSWORD);
    }

    @Test
    @DisplayName("#15 sample: create and list accounts (password write-only), test an unsaved draft with a test mail (nothing stored), queue mail, read the 24 h errors")
    void everyEndpoint() throws Exception {
        HttpResponse<String> created = call("POST", "/admin/accounts", account("sys", true));
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(created.body()).contains("\"passwordSet\":true").doesNotContain(PASSWORD);
        assertThat(jdbc.queryForList("SELECT * FROM mailroom_account").toString()).as("sealed at rest").doesNotContain(PASSWORD);

        HttpResponse<String> list = call("GET", "/admin/accounts", null);
        assertThat(list.statusCode()).isEqualTo(200);
        JsonNode accounts = json.readTree(list.body());
        assertThat(accounts).hasSize(1);
        assertThat(accounts.get(0).get("id").asText()).isEqualTo("sys");
        assertThat(list.body()).doesNotContain(PASSWORD).doesNotContain("password\"");

        HttpResponse<String> bad = call("POST", "/admin/accounts", Map.of("id", "x", "description", "x", "email", "not an address"));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json.readTree(bad.body()).get("code").asText()).isNotBlank();
        assertThat(json.readTree(bad.body()).get("fields").findValuesAsText("field")).as(bad.body()).isNotEmpty();

        assertBadRequest(call("POST", "/admin/accounts", Map.of("id", "u", "description", "u", "email", "u@acme.test", "smtpHost", "127.0.0.1",
                "smtpPort", SMTP.port(), "security", "NONE", "username", "u@acme.test")), "password");
        assertBadRequest(call("POST", "/admin/accounts", Map.of("id", "p", "description", "p", "email", "p@acme.test", "smtpHost", "127.0.0.1",
                "smtpPort", SMTP.port(), "security", "NONE", "password", PASSWORD)), "username");
        assertBadRequest(call("POST", "/admin/accounts", Map.of("id", " ", "description", "b", "email", "b@acme.test", "smtpHost", "127.0.0.1",
                "smtpPort", SMTP.port(), "security", "NONE")), "id");
        assertBadRequest(call("POST", "/admin/accounts/test", Map.of()), "account");
        assertBadRequest(call("POST", "/admin/mails", Map.of("subject", "no recipient", "text", "x")), "to");

        HttpResponse<String> tested = call("POST", "/admin/accounts/test", Map.of("account", account("draft", false),
                "testMailTo", "admin@example.test"));
        assertThat(tested.statusCode()).isEqualTo(200);
        JsonNode result = json.readTree(tested.body());
        assertThat(result.get("ok").asBoolean()).as(tested.body()).isTrue();
        assertThat(result.get("steps").size()).isPositive();
        String testMail = result.get("testMailMessageId").asText();
        assertThat(SMTP.received().await(1, Duration.ofSeconds(20)).get(0).header("Message-ID")).isEqualTo(testMail);
        assertThat(json.readTree(call("GET", "/admin/accounts", null).body())).as("the draft is not stored").hasSize(1);

        HttpResponse<String> queued = call("POST", "/admin/mails", Map.of("to", "kunde@example.test", "subject", "Rechnung 1",
                "text", "Guten Tag", "idempotencyKey", "invoice-1"));
        assertThat(queued.statusCode()).isEqualTo(202);
        String messageId = json.readTree(queued.body()).get("messageId").asText();
        List<ReceivedMail> received = SMTP.received().await(2, Duration.ofSeconds(20));
        assertThat(received.get(1).header("Message-ID")).isEqualTo(messageId);
        assertThat(json.readTree(call("POST", "/admin/mails", Map.of("to", "kunde@example.test", "subject", "Rechnung 1",
                "text", "Guten Tag", "idempotencyKey", "invoice-1")).body()).get("existing").asBoolean()).as("the same key: queued once").isTrue();

        assertThat(json.readTree(call("GET", "/admin/errors", null).body())).as("no errors yet").isEmpty();
        assertThat(call("POST", "/admin/mails", Map.of("to", "kunde@example.test", "subject", "Spam?", "text", "x")).statusCode()).isEqualTo(202);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JsonNode errors = json.readTree(call("GET", "/admin/errors", null).body());
        while (errors.isEmpty()) {
            assertThat(System.nanoTime()).as("the refusal in the error log within 20 s").isLessThan(deadline);
            Thread.sleep(20); // polling the log over HTTP: the application signals nothing the test could wait on
            errors = json.readTree(call("GET", "/admin/errors", null).body());
        }
        assertThat(errors.get(0).get("account").asText()).isEqualTo("sys");
        assertThat(errors.get(0).get("serverReply").asText()).contains("554 5.7.1");
    }
}
