package dev.ferry.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import dev.ferry.server.audit.AuditCommand;
import dev.ferry.server.auth.TokenCommand;
import dev.ferry.server.config.ConfigException;
import dev.ferry.server.config.ConfigLoader;
import dev.ferry.server.config.FerryConfig;
import dev.ferry.server.config.Setting;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * {@code java -jar ferry-server.jar [--config FILE] [--http-port N] ...}: runs the server until SIGTERM.
 * {@code ... audit verify [--data-dir DIR | --config FILE]} checks the audit log offline instead.
 * {@code java -jar ferry-server.jar token create --role admin ...} makes an API token instead (see TokenCommand).
 */
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);
    static final String DEFAULT_CONFIG_FILE = "ferry.conf";

    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length > 0 && args[0].equals("audit")) {
            System.exit(AuditCommand.run(Arrays.copyOfRange(args, 1, args.length), System.out, System.err,
                    System.getenv()));
            return;
        }
        if (args.length > 0 && args[0].equals("token")) {
            System.exit(TokenCommand.run(Arrays.copyOfRange(args, 1, args.length), System.getenv(),
                    System.out, System.err));
            return;
        }
        CommandLine cli = new CommandLine(commandSpec());
        ParseResult parsed;
        try {
            parsed = cli.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            System.err.println(e.getMessage());
            e.getCommandLine().usage(System.err);
            System.exit(2);
            return;
        }
        if (CommandLine.printHelpIfRequested(parsed)) {
            return;
        }
        FerryConfig config;
        try {
            config = ConfigLoader.load(configFile(parsed), System.getenv(), flags(parsed));
        } catch (ConfigException e) {
            System.err.println("ferry-server: configuration error: " + e.getMessage());
            System.exit(2);
            return;
        }
        FerryServer server;
        try {
            server = FerryServer.start(config);
        } catch (RuntimeException e) {
            System.err.println("ferry-server: cannot start: " + FerryServer.rootMessage(e));
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            int status = 0;
            try {
                server.close();
            } catch (RuntimeException e) {
                System.err.println("ferry-server: shutdown failed: " + FerryServer.rootMessage(e));
                status = 1;
            }
            stopped.countDown();
            exitAfterShutdown(status);
        }, "ferry-shutdown"));
        LOG.info("Running; SIGTERM or Ctrl-C shuts the server down cleanly");
        stopped.await();
    }

    /**
     * Ends the JVM with {@code status} once the server closed. Stopped by a signal, the JVM would otherwise exit
     * with 128 plus the signal's number (143 for SIGTERM) even after a clean shutdown, which service managers
     * and scripts read as a failure.
     */
    private static void exitAfterShutdown(int status) {
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(status);
    }

    static CommandSpec commandSpec() {
        CommandSpec spec = CommandSpec.create().name("ferry-server").mixinStandardHelpOptions(true)
                .version("Ferry server 0.1.0");
        spec.usageMessage().description("Ferry fleet server: LwM2M device management and over-the-air updates.",
                "Settings come from --config FILE (default ./" + DEFAULT_CONFIG_FILE + " when present), then FERRY_*"
                        + " environment variables, then these flags; later sources win.",
                "'ferry-server token create --role admin' makes an API token instead (see 'token create --help').");
        spec.addOption(OptionSpec.builder("--config").paramLabel("FILE").type(Path.class)
                .description("Config file in Java properties syntax (see server/ferry.example.conf).").build());
        for (Setting setting : Setting.values()) {
            spec.addOption(OptionSpec.builder(setting.flag()).paramLabel("VALUE").type(String.class)
                    .description(setting.description() + " Env: " + setting.envName() + ". Default: "
                            + (setting.defaultValue().isEmpty() ? "(empty)" : setting.defaultValue()))
                    .build());
        }
        return spec;
    }

    static Path configFile(ParseResult parsed) {
        if (parsed.hasMatchedOption("--config")) {
            Path file = parsed.matchedOptionValue("--config", (Path) null);
            if (!Files.isRegularFile(file)) {
                throw new ConfigException("config file " + file + " does not exist");
            }
            return file;
        }
        String fromEnv = System.getenv("FERRY_CONFIG");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv);
        }
        Path local = Path.of(DEFAULT_CONFIG_FILE);
        return Files.isRegularFile(local) ? local : null;
    }

    static Map<Setting, String> flags(ParseResult parsed) {
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        for (Setting setting : Setting.values()) {
            if (parsed.hasMatchedOption(setting.flag())) {
                flags.put(setting, parsed.matchedOptionValue(setting.flag(), ""));
            }
        }
        return flags;
    }
}
