package dev.mailroom.jdbc;

import dev.mailroom.testkit.ReceivedMail;
import dev.mailroom.testkit.ScriptedSmtpServer;
import jakarta.mail.BodyPart;
import jakarta.mail.internet.MimeMultipart;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue #10.8: a message with a 25 MB attachment goes through {@code enqueue}, the JDBC outbox and a
 * worker in a JVM with a small heap, with a bounded live heap ({@link LargeMessageMain} measures it).
 * Before streaming, 25 MB ran out of memory at {@code -Xmx128m} on both databases.
 */
abstract class LargeMessageContract {
    static final int MEGABYTES = 25;
    /** The target of issue #10 for a 50 MB attachment. */
    static final long MAX_GROWTH = 10L << 20;

    @TempDir
    Path dir;

    /** @return the database arguments of {@link LargeMessageMain} */
    abstract List<String> databaseArguments(Path dir);

    /** @return the child's heap option */
    abstract String heap();

    /** @return the largest live heap growth allowed, bytes */
    abstract long maxGrowth();

    @Test
    @DisplayName("#10.8: enqueue and deliver a 25 MB attachment in a small heap (out of memory at -Xmx128m before): sent intact, live heap bounded")
    void largeAttachment_enqueuedAndDeliveredInBoundedHeap() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.builder().build().start()) {
            Path attachment = dir.resolve("attachment.bin");
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    heap(), "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"), LargeMessageMain.class.getName()));
            command.addAll(databaseArguments(dir));
            command.addAll(List.of(String.valueOf(server.port()), String.valueOf(MEGABYTES), attachment.toString()));
            File log = new File("target/large-message-" + getClass().getSimpleName() + ".log");
            Files.writeString(Path.of("target/large-message-" + getClass().getSimpleName() + ".cmd"), String.join(" ", command));
            Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
            boolean ended = child.waitFor(4, TimeUnit.MINUTES);
            if (!ended) {
                child.destroyForcibly();
            }
            String output = Files.readString(log.toPath());
            assertThat(ended).as("the child ended within 4 minutes:\n%s", tail(output)).isTrue();
            assertThat(child.exitValue()).as("exit code (3: out of memory, 2: not sent):\n%s", tail(output)).isZero();
            long growth = output.lines().filter(l -> l.startsWith("GROWTH ")).mapToLong(l -> Long.parseLong(l.substring(7))).findFirst()
                    .orElseThrow();
            assertThat(growth).as("live heap growth while enqueuing and delivering, bytes").isLessThanOrEqualTo(maxGrowth());

            List<ReceivedMail> received = server.received().await(2, Duration.ofSeconds(10));
            ReceivedMail large = received.stream().filter(m -> "large".equals(m.subject())).findFirst().orElseThrow();
            MimeMultipart mixed = (MimeMultipart) large.message().getContent();
            BodyPart part = mixed.getBodyPart(mixed.getCount() - 1);
            assertThat(digest(part.getInputStream())).as("the attachment arrived intact").isEqualTo(digest(Files.newInputStream(attachment)));
        }
    }

    private static byte[] digest(InputStream in) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (DigestInputStream d = new DigestInputStream(in, sha)) {
            d.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return sha.digest();
    }

    private static String tail(String output) {
        return output.length() <= 4000 ? output : output.substring(output.length() - 4000);
    }
}
