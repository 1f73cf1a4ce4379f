package dev.ferry.cli;

import static dev.ferry.cli.CliRun.ferry;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HelpTest {

    @ParameterizedTest
    @ValueSource(strings = {"keygen", "getpub", "sign", "verify", "show"})
    void every_image_command_explains_itself(String command) {
        CliRun run = ferry("image", command, "--help");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("Usage: ferry image " + command);
    }

    @ParameterizedTest
    @ValueSource(strings = {"--help", "-h"})
    void the_top_level_help_lists_exit_codes(String flag) {
        CliRun run = ferry(flag);

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("image").contains("Exit codes: 0 success; 1 the input was rejected");
    }
}
