package dev.ferry.sim.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

class PercentilesTest {
    private static final long[] ONE_TO_HUNDRED = LongStream.rangeClosed(1, 100).toArray();

    @Test
    void nearest_rank_is_the_smallest_value_with_at_least_p_percent_at_or_below_it() {
        assertThat(Percentiles.of(ONE_TO_HUNDRED, 100, 50)).isEqualTo(50);
        assertThat(Percentiles.of(ONE_TO_HUNDRED, 100, 99)).isEqualTo(99);
        assertThat(Percentiles.of(ONE_TO_HUNDRED, 100, 99.5)).isEqualTo(100);
        assertThat(Percentiles.of(ONE_TO_HUNDRED, 100, 100)).isEqualTo(100);
        assertThat(Percentiles.of(ONE_TO_HUNDRED, 100, 0)).isEqualTo(1);
    }

    @Test
    void only_the_first_count_values_take_part() {
        assertThat(Percentiles.of(ONE_TO_HUNDRED, 10, 50)).isEqualTo(5);
        assertThat(Percentiles.of(ONE_TO_HUNDRED, 10, 100)).isEqualTo(10);
        assertThat(Percentiles.of(ONE_TO_HUNDRED, 1, 99)).isEqualTo(1);
    }

    @Test
    void no_values_have_no_percentile() {
        assertThatThrownBy(() -> Percentiles.nearestRankIndex(0, 50)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Percentiles.of(new double[0], 50)).isNaN();
    }

    @Test
    void the_median_of_an_odd_count_is_the_middle_value_and_of_an_even_count_the_mean_of_the_two() {
        assertThat(Percentiles.median(121, 56.7, 70)).isEqualTo(70);
        assertThat(Percentiles.median(4, 1, 3, 2)).isEqualTo(2.5);
        assertThat(Percentiles.median()).isNaN();
    }
}
