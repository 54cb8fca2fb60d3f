package dev.mailroom.smtp.internal;

import org.eclipse.angus.mail.smtp.SMTPOutputStream;
import org.eclipse.angus.mail.util.CRLFOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Issue #16: the bulk content path writes exactly what Angus' per-byte streams write, however the bytes are split into writes. */
final class WireContentTest {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    /** Random text rich in what matters: CR, LF, dots, and ordinary bytes. */
    private static byte[] randomContent(Random random, int length) {
        byte[] alphabet = {'\r', '\n', '.', '.', 'a', 'b', ' ', (byte) 0xc3, (byte) 0xa4, 'z'};
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = alphabet[random.nextInt(alphabet.length)];
        }
        return b;
    }

    /** Writes the bytes in random pieces, some of them byte by byte, as the renderer's filter streams do. */
    private static void writeSplit(Random random, java.io.OutputStream out, byte[] b) throws IOException {
        int i = 0;
        while (i < b.length) {
            int n = Math.min(b.length - i, random.nextInt(40_000) + 1);
            if (random.nextInt(3) == 0) {
                for (int k = 0; k < n; k++) {
                    out.write(b[i + k]);
                }
            } else {
                out.write(b, i, n);
            }
            i += n;
        }
    }

    @Test
    @DisplayName("#16: DATA content: CRLF canonicalisation, dot-stuffing and the final '.' as Angus' SMTPOutputStream does them")
    void data_sameBytesAsAngus() throws IOException {
        Random random = new Random(16);
        for (int round = 0; round < 200; round++) {
            byte[] content = randomContent(random, random.nextInt(round < 100 ? 300 : 200_000));
            ByteArrayOutputStream angus = new ByteArrayOutputStream();
            SMTPOutputStream reference = new SMTPOutputStream(angus);
            reference.write(content);
            reference.ensureAtBOL();
            angus.write(".\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

            ByteArrayOutputStream ours = new ByteArrayOutputStream();
            Wire wire = Wire.over(ours, timer);
            Wire.Content out = wire.new Content(true, -1, 0, null);
            writeSplit(random, out, content);
            out.finish();
            wire.flush();
            assertThat(ours.toByteArray()).as("round %d", round).isEqualTo(angus.toByteArray());
        }
    }

    @Test
    @DisplayName("#16: BDAT content: CRLF canonicalisation without dot-stuffing, in chunks that each carry their exact size")
    void bdat_canonicalNoStuffing_exactChunks() throws IOException {
        Random random = new Random(3030);
        for (int round = 0; round < 50; round++) {
            byte[] content = randomContent(random, random.nextInt(300_000));
            ByteArrayOutputStream canonical = new ByteArrayOutputStream();
            CRLFOutputStream reference = new CRLFOutputStream(canonical);
            reference.write(content);
            byte[] expected = canonical.toByteArray();
            if (expected.length > 0 && expected[expected.length - 1] != '\n') {
                canonical.write('\r');
                canonical.write('\n');
                expected = canonical.toByteArray();
            }

            ByteArrayOutputStream chunks = new ByteArrayOutputStream();
            java.util.List<Integer> sizes = new java.util.ArrayList<>();
            boolean[] last = {false};
            Wire wire = Wire.over(new ByteArrayOutputStream(), timer);
            Wire.Content out = wire.new Content(false, -1, 1000 + random.nextInt(100_000), (b, len, isLast) -> {
                chunks.write(b, 0, len);
                sizes.add(len);
                last[0] = isLast;
            });
            writeSplit(random, out, content);
            out.finish();
            assertThat(chunks.toByteArray()).as("round %d", round).isEqualTo(expected);
            assertThat(last[0]).isTrue();
            assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(expected.length);
        }
    }

    @Test
    @DisplayName("#16: content past the SIZE limit fails before the excess is written")
    void sizeLimit_failsBeforeTheExcess() {
        ByteArrayOutputStream ours = new ByteArrayOutputStream();
        Wire wire = Wire.over(ours, timer);
        Wire.Content out = wire.new Content(true, 1000, 0, null);
        assertThatThrownBy(() -> out.write(new byte[1001])).isInstanceOf(TrackingSmtpTransport.SizeLimitExceeded.class);
        assertThat(ours.size()).isZero();
    }
}
