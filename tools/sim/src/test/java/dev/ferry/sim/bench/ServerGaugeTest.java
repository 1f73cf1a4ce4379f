package dev.ferry.sim.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;

import org.junit.jupiter.api.Test;

class ServerGaugeTest {
    @Test
    void cpu_time_is_user_plus_system_ticks_even_when_the_command_name_holds_spaces_and_parentheses() {
        String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194304 15328 0 0 0 113 13 0 0 20 0 20 0 838196";

        assertThat(ServerGauge.cpuMillis(stat)).isEqualTo((113 + 13) * 10);
    }

    @Test
    void reads_this_jvm_s_cpu_time_and_heap() throws Exception {
        ServerGauge gauge = new ServerGauge(ProcessHandle.current().pid());

        assertThat(gauge.cpuMillis()).isPositive();
        assertThat(gauge.heapUsedKiB(false)).isPositive();
    }

    @Test
    void a_process_that_is_gone_is_named_in_the_error() {
        ServerGauge gauge = new ServerGauge(Integer.MAX_VALUE);

        assertThatThrownBy(gauge::cpuMillis).isInstanceOf(IOException.class)
                .hasMessageContaining("no process " + Integer.MAX_VALUE);
    }
}
