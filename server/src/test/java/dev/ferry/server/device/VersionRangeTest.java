package dev.ferry.server.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class VersionRangeTest {

    @Test
    void an_exact_version_without_a_build_matches_every_build_of_it() {
        VersionRange exact = VersionRange.parse("1.0.0");

        assertThat(exact.matches("1.0.0+0")).isTrue();
        assertThat(exact.matches("1.0.0+7")).isTrue();
        assertThat(exact.matches("1.0.0")).isTrue();
        assertThat(exact.matches("1.0.1+0")).isFalse();
        assertThat(exact.matches("10.0.0+0")).isFalse();
    }

    @Test
    void an_exact_version_with_a_build_means_exactly_that_build() {
        assertThat(VersionRange.parse("1.0.0+3").matches("1.0.0+3")).isTrue();
        assertThat(VersionRange.parse("1.0.0+3").matches("1.0.0+0")).isFalse();
        assertThat(VersionRange.parse("1.0.0+3").matches("1.0.0")).isFalse();
        assertThat(VersionRange.parse("=1.0.0+3").matches("1.0.0+3")).isTrue();
        assertThat(VersionRange.parse("=1.0.0+3").matches("1.0.0+4")).isFalse();
    }

    @Test
    void comparators_order_by_major_minor_and_revision_numerically_and_ignore_builds() {
        VersionRange below2 = VersionRange.parse("<2.0.0");
        assertThat(below2.matches("1.99.65535+4")).isTrue();
        assertThat(below2.matches("2.0.0+0")).isFalse();
        assertThat(below2.matches("10.0.0+0")).as("numbers, not text").isFalse();
        assertThat(VersionRange.parse("<=1.0.0").matches("1.0.0+9")).isTrue();
        assertThat(VersionRange.parse(">1.0.0").matches("1.0.0+9")).isFalse();
        assertThat(VersionRange.parse(">1.0.0").matches("1.0.1+0")).isTrue();
        assertThat(VersionRange.parse(">=1.2.0").matches("1.10.0+0")).isTrue();
        assertThat(VersionRange.parse("=1.2.0").matches("1.2.0+5")).isTrue();
    }

    @Test
    void every_comparator_of_a_range_must_hold() {
        VersionRange range = VersionRange.parse("  >=1.0.0   <2.0.0 ");

        assertThat(range.matches("0.9.9+0")).isFalse();
        assertThat(range.matches("1.0.0+0")).isTrue();
        assertThat(range.matches("1.5.3+2")).isTrue();
        assertThat(range.matches("2.0.0+0")).isFalse();
        assertThat(range).hasToString(">=1.0.0   <2.0.0");
    }

    @Test
    void a_device_version_that_does_not_parse_matches_no_expression() {
        for (String device : new String[] {null, "", "1.2", "v1.2.3", "1.2.3-beta", "01.2.3", "1.2.3+", "garbage"}) {
            assertThat(VersionRange.parse("<9.0.0").matches(device)).as(device).isFalse();
            assertThat(VersionRange.parse(">=0.0.0").matches(device)).as(device).isFalse();
            assertThat(VersionRange.parse("1.2.3").matches(device)).as(device).isFalse();
        }
        assertThat(VersionRange.parse("1.2.3").matches(" 1.2.3+0 ")).as("surrounding spaces").isTrue();
    }

    @Test
    void bad_expressions_are_refused_saying_what_is_wrong() {
        assertThatIllegalArgumentException().isThrownBy(() -> VersionRange.parse("")).withMessageContaining("empty");
        assertThatIllegalArgumentException().isThrownBy(() -> VersionRange.parse(null))
                .withMessageContaining("empty");
        assertThatIllegalArgumentException().isThrownBy(() -> VersionRange.parse("<2.0"))
                .withMessageContaining("'2.0' in '<2.0' is not a version");
        assertThatIllegalArgumentException().isThrownBy(() -> VersionRange.parse(">=1.0.0 <x"))
                .withMessageContaining("'x'");
        assertThatIllegalArgumentException().isThrownBy(() -> VersionRange.parse("< 2.0.0"))
                .withMessageContaining("is not a version");
        assertThatIllegalArgumentException().isThrownBy(() -> VersionRange.parse("~1.0.0"))
                .withMessageContaining("'~1.0.0'");
        assertThatIllegalArgumentException().isThrownBy(() -> VersionRange.parse("<1.0.0+3"))
                .withMessageContaining("build numbers can only be matched exactly");
        assertThat(VersionRange.problemOf("=>1.0.0")).contains("is not a version");
        assertThat(VersionRange.problemOf(">=1.0.0")).isNull();
    }
}
