package dev.ferry.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

class SimHelpTest {

    /** Every command of {@code ferry-sim}, as the words that name it: {@code []}, {@code [device]}, ... */
    static Stream<List<String>> commands() {
        List<List<String>> all = new ArrayList<>();
        collect(new CommandLine(new SimMain()), new ArrayList<>(), all);
        return all.stream();
    }

    @ParameterizedTest
    @MethodSource("commands")
    void every_command_prints_its_help_and_exits_0_even_with_required_options_missing(List<String> command) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine sim = new CommandLine(new SimMain());
        sim.setOut(new PrintWriter(out, true));
        sim.setErr(new PrintWriter(err, true));
        List<String> args = new ArrayList<>(command);
        args.add("--help");

        int exitCode = sim.execute(args.toArray(String[]::new));

        assertThat(exitCode).as(err.toString()).isZero();
        assertThat(out.toString()).startsWith("Usage: " + String.join(" ", Stream.concat(Stream.of("ferry-sim"),
                command.stream()).toList()));
        assertThat(err.toString()).isEmpty();
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
}
