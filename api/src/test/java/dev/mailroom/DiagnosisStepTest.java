package dev.mailroom;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

final class DiagnosisStepTest {

    @Test
    @DisplayName("C1: a failed step carries the failure's message, the server's exact reply, its code and hint; without a hint the code's own")
    void factories() {
        DiagnosisStep ok = DiagnosisStep.passed(DiagnosisStep.Stage.TCP, "connected", Duration.ofMillis(3));
        assertThat(ok.outcome()).isEqualTo(DiagnosisStep.Outcome.PASSED);
        assertThat(ok.errorCode()).isEmpty();
        MailException e = new MailException(MailErrorCode.AUTH_FAILED, "login refused", "535 5.7.8 no", null, java.util.List.of(), null);
        DiagnosisStep failed = DiagnosisStep.failed(DiagnosisStep.Stage.AUTH, e, Duration.ZERO);
        assertThat(failed.reply()).contains("535 5.7.8 no");
        assertThat(failed.errorCode()).contains(MailErrorCode.AUTH_FAILED);
        assertThat(failed.hint()).isEqualTo(e.hint());
        assertThat(DiagnosisStep.failed(DiagnosisStep.Stage.SENDER, "refused", null, MailErrorCode.SENDER_REJECTED, null, Duration.ZERO).hint())
                .isEqualTo(MailErrorCode.SENDER_REJECTED.hint());
    }
}
