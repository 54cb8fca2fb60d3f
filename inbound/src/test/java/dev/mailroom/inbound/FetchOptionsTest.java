package dev.mailroom.inbound;

import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

final class FetchOptionsTest {
    private static void refused(String field, Executable setting) {
        MailException e = assertThrows(MailException.class, setting);
        assertEquals(MailErrorCode.INVALID_ACCOUNT, e.code());
        assertTrue(e.getMessage().contains(field), e.getMessage());
    }

    @Test
    @DisplayName("F4, F10: fetch options from an admin form are refused with a typed error naming the field and an example")
    void badInput_typedErrorNamingTheField() {
        refused("mailboxAddress", () -> FetchOptions.builder().mailboxAddress("support at example"));
        refused("folder", () -> FetchOptions.builder().folder(" "));
        refused("maxMessageSize", () -> FetchOptions.builder().maxMessageSize(10));
        refused("maxPartSize", () -> FetchOptions.builder().maxPartSize(10));
    }
}
