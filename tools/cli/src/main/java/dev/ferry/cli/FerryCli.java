package dev.ferry.cli;

import dev.ferry.cli.api.ApiOptions;
import dev.ferry.cli.api.Environment;
import dev.ferry.cli.admin.AuditCommand;
import dev.ferry.cli.admin.TokensCommand;
import dev.ferry.cli.devices.CommandsCommand;
import dev.ferry.cli.devices.DevicesCommand;
import dev.ferry.cli.devices.GroupsCommand;
import dev.ferry.cli.devices.TelemetryCommand;
import dev.ferry.cli.events.EventsCommand;
import dev.ferry.cli.firmware.FirmwareCommand;
import dev.ferry.cli.firmware.KeysCommand;
import dev.ferry.cli.image.ImageCommand;
import dev.ferry.cli.login.LoginCommand;
import dev.ferry.cli.rollout.RolloutCommand;
import dev.ferry.cli.sim.SimCommand;
import dev.ferry.cli.update.UpdateCommand;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ferry} command: operating a Ferry fleet through the server's HTTP API, and firmware image tooling. */
@Command(name = "ferry",
        mixinStandardHelpOptions = true,
        versionProvider = FerryCli.Version.class,
        description = "Fleet management and safe over-the-air updates for microcontrollers.",
        subcommands = {LoginCommand.class, DevicesCommand.class, FirmwareCommand.class, KeysCommand.class,
                UpdateCommand.class, RolloutCommand.class, GroupsCommand.class, CommandsCommand.class,
                TelemetryCommand.class, TokensCommand.class, AuditCommand.class, EventsCommand.class,
                ImageCommand.class, SimCommand.class, CompletionCommand.class},
        footer = {"", "The server and API token come from --server/--token, else FERRY_SERVER/FERRY_TOKEN, else"
                + " what 'ferry login' stored in $XDG_CONFIG_HOME/ferry/config (~/.config/ferry/config).", "",
                ExitCodes.SUMMARY})
public final class FerryCli implements Runnable, ApiOptions.EnvironmentHolder {

    private final Environment environment;

    public FerryCli() {
        this(Environment.system());
    }

    public FerryCli(Environment environment) {
        this.environment = environment;
    }

    @Override
    public Environment environment() {
        return environment;
    }

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs one command line; output and errors go to the given writers. Returns the exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return run(Environment.system(), out, err, args);
    }

    /** Runs one command line with its own environment (variables, stdin, terminal or not). */
    public static int run(Environment environment, PrintWriter out, PrintWriter err, String... args) {
        CommandLine commandLine = new CommandLine(new FerryCli(environment));
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExecutionExceptionHandler(new ErrorReporter());
        commandLine.setParameterExceptionHandler(ErrorReporter::usageError);
        int code = commandLine.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = FerryCli.class.getPackage().getImplementationVersion();
            return new String[] {"ferry " + (version == null ? "development build" : version)};
        }
    }
}
