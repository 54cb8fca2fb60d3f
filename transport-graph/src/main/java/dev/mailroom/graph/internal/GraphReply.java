package dev.mailroom.graph.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.net.http.HttpResponse;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * One answer of Graph: the status, the OData error's {@code code} and {@code message} (from
 * {@code {"error":{"code":…,"message":…}}}), and {@code Retry-After}.
 *
 * @param status the HTTP status
 * @param code the OData error code, or empty
 * @param message the OData error message, or empty
 * @param retryAfter the Retry-After header, or {@code null}
 * @param body the body as received (JSON), for successful lookups
 */
record GraphReply(int status, String code, String message, String retryAfter, String body) {

    static GraphReply of(HttpResponse<String> r) {
        String code = "";
        String message = "";
        String body = r.body() == null ? "" : r.body();
        if (r.statusCode() >= 400 && !body.isBlank()) {
            try {
                JsonElement root = JsonParser.parseString(body);
                if (root.isJsonObject() && root.getAsJsonObject().get("error") instanceof JsonObject e) {
                    code = text(e, "code");
                    message = text(e, "message");
                }
            } catch (JsonParseException | IllegalStateException ignored) {
                message = body.length() > 300 ? body.substring(0, 300) : body; // a gateway's HTML or text page
            }
        }
        return new GraphReply(r.statusCode(), code, message.strip(), r.headers().firstValue("Retry-After").orElse(null), body);
    }

    /** A string member of a JSON object, or empty. */
    static String text(JsonObject o, String member) {
        JsonElement e = o.get(member);
        return e != null && e.isJsonPrimitive() ? e.getAsString() : "";
    }

    boolean is(String... codes) {
        for (String c : codes) {
            if (c.equalsIgnoreCase(code)) {
                return true;
            }
        }
        return false;
    }

    /** The reply as shown to an administrator: status, OData code and message; never a token. */
    String text() {
        return status + (code.isEmpty() ? "" : " " + code) + (message.isEmpty() ? "" : ": " + message);
    }

    /** The wait Retry-After asks for, in seconds or as an HTTP date. */
    Optional<Duration> wait(Instant now) {
        if (retryAfter == null || retryAfter.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(retryAfter.strip()))));
        } catch (NumberFormatException e) {
            try {
                Duration d = Duration.between(now, ZonedDateTime.parse(retryAfter.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                return Optional.of(d.isNegative() ? Duration.ZERO : d);
            } catch (DateTimeException ignored) {
                return Optional.empty();
            }
        }
    }
}
