package dev.ferry.cli;

import static dev.ferry.cli.CliRun.ferry;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class HelpTest {

    @ParameterizedTest
    @ValueSource(strings = {"keygen", "getpub", "sign", "verify", "show"})
    void every_image_command_explains_itself(String command) {
        CliRun run = ferry("image", command, "--help");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("Usage: ferry image " + command);
    }

    /** Every command of {@code ferry}, as the words that name it: {@code []}, {@code [image]}, ... */
    static Stream<List<String>> commands() {
        List<List<String>> all = new ArrayList<>();
        collect(new CommandLine(new FerryCli()), new ArrayList<>(), all);
        return all.stream();
    }

    @ParameterizedTest
    @MethodSource("commands")
    void every_command_prints_its_help_and_exits_0_even_with_required_options_missing(List<String> command) {
        List<String> args = new ArrayList<>(command);
        args.add("--help");

        CliRun run = ferry(args.toArray(String[]::new));

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("Usage: " + String.join(" ", Stream.concat(Stream.of("ferry"),
                command.stream()).toList()));
        assertThat(run.err()).isEmpty();
    }

    private static void collect(CommandLine command, List<String> path, List<List<String>> all) {
        all.add(List.copyOf(path));
        command.getSubcommands().forEach((name, sub) -> {
            if (!name.equals(sub.getCommandName())) {
                return; // an alias
            }
            List<String> deeper = new ArrayList<>(path);
            deeper.add(name);
            collect(sub, deeper, all);
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"--help", "-h"})
    void the_top_level_help_lists_exit_codes(String flag) {
        CliRun run = ferry(flag);

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("image").contains("Exit codes: 0 success; 1 the input was rejected");
    }
}
