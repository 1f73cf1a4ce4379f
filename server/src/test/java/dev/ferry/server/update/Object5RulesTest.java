package dev.ferry.server.update;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class Object5RulesTest {

    @Test
    void the_target_version_with_result_1_is_a_success_whatever_the_build_suffix() {
        Object5Rules.Verdict verdict = Object5Rules.verdict("2.0.0+0", "2.0.0", "1.0.0+0", 1L, true);

        assertThat(verdict.state()).isEqualTo(UpdateState.SUCCEEDED);
        assertThat(verdict.reason()).isNull();
        assertThat(verdict.detail()).isEqualTo("the device runs 2.0.0+0 and reported update result 1 (success)");
    }

    @Test
    void the_new_image_on_trial_without_a_result_has_no_verdict_yet() {
        assertThat(Object5Rules.verdict("2.0.0+0", "2.0.0+0", "1.0.0+0", 0L, true)).isNull();
        assertThat(Object5Rules.verdict("2.0.0+0", "2.0.0+0", "1.0.0+0", null, true)).isNull();
    }

    @Test
    void only_result_8_after_a_new_registration_is_called_a_revert_by_the_bootloader() {
        Object5Rules.Verdict verdict = Object5Rules.verdict("1.0.0+0", "2.0.0+0", "1.0.0+0", 8L, true);

        assertThat(verdict.state()).isEqualTo(UpdateState.FAILED);
        assertThat(verdict.reason()).isEqualTo(FailureReason.REVERTED);
        assertThat(verdict.detail()).isEqualTo("the device came back on 1.0.0+0 with update result 8 (firmware update"
                + " failed): the new image was reverted by the bootloader");
    }

    @Test
    void the_old_version_back_without_result_8_says_only_what_the_device_reported() {
        Object5Rules.Verdict verdict = Object5Rules.verdict("1.0.0+0", "2.0.0+0", "1.0.0+0", 0L, true);

        assertThat(verdict.reason()).isEqualTo(FailureReason.REVERTED);
        assertThat(verdict.detail()).isEqualTo("the device came back on 1.0.0+0 with update result 0 (initial)")
                .doesNotContain("bootloader");
        assertThat(Object5Rules.verdict("1.0.0+0", "2.0.0+0", "1.0.0+0", 5L, true).reason())
                .isEqualTo(FailureReason.INTEGRITY_CHECK_FAILED);
        assertThat(Object5Rules.verdict("1.0.0+0", "2.0.0+0", "1.0.0+0", 8L, false).reason())
                .isEqualTo(FailureReason.UPDATE_FAILED);
        assertThat(Object5Rules.verdict("1.0.0+0", "2.0.0+0", "1.0.0+0", 5L, false).detail())
                .isEqualTo("the device reported update result 5 (integrity check failure) without registering again"
                        + " and still runs 1.0.0+0");
    }

    @Test
    void result_1_on_the_old_version_is_an_unexpected_version_naming_both() {
        Object5Rules.Verdict verdict = Object5Rules.verdict("1.0.0+0", "1.1.0+0", "1.0.0+0", 1L, false);

        assertThat(verdict.state()).isEqualTo(UpdateState.FAILED);
        assertThat(verdict.reason()).isEqualTo(FailureReason.UNEXPECTED_VERSION);
        assertThat(verdict.detail()).isEqualTo("the device reported update result 1 (success) without registering"
                + " again but runs 1.0.0+0, not 1.1.0+0");
    }

    @Test
    void a_failure_result_or_a_third_version_fails_with_its_own_reason() {
        assertThat(Object5Rules.verdict("2.0.0+0", "2.0.0+0", "1.0.0+0", 5L, true).reason())
                .isEqualTo(FailureReason.INTEGRITY_CHECK_FAILED);
        Object5Rules.Verdict third = Object5Rules.verdict("3.0.0+0", "2.0.0+0", "1.0.0+0", 0L, true);
        assertThat(third.reason()).isEqualTo(FailureReason.UNEXPECTED_VERSION);
        assertThat(third.detail()).contains("3.0.0+0", "2.0.0+0", "1.0.0+0");
    }

    @Test
    void a_download_is_judged_by_what_the_device_reported_never_assumed() {
        assertThat(Object5Rules.download(2L, 0L, true)).isEqualTo(Object5Rules.DownloadStep.INSTALL);
        assertThat(Object5Rules.download(0L, 6L, true)).isEqualTo(Object5Rules.DownloadStep.FAIL);
        assertThat(Object5Rules.download(1L, 0L, true)).isEqualTo(Object5Rules.DownloadStep.WAIT);
        assertThat(Object5Rules.download(null, null, true)).isEqualTo(Object5Rules.DownloadStep.WAIT);
        assertThat(Object5Rules.download(0L, 0L, true)).isEqualTo(Object5Rules.DownloadStep.DISCARDED);
        assertThat(Object5Rules.download(0L, 0L, false)).isEqualTo(Object5Rules.DownloadStep.WAIT);
    }

    @Test
    void a_session_asked_to_install_may_be_cancelled_only_while_the_device_is_not_updating() {
        assertThat(Object5Rules.mayCancel(UpdateState.DOWNLOADING, null, false)).isTrue();
        assertThat(Object5Rules.mayCancel(UpdateState.UPDATING, null, false)).isFalse();
        assertThat(Object5Rules.mayCancel(UpdateState.UPDATING, 3L, false)).isFalse();
        assertThat(Object5Rules.mayCancel(UpdateState.UPDATING, 2L, false)).isTrue();
        assertThat(Object5Rules.mayCancel(UpdateState.UPDATING, 0L, false)).isTrue();
        assertThat(Object5Rules.mayCancel(UpdateState.UPDATING, null, true)).isTrue();
        assertThat(Object5Rules.mayCancel(UpdateState.SUCCEEDED, 0L, false)).isFalse();
    }

    @Test
    void states_and_results_are_named_as_lwm2m_names_them() {
        assertThat(Object5Rules.state(2)).isEqualTo("state 2 (downloaded)");
        assertThat(Object5Rules.result(6)).isEqualTo("update result 6 (unsupported package type)");
    }

    @Test
    void deliveries_the_device_does_not_offer_are_named() {
        assertThat(Object5Rules.unsupported(Delivery.PUSH, List.of(), List.of(0L))).contains("only pulls");
        assertThat(Object5Rules.unsupported(Delivery.PULL_COAP, List.of(), List.of(1L))).contains("only pushed");
        assertThat(Object5Rules.unsupported(Delivery.PULL_HTTP, List.of(0L, 1L), List.of(2L)))
                .contains("pull-http").contains("[0, 1]");
        assertThat(Object5Rules.unsupported(Delivery.PULL_COAP, List.of(), List.of())).isNull();
    }
}
