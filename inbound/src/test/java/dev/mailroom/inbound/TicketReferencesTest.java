package dev.mailroom.inbound;

import dev.mailroom.Email;
import dev.mailroom.MailErrorCode;
import dev.mailroom.MailException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** F5: signed ticket references in Message-IDs. */
final class TicketReferencesTest {
    static byte[] key(char c) {
        byte[] k = new byte[32];
        Arrays.fill(k, (byte) c);
        return k;
    }

    private final TicketReferences refs = TicketReferences.builder("tickets.acme.test").key("k1", key('a')).build();

    @Test
    @DisplayName("F5: a minted Message-ID is unique, valid for Email, and verifies to its ticket")
    void mintAndVerify() {
        String a = refs.mint("4711");
        String b = refs.mint("4711");
        assertThat(a).isNotEqualTo(b).startsWith("<mr.4711.k1.").endsWith("@tickets.acme.test>");
        assertThat(refs.ticketOf(a)).hasValue("4711");
        assertThat(refs.ticketOf(a.substring(1, a.length() - 1))).hasValue("4711");
        assertThat(Email.builder().to("kunde@example.test").subject("x").text("y").messageId(a).build().messageId()).hasValue(a);
        String odd = refs.mint("TCK 12/ä");
        assertThat(refs.ticketOf(odd)).hasValue("TCK 12/ä");
        assertThat(Email.builder().to("kunde@example.test").subject("x").text("y").messageId(odd).build().messageId()).hasValue(odd);
    }

    @Test
    @DisplayName("F5: a forged reference is refused: another ticket, another key, a changed MAC, a foreign id")
    void forged() {
        String real = refs.mint("4711");
        assertThat(refs.ticketOf(real.replace("mr.4711.", "mr.4712."))).isEmpty();
        TicketReferences stranger = TicketReferences.builder("tickets.acme.test").key("k1", key('b')).build();
        assertThat(refs.ticketOf(stranger.mint("4711"))).isEmpty();
        String local = real.substring(0, real.indexOf('@'));
        String mac = local.substring(local.lastIndexOf('.') + 1);
        String flipped = (mac.charAt(0) == 'A' ? 'B' : 'A') + mac.substring(1);
        assertThat(refs.ticketOf(real.replace("." + mac + "@", "." + flipped + "@"))).isEmpty();
        assertThat(refs.ticketOf("<CAF=abc@mail.gmail.com>")).isEmpty();
        assertThat(refs.ticketOf("<mr.4711.k9.x.y@acme.test>")).isEmpty();
        assertThat(refs.ticketOf("no brackets and no at")).isEmpty();
    }

    @Test
    @DisplayName("F5: key rotation: ids of a previous key still verify; the first verified id of a thread wins")
    void rotation() {
        TicketReferences old = TicketReferences.builder("tickets.acme.test").key("k0", key('z')).build();
        String before = old.mint("4000");
        TicketReferences rotated = TicketReferences.builder("tickets.acme.test").key("k1", key('a')).previousKey("k0", key('z')).build();
        assertThat(rotated.ticketOf(before)).hasValue("4000");
        assertThat(rotated.mint("1")).contains(".k1.");
        assertThat(rotated.ticketOfThread(List.of("<x@y> " + before, refs.mint("4711")))).hasValue("4000");
        assertThat(refs.ticketOf(before)).isEmpty();
    }

    @Test
    @DisplayName("F5: bad keys and domains are typed errors naming the field; the key never shows")
    void badInput() {
        MailException shortKey = assertThrows(MailException.class, () -> TicketReferences.builder("acme.test").key("k1", new byte[8]));
        assertThat(shortKey.code()).isEqualTo(MailErrorCode.INVALID_ACCOUNT);
        assertThat(shortKey.getMessage()).contains("key").contains("32");
        assertThat(assertThrows(MailException.class, () -> TicketReferences.builder("acme.test").key("k.1", key('a'))).getMessage())
                .contains("keyId");
        assertThat(assertThrows(MailException.class, () -> TicketReferences.builder("acme test")).getMessage()).contains("domain");
        assertThat(assertThrows(MailException.class, () -> TicketReferences.builder("acme.test").build()).getMessage()).contains("key");
        assertThat(refs.toString()).doesNotContain(new String(key('a'), StandardCharsets.ISO_8859_1));
    }

    @Test
    @DisplayName("F5: ids with control characters (a NUL the database refuses) are dropped; a huge References keeps In-Reply-To and the newest 20")
    void hostileThreadHeaders() throws Exception {
        assertThat(TicketReferences.messageIds(List.of("<a\u0000b@x.test> <ok@x.test> <c\u0007@x.test>"))).containsExactly("<ok@x.test>");
        StringBuilder refs = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            refs.append("<r").append(i).append("@x.test> ");
        }
        FetchedMail mail = Parsing.parse(new dev.mailroom.spi.InboundKey(dev.mailroom.AccountId.of("a"), "INBOX", 1, "1"), "ck",
                ("From: a@x.test\r\nIn-Reply-To: <irt@x.test>\r\nReferences: " + refs + "\r\nSubject: s\r\n\r\nbody\r\n")
                        .getBytes(StandardCharsets.US_ASCII), 100, false);
        List<String> thread = Router.threadIds(mail);
        assertThat(thread).hasSize(21).startsWith("<irt@x.test>", "<r4999@x.test>");
    }
}
