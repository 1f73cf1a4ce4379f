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
        assertThat(run.out()).contains("image", "devices", "rollout", "events", "completion")
                .contains("Exit codes: 0 success; 1 bad command line; 2 refused")
                .contains("3 cannot reach the server").contains("4 a watched rollout paused")
                .contains("FERRY_SERVER/FERRY_TOKEN");
    }

    @ParameterizedTest
    @MethodSource("commands")
    void every_command_option_and_parameter_is_described(List<String> command) {
        CommandLine.Model.CommandSpec spec = find(command).getCommandSpec();

        assertThat(spec.usageMessage().description()).as("description of ferry " + command).isNotEmpty();
        for (CommandLine.Model.OptionSpec option : spec.options()) {
            assertThat(String.join("", option.description())).as(option.longestName() + " of ferry " + command)
                    .isNotBlank();
        }
        for (CommandLine.Model.PositionalParamSpec parameter : spec.positionalParameters()) {
            assertThat(String.join("", parameter.description())).as(parameter.paramLabel() + " of ferry " + command)
                    .isNotBlank();
        }
    }

    @org.junit.jupiter.api.Test
    void a_bash_completion_script_completes_commands_and_their_subcommands() {
        CliRun run = ferry("completion", "bash");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("#!/usr/bin/env bash").contains("complete -F")
                .contains("rollout").contains("watch").contains("--firmware").contains("devices");
    }

    @org.junit.jupiter.api.Test
    void completion_for_a_shell_it_does_not_know_is_a_usage_error() {
        CliRun run = ferry("completion", "tcsh");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("bash");
    }

    private static CommandLine find(List<String> command) {
        CommandLine current = new CommandLine(new FerryCli());
        for (String name : command) {
            current = current.getSubcommands().get(name);
        }
        return current;
    }
}
