package dev.ferry.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** {@code ferry-sim bench} in a JVM of its own, under limits set for it by the shell. */
class BenchLimitsTest {
    @Test
    void more_devices_than_the_open_file_limit_allows_stop_the_bench_before_any_starts_saying_what_to_raise()
            throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process bench = new ProcessBuilder("bash", "-c", "ulimit -n 300 && exec \"$0\" -cp \"$1\" dev.ferry.sim.SimMain"
                + " bench --server coap://127.0.0.1:9 --devices 500 --warmup 0", java,
                System.getProperty("java.class.path")).redirectErrorStream(true).start();
        String output = new String(bench.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(bench.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(bench.exitValue()).as(output).isEqualTo(2);
        assertThat(output).contains("500 clients need a socket each, but this process may open only")
                .contains("(ulimit -n 300)");
    }
}
