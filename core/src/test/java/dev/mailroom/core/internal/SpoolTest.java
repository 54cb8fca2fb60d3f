package dev.mailroom.core.internal;

import dev.mailroom.Attachment;
import dev.mailroom.Email;
import dev.mailroom.EmailAddress;
import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Properties;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Issue #10.8: rendered messages spooled to memory or a temporary file, and sent from there byte for byte. */
final class SpoolTest {
    private final Session session = Session.getInstance(new Properties());

    private static byte[] random(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return b;
    }

    private static Path fileOf(Spool spool) {
        Path file = spool.file();
        assertThat(file).exists();
        return file;
    }

    @Test
    @DisplayName("#10.8: up to the threshold in memory; beyond it in an owner-only temporary file that close() deletes; open() reads it again")
    void memoryThenFile() throws Exception {
        try (Spool small = new Spool(1024, Long.MAX_VALUE)) {
            try (OutputStream out = small.output()) {
                out.write(random(1000));
            }
            assertThat(small.onDisk()).isFalse();
            assertThat(small.readAllBytes()).isEqualTo(random(1000));
        }
        byte[] bytes = random(1_234_567);
        Spool large = new Spool(1024, Long.MAX_VALUE);
        try (OutputStream out = large.output()) {
            out.write(bytes, 0, 100);
            out.write(bytes, 100, bytes.length - 100);
        }
        assertThat(large.onDisk()).isTrue();
        assertThat(large.size()).isEqualTo(bytes.length);
        Path file = fileOf(large);
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        }
        for (int i = 0; i < 2; i++) {
            try (InputStream in = large.open()) {
                assertThat(in.readAllBytes()).isEqualTo(bytes);
            }
        }
        large.close();
        assertThat(file).doesNotExist();
        assertThatThrownBy(large::open).isInstanceOf(IOException.class);
    }

    @Test
    @DisplayName("#10.8: writing past the limit fails at once and marks the spool exceeded; close() leaves no file")
    void limit() throws Exception {
        Spool spool = new Spool(16, 1000);
        OutputStream out = spool.output();
        out.write(random(600));
        assertThatThrownBy(() -> out.write(random(600))).isInstanceOf(Spool.TooLargeException.class);
        assertThat(spool.exceeded()).isTrue();
        assertThat(spool.size()).isEqualTo(600);
        Path file = fileOf(spool);
        spool.close();
        assertThat(file).doesNotExist();
    }

    @Test
    @DisplayName("#10.8: a message sent from a spool file is written byte for byte (twice: SMTP and the Sent copy), and close() deletes the file")
    void messageFromFile_sameBytes() throws Exception {
        MessageRenderer renderer = new MessageRenderer(Clock.systemUTC());
        Email email = Email.builder().to("kunde@example.test").subject("Angebot 4711").text("Guten Tag,\r\nanbei das Angebot.\r\n")
                .attach(Attachment.of("angebot.bin", "application/octet-stream", random(700_000))).build();
        ByteArrayOutputStream rendered = new ByteArrayOutputStream();
        renderer.render(email, new Composer.Composition(EmailAddress.of("buero@acme.test"), List.of(), email.text().orElse(null), null, null,
                List.of()), EmailAddress.of("buero@acme.test"), false).mime().writeTo(rendered);
        byte[] stored = rendered.toByteArray();
        Spool spool = Spool.copyOf(new ByteArrayInputStream(stored), Spool.MEMORY_THRESHOLD);
        assertThat(spool.onDisk()).isTrue();
        Path file = fileOf(spool);
        for (int i = 0; i < 2; i++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            spool.writeTo(out);
            assertThat(out.toByteArray()).isEqualTo(stored);
        }
        spool.close();
        assertThat(file).doesNotExist();
        assertThatThrownBy(() -> spool.writeTo(OutputStream.nullOutputStream())).as("the bytes are gone with the spool").isInstanceOf(java.io.IOException.class);
    }
}
