package dev.ferry.sim;

import dev.ferry.sim.load.LoadCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ferry-sim device|bench|bootstrap-bench|baseline-server|load}: simulated devices and the registration benchmark. */
@Command(name = "ferry-sim", mixinStandardHelpOptions = true, version = "Ferry simulator 0.1.0",
        description = "Simulated LwM2M devices for trying out and measuring a Ferry server.",
        subcommands = { DeviceCommand.class, BenchCommand.class, BootstrapBenchCommand.class, BaselineServerCommand.class,
                LoadCommand.class })
public final class SimMain {
    public static void main(String[] args) {
        System.exit(new CommandLine(new SimMain()).execute(args));
    }
}
