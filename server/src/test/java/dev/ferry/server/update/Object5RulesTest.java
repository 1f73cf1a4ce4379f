package dev.ferry.server.update;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class Object5RulesTest {

    @Test
    void the_target_version_with_result_1_is_a_success_whatever_the_build_suffix() {
        Object5Rules.Verdict verdict = Object5Rules.verdict("2.0.0+0", "2.0.0", "1.0.0+0", 1L);

        assertThat(verdict.state()).isEqualTo(UpdateState.SUCCEEDED);
        assertThat(verdict.reason()).isNull();
    }

    @Test
    void the_new_image_on_trial_without_a_result_has_no_verdict_yet() {
        assertThat(Object5Rules.verdict("2.0.0+0", "2.0.0+0", "1.0.0+0", 0L)).isNull();
        assertThat(Object5Rules.verdict("2.0.0+0", "2.0.0+0", "1.0.0+0", null)).isNull();
    }

    @Test
    void the_previous_version_back_is_a_revert_even_with_result_8() {
        Object5Rules.Verdict verdict = Object5Rules.verdict("1.0.0+0", "2.0.0+0", "1.0.0+0", 8L);

        assertThat(verdict.state()).isEqualTo(UpdateState.FAILED);
        assertThat(verdict.reason()).isEqualTo(FailureReason.REVERTED);
        assertThat(verdict.detail()).isEqualTo("back on 1.0.0+0 with update result 8");
    }

    @Test
    void a_failure_result_or_a_third_version_fails_with_its_own_reason() {
        assertThat(Object5Rules.verdict("2.0.0+0", "2.0.0+0", "1.0.0+0", 5L).reason())
                .isEqualTo(FailureReason.INTEGRITY_CHECK_FAILED);
        assertThat(Object5Rules.verdict("3.0.0+0", "2.0.0+0", "1.0.0+0", 0L).reason())
                .isEqualTo(FailureReason.UNEXPECTED_VERSION);
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
