package dev.mailroom.testkit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The fakes' small JSON reader and writer. */
final class JsonTest {

    @Test
    @DisplayName("#12 fakes' JSON: what is written reads back the same (escapes, nesting, numbers, booleans, null)")
    void roundTrip() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("raw", "a\"b\\c\nd\u0001é");
        m.put("n", 3.5);
        m.put("ok", true);
        m.put("none", null);
        m.put("list", List.of("x", 1.0, Map.of("k", "v")));
        assertEquals(m, Json.parse(Json.write(m)));
        assertEquals(Map.of("error", Map.of("code", 401.0)), Json.object(" { \"error\" : { \"code\" : 401 } } "));
    }

    @Test
    @DisplayName("#12 fakes' JSON: malformed text is refused")
    void malformed() {
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\":}"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\":1} x"));
        assertThrows(IllegalArgumentException.class, () -> Json.object("[1]"));
    }
}
