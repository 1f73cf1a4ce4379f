package dev.ferry.sim.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ThreadBudgetTest {
    @Test
    void reads_the_kernel_s_limits_in_full_on_linux() {
        ThreadBudget budget = ThreadBudget.read();

        // Files.readString would cut /proc/sys values to their first character ("32768" read as "3").
        assertThat(budget.limits()).containsPattern("kernel.pid_max [0-9]{3,}");
        assertThat(budget.headroom()).isPositive().isLessThan(Long.MAX_VALUE);
        assertThat(ThreadBudget.threadsOfThisProcess()).isPositive();
    }

    @Test
    void a_jvm_unable_to_start_a_thread_is_told_apart_from_other_failures() {
        OutOfMemoryError threads = new OutOfMemoryError("unable to create native thread: possibly out of memory");

        assertThat(ThreadBudget.isThreadLimit(new IllegalStateException("wrapped", threads))).isTrue();
        assertThat(ThreadBudget.isThreadLimit(new OutOfMemoryError("Java heap space"))).isFalse();
        assertThat(ThreadBudget.isThreadLimit(new IllegalStateException())).isFalse();
    }
}
